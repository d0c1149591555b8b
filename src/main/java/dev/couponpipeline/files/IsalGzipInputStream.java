package dev.couponpipeline.files;

import com.intel.gkl.compression.IntelInflater;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gzip file decompressed by ISA-L (about 1.6x the JDK's zlib on our files), as strict as
 * {@link StrictGzipInputStream}, to which it hands the file over whenever it cannot be sure.
 *
 * <p>GKL's inflater takes its input anew at every call and tells neither how much of it was used nor where a
 * deflate stream ended. So it is fed slices small enough that each call uses its slice whole (the output room is
 * deflate's worst-case expansion of the slice), and a member's end is found the way the format marks it: a finished
 * deflate stream gives no more output, and right after it come the member's trailer (the CRC32 and the length of
 * the output, both computed here) and then the end of the file or the next member's header.
 *
 * <p>Anything else (an error from ISA-L, no trailer where one must be, the file ending inside a member) hands the
 * current member to the JDK's reader: it reads the member again from its header (the file's bytes already taken are
 * read again from the file) and either names the damage exactly, or, for an intact but unusual file, checks that
 * ISA-L's bytes so far were right and goes on from there.
 */
public final class IsalGzipInputStream extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger(IsalGzipInputStream.class);

    /** Opens the file again at a byte offset, for the hand-over. */
    @FunctionalInterface
    public interface Reopen {
        InputStream open(long offset) throws IOException;

        /** Opens {@code file} again at an offset. */
        static Reopen file(Path file) {
            return offset -> {
                FileChannel channel = FileChannel.open(file);
                try {
                    channel.position(offset);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                return Channels.newInputStream(channel);
            };
        }
    }

    /** Compressed bytes fed to ISA-L at a time. */
    static final int SLICE = 4096;
    /** Deflate's worst case: a 258-byte match coded in 2 bits, 1032 bytes out per byte in. */
    private static final int EXPANSION = 1032;
    /** Input ISA-L may hold back from earlier slices (its 64-bit bit buffer), with room to spare. */
    private static final int CARRY = 64;
    /** Slices below this size are not worth a call: the output is handed on first. */
    private static final int MIN_SLICE = 256;
    /** The least output room a decode needs. */
    static final int MIN_ROOM = EXPANSION * (MIN_SLICE + CARRY) + 1;
    /** A finished stream's trailer lies within this many bytes of the last slice that gave output. */
    private static final int TRAILER_WINDOW = 2 * SLICE + CARRY;

    private final InputStream in;
    private final Reopen reopen;
    private final byte[] buf;
    private int pos;
    private int lim;
    /** The file offset of {@code buf[0]}. */
    private long bufStart;

    /** Output for reads too small to take whole slices (made on the first such read). */
    private byte[] out;

    private final int outputSize;
    private int outPos;
    private int outLim;

    private final IntelInflater isal = Isal.newInflater();
    private final CRC32 crc = new CRC32();
    private int members;
    private boolean inMember;
    private long memberStart;
    private long memberBytes;
    /** Where a trailer may start: the file offset of the last slice that gave output (or of the member's data). */
    private long searchFrom;

    /** The JDK's reader, once the file was handed over to it. */
    private StrictGzipInputStream jdk;

    private final byte[] one = new byte[1];

    /**
     * Reads {@code in}, a file that {@code reopen} opens again, {@code inputSize} bytes at a time. A read of at
     * least {@link #MIN_ROOM} bytes is decompressed straight into the caller's buffer (4 MB lets every call take a
     * whole slice); smaller ones go through a buffer of {@code outputSize} bytes.
     */
    public IsalGzipInputStream(InputStream in, Reopen reopen, int inputSize, int outputSize) throws IOException {
        this.in = in;
        this.reopen = reopen;
        this.buf = new byte[Math.max(inputSize, 2 * TRAILER_WINDOW)];
        this.outputSize = Math.max(outputSize, MIN_ROOM);
        if (!refill()) {
            isal.end();
            throw new GzipFormatException("the file is empty (0 bytes); expected gzip data");
        }
        try {
            startMember();
        } catch (IOException | RuntimeException e) {
            isal.end();
            throw e;
        }
    }

    /** Compressed bytes consumed so far: how far into the file decompression has got. */
    public long compressedPosition() {
        return jdk != null ? jdk.compressedPosition() : bufStart + pos;
    }

    public int members() {
        return jdk != null ? jdk.members() : members;
    }

    /** Whether the JDK's reader took over (for tests). */
    boolean handedOver() {
        return jdk != null;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (outPos == outLim) {
            if (jdk != null) {
                return jdk.read(b, off, len);
            }
            if (len >= MIN_ROOM) { // room for whole slices: straight into the caller's buffer, no copy
                int n = decode(b, off, len);
                if (n != 0) {
                    return n;
                }
                continue; // handed over before any output
            }
            if (out == null) {
                out = new byte[outputSize];
            }
            int n = decode(out, 0, out.length);
            if (n < 0) {
                return -1;
            }
            outPos = 0;
            outLim = n;
        }
        int n = Math.min(len, outLim - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** Decompresses into {@code dst[off..off + len)}; returns the bytes written, or -1 at the end of the file. */
    private int decode(byte[] dst, int off, int len) throws IOException {
        int written = 0;
        while (jdk == null) {
            if (!inMember && !startMember()) {
                return written > 0 ? written : -1;
            }
            int room = len - written;
            int slice = room / EXPANSION - CARRY;
            if (slice < MIN_SLICE) {
                return written;
            }
            if (pos == lim && !refill()) {
                if (!endMember(true)) {
                    handOver("the file ends inside the member, or no trailer matches its end");
                }
                continue;
            }
            slice = Math.min(Math.min(slice, SLICE), lim - pos);
            int n;
            try {
                isal.setInput(buf, pos, slice);
                n = isal.inflate(dst, off + written, room);
            } catch (RuntimeException e) { // corrupt data, or something ISA-L does not take: the JDK says which
                handOver("ISA-L: " + e.getMessage());
                break;
            }
            if (n >= room) { // the output filled up: the slice may not have been used whole
                handOver("the output filled up");
                break;
            }
            long sliceStart = bufStart + pos;
            pos += slice;
            if (n > 0) {
                crc.update(dst, off + written, n);
                memberBytes += n;
                written += n;
                searchFrom = sliceStart;
            } else if (!endMember(false) && bufStart + pos - searchFrom > TRAILER_WINDOW) {
                handOver("no output, and no trailer, for " + TRAILER_WINDOW + " bytes");
            }
        }
        return written;
    }

    /**
     * Looks for the member's trailer from {@link #searchFrom}: the CRC32 and length of its output, followed by the
     * end of the file or a gzip header. Ends the member there and returns true when found.
     */
    private boolean endMember(boolean atEnd) {
        int crcValue = (int) crc.getValue();
        int size = (int) memberBytes;
        for (int t = (int) (searchFrom - bufStart); t + 8 <= lim; t++) {
            if (intAt(t) != crcValue || intAt(t + 4) != size) {
                continue;
            }
            int next = t + 8;
            boolean followed = next == lim
                    ? atEnd
                    : next + 3 <= lim && buf[next] == 0x1f && buf[next + 1] == (byte) 0x8b && buf[next + 2] == 8;
            if (followed) {
                pos = next;
                inMember = false;
                return true;
            }
        }
        return false;
    }

    private int intAt(int i) {
        return (buf[i] & 0xff) | (buf[i + 1] & 0xff) << 8 | (buf[i + 2] & 0xff) << 16 | (buf[i + 3] & 0xff) << 24;
    }

    /** Reads the next member's header; false at the end of the file. */
    private boolean startMember() throws IOException {
        if (pos == lim && !refill()) {
            return false;
        }
        memberStart = bufStart + pos;
        searchFrom = memberStart;
        GzipHeader.read(this::headerByte, memberStart, members + 1);
        members++;
        inMember = true;
        memberBytes = 0;
        crc.reset();
        isal.reset();
        searchFrom = bufStart + pos;
        return true;
    }

    private int headerByte() throws IOException {
        if (pos == lim && !refill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Reads more of the file, keeping what a trailer search may still need; false at its end. */
    private boolean refill() throws IOException {
        int keep = (int) Math.max(0, Math.min(pos, searchFrom - bufStart));
        System.arraycopy(buf, keep, buf, 0, lim - keep);
        bufStart += keep;
        pos -= keep;
        lim -= keep;
        int n;
        do {
            n = in.read(buf, lim, buf.length - lim);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    /**
     * Gives the current member to the JDK's reader, from its header: the file's bytes up to what was read so far come
     * from the file again, the rest from {@link #in} as before (so every byte passes {@code in} once). Either the
     * JDK's reader throws the exact reason, or it decodes this member's first bytes as ISA-L did and goes on.
     */
    private void handOver(String why) throws IOException {
        LOG.info(
                "gzip member {} at byte offset {}: read again with the JDK's zlib from its header ({})",
                members,
                memberStart,
                why);
        long taken = bufStart + lim;
        InputStream again = new Bounded(reopen.open(memberStart), taken - memberStart);
        StrictGzipInputStream reader =
                new StrictGzipInputStream(new SequenceInputStream(again, in), 64 * 1024, memberStart, members - 1);
        CRC32 check = new CRC32();
        byte[] skip = new byte[64 * 1024];
        for (long left = memberBytes; left > 0; ) {
            int n = reader.read(skip, 0, (int) Math.min(skip.length, left));
            if (n < 0) {
                throw new GzipFormatException("gzip member " + members + " ends after " + (memberBytes - left)
                        + " bytes for zlib but " + memberBytes + " for ISA-L");
            }
            check.update(skip, 0, n);
            left -= n;
        }
        if (check.getValue() != crc.getValue()) {
            throw new GzipFormatException("ISA-L and zlib decode gzip member " + members + " differently");
        }
        jdk = reader;
    }

    @Override
    public void close() throws IOException {
        isal.end();
        if (jdk != null) {
            jdk.close();
        } else {
            in.close();
        }
    }

    /** The first {@code length} bytes of a stream. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            left--;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
