package dev.couponpipeline.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip file of one or more members (RFC 1952), refusing anything that is not intact gzip.
 *
 * <p>Unlike {@link java.util.zip.GZIPInputStream}, which treats bytes it cannot parse after a member as the end
 * of the stream, every byte must belong to a member: trailing junk, a truncated member, a bad CRC or length, a
 * file that is not gzip and an empty file all throw {@link GzipFormatException} with the byte offset.
 */
public final class StrictGzipInputStream extends InputStream {

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int lim;
    /** Bytes of the file consumed by {@link #buf} fills so far (the file offset of {@code buf[lim]}). */
    private long filled;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private int members;
    private boolean inMember;
    private boolean eof;
    private final byte[] one = new byte[1];

    public StrictGzipInputStream(InputStream in, int bufferSize) throws IOException {
        this(in, bufferSize, 0, 0);
    }

    /**
     * Reads a file from a member's header on: {@code in} starts at byte offset {@code offset} of the file, after
     * {@code membersBefore} members (so that messages name the file's offsets and members).
     */
    StrictGzipInputStream(InputStream in, int bufferSize, long offset, int membersBefore) throws IOException {
        this.in = in;
        this.buf = new byte[bufferSize];
        this.filled = offset;
        this.members = membersBefore;
        if (!fill()) {
            throw new GzipFormatException("the file is empty (0 bytes); expected gzip data");
        }
        readHeader();
    }

    /** Compressed bytes consumed so far: how far into the file decompression has got. */
    public long compressedPosition() {
        return filled - (lim - pos) - (inMember ? inflater.getRemaining() : 0);
    }

    public int members() {
        return members;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] out, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            if (!inMember) {
                if (pos == lim && !fill()) {
                    eof = true;
                    return -1;
                }
                readHeader();
            }
            int n;
            try {
                n = inflater.inflate(out, off, len);
            } catch (DataFormatException e) {
                throw new GzipFormatException(
                        "corrupt deflate data in gzip member " + members + " near byte offset " + compressedPosition()
                                + ": " + e.getMessage(),
                        e);
            }
            if (n > 0) {
                crc.update(out, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                // hand back what the inflater did not consume, then check the trailer
                pos = lim - inflater.getRemaining();
                readTrailer();
                continue;
            }
            if (inflater.needsDictionary()) {
                throw new GzipFormatException("gzip member " + members + " needs a preset dictionary");
            }
            if (inflater.needsInput()) {
                if (pos == lim && !fill()) {
                    throw new GzipFormatException(
                            "truncated: the file ends inside gzip member " + members + " at byte offset " + filled);
                }
                inflater.setInput(buf, pos, lim - pos);
                pos = lim;
            }
        }
        return -1;
    }

    private void readHeader() throws IOException {
        GzipHeader.read(this::headerByte, filled - (lim - pos), members + 1);
        members++;
        inMember = true;
        memberBytes = 0;
        crc.reset();
        inflater.reset();
        if (pos < lim) {
            inflater.setInput(buf, pos, lim - pos);
            pos = lim;
        }
    }

    private void readTrailer() throws IOException {
        long start = filled - (lim - pos);
        long expectedCrc = 0;
        for (int i = 0; i < 4; i++) {
            expectedCrc |= (long) nextTrailerByte(start) << (8 * i);
        }
        long expectedSize = 0;
        for (int i = 0; i < 4; i++) {
            expectedSize |= (long) nextTrailerByte(start) << (8 * i);
        }
        if (expectedCrc != crc.getValue()) {
            throw new GzipFormatException(
                    "corrupt: CRC32 mismatch in gzip member " + members + " (the data is damaged)");
        }
        if (expectedSize != (memberBytes & 0xffffffffL)) {
            throw new GzipFormatException("corrupt: length mismatch in gzip member " + members);
        }
        inMember = false;
    }

    private int headerByte() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    private int nextTrailerByte(long trailerStart) throws IOException {
        if (pos == lim && !fill()) {
            throw new GzipFormatException("truncated: the file ends inside the trailer of gzip member " + members
                    + " at byte offset " + trailerStart);
        }
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            pos = lim = 0;
            return false;
        }
        pos = 0;
        lim = n;
        filled += n;
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
