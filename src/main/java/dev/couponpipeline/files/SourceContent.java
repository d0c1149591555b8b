package dev.couponpipeline.files;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * The decompressed text of a source file, whatever its format: gzip (one or more members, checked strictly),
 * zip (every entry in turn, each ending a line), or plain text ({@code .txt}). It counts the file's bytes read
 * and their CRC32C as they pass, so a run knows the file's checksum without reading it twice.
 */
public abstract class SourceContent implements AutoCloseable {

    /** Reads decompressed bytes; -1 at the end of the file. */
    public abstract int read(byte[] b, int off, int len) throws IOException;

    /** Bytes of the file read so far. */
    public abstract long compressedPosition();

    /** Gzip members or zip entries read so far (1 for a text file). */
    public abstract int members();

    /** What is being read, for an error: the zip entry, or nothing. */
    public String where() {
        return "";
    }

    /** The CRC32C of the file's bytes read so far (all of them once {@link #read} returned -1), in hex. */
    public abstract String checksum();

    @Override
    public abstract void close() throws IOException;

    /** The content of {@code in}, a file named {@code name}: by its extension, {@code .zip}, {@code .txt}, else gzip. */
    public static SourceContent open(String name, InputStream in) throws IOException {
        return open(name, in, null);
    }

    /**
     * The same; gzip is decompressed with ISA-L when {@code reopen} (which opens the file again at an offset) is
     * given and ISA-L works on this machine, else with the JDK's zlib.
     */
    public static SourceContent open(String name, InputStream in, IsalGzipInputStream.Reopen reopen)
            throws IOException {
        Counting counted = new Counting(in);
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".zip")) {
            return new Zip(counted);
        }
        if (lower.endsWith(".txt")) {
            return new Plain(counted);
        }
        if (reopen != null && Isal.problem() == null) {
            IsalGzipInputStream gzip = new IsalGzipInputStream(counted, reopen, 256 * 1024, 4 << 20);
            return gzipContent(gzip, counted, gzip::compressedPosition, gzip::members);
        }
        StrictGzipInputStream gzip = new StrictGzipInputStream(counted, 64 * 1024);
        return gzipContent(gzip, counted, gzip::compressedPosition, gzip::members);
    }

    private static SourceContent gzipContent(
            InputStream gzip,
            Counting counted,
            java.util.function.LongSupplier position,
            java.util.function.IntSupplier members) {
        return new SourceContent() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return gzip.read(b, off, len);
            }

            @Override
            public long compressedPosition() {
                return position.getAsLong();
            }

            @Override
            public int members() {
                return members.getAsInt();
            }

            @Override
            public String checksum() {
                return counted.checksum();
            }

            @Override
            public void close() throws IOException {
                gzip.close();
            }
        };
    }

    /** Counts and checksums the file's bytes as they are read. */
    static final class Counting extends FilterInputStream {
        private final CRC32C crc = new CRC32C();
        private long position;
        /** The last bytes read (a zip's end record is there), when asked for; else null. */
        private byte[] tail;

        Counting(InputStream in) {
            super(in);
        }

        /** Keeps the last {@code n} bytes read from now on (see {@link #tail()}). */
        void keepTail(int n) {
            tail = new byte[n];
        }

        /** The last bytes read, oldest first (fewer when fewer were read). */
        byte[] tail() {
            int n = (int) Math.min(position, tail.length);
            byte[] out = new byte[n];
            int start = (int) ((position - n) % tail.length);
            for (int i = 0; i < n; i++) {
                out[i] = tail[(start + i) % tail.length];
            }
            return out;
        }

        private void remember(byte[] b, int off, int n) {
            if (tail == null) {
                return;
            }
            for (int i = 0; i < n; i++) {
                tail[(int) ((position + i) % tail.length)] = b[off + i];
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                crc.update(b);
                remember(new byte[] {(byte) b}, 0, 1);
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
                remember(b, off, n);
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // every byte must pass the checksum: skipping reads
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        long position() {
            return position;
        }

        public String checksum() {
            return String.format("%08x", crc.getValue());
        }
    }

    private static final class Plain extends SourceContent {
        private final Counting in;

        Plain(Counting in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public long compressedPosition() {
            return in.position();
        }

        @Override
        public int members() {
            return 1;
        }

        @Override
        public String checksum() {
            return in.checksum();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Every entry of a zip in turn (directories skipped), a line break between two entries. A file that does not
     * start like a zip, an entry cut short, or a checksum that does not match is an error naming the entry.
     */
    private static final class Zip extends SourceContent {
        private final Counting raw;
        private final ZipInputStream zip;
        private ZipEntry entry;
        private int entries;
        private boolean pendingNewline;
        private boolean ended;

        /** A zip's end record (22 bytes) plus the longest comment it may carry. */
        private static final int END_RECORD_SPAN = 22 + 65_535;

        private int allEntries;

        Zip(Counting raw) throws IOException {
            this.raw = raw;
            raw.keepTail(END_RECORD_SPAN);
            java.io.PushbackInputStream peek = new java.io.PushbackInputStream(raw, 4);
            byte[] magic = new byte[4];
            int n = peek.readNBytes(magic, 0, 4);
            if (n > 0) {
                peek.unread(magic, 0, n);
            }
            boolean entriesFollow = n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
            boolean emptyArchive = n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 5 && magic[3] == 6;
            if (n == 0) {
                throw new ZipException("is empty (0 bytes): not a zip file");
            }
            if (!entriesFollow && !emptyArchive) {
                throw new ZipException("is not a zip file (it does not start with a zip entry)");
            }
            this.zip = new ZipInputStream(peek);
            this.ended = emptyArchive;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!ended) {
                if (entry == null) {
                    entry = nextFileEntry();
                    if (entry == null) {
                        ended = true;
                        break;
                    }
                    entries++;
                    lastName = entry.getName();
                }
                if (pendingNewline) {
                    pendingNewline = false;
                    b[off] = '\n';
                    return 1;
                }
                int r;
                try {
                    r = zip.read(b, off, len);
                } catch (EOFException e) {
                    throw new ZipException("entry " + entry.getName() + " is cut short (the zip is truncated)");
                } catch (ZipException e) {
                    throw new ZipException("entry " + entry.getName() + ": " + e.getMessage());
                }
                if (r > 0) {
                    return r;
                }
                entry = null;
                pendingNewline = true; // the next entry starts a new line
            }
            // the central directory and the end record are read too, so the checksum covers the whole file, and the
            // end record must be there and count the entries read: a zip cut between two entries looks complete
            // to ZipInputStream otherwise
            raw.transferTo(java.io.OutputStream.nullOutputStream());
            checkEndRecord();
            return -1;
        }

        private ZipEntry nextFileEntry() throws IOException {
            while (true) {
                ZipEntry e;
                try {
                    e = zip.getNextEntry();
                } catch (EOFException ex) {
                    throw new ZipException("the zip is truncated after " + entries + " entries");
                }
                if (e != null) {
                    allEntries++;
                }
                if (e == null || !e.isDirectory()) {
                    return e;
                }
            }
        }

        private void checkEndRecord() throws ZipException {
            byte[] t = raw.tail();
            for (int i = t.length - 22; i >= 0; i--) {
                if (t[i] == 'P' && t[i + 1] == 'K' && t[i + 2] == 5 && t[i + 3] == 6) {
                    int listed = (t[i + 10] & 0xff) | (t[i + 11] & 0xff) << 8;
                    if (listed != (allEntries & 0xffff)) {
                        throw new ZipException("the zip is truncated or damaged: its directory lists " + listed
                                + " entries, " + allEntries + " were read");
                    }
                    return;
                }
            }
            throw new ZipException("the zip is truncated: no end record after " + allEntries + " entries (the last"
                    + " one read: " + (lastName == null ? "none" : "entry " + lastName) + ")");
        }

        private String lastName;

        @Override
        public long compressedPosition() {
            return raw.position();
        }

        @Override
        public int members() {
            return entries;
        }

        @Override
        public String where() {
            return entry == null ? "" : "entry " + entry.getName() + ": ";
        }

        @Override
        public String checksum() {
            return raw.checksum();
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }
}
