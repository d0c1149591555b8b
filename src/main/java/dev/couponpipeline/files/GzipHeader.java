package dev.couponpipeline.files;

import java.io.IOException;

/** The header of a gzip member (RFC 1952): read, checked, and its optional fields skipped. */
final class GzipHeader {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    /** The file's bytes from the header on; -1 at the end of the file. */
    @FunctionalInterface
    interface Bytes {
        int next() throws IOException;
    }

    private GzipHeader() {}

    /** Reads the header of member number {@code member} (from 1), which starts at byte offset {@code start}. */
    static void read(Bytes in, long start, int member) throws IOException {
        int id1 = next(in, start, member);
        int id2 = next(in, start, member);
        if (id1 != 0x1f || id2 != 0x8b) {
            if (member == 1) {
                throw new GzipFormatException("not gzip data (the file does not start with the gzip magic bytes)");
            }
            throw new GzipFormatException("unexpected data after gzip member " + (member - 1) + " at byte offset "
                    + start + " (not a gzip header)");
        }
        int method = next(in, start, member);
        if (method != 8) {
            throw new GzipFormatException("unsupported gzip compression method " + method + " at byte offset " + start);
        }
        int flags = next(in, start, member);
        if ((flags & 0xe0) != 0) {
            throw new GzipFormatException("reserved gzip header flags set at byte offset " + start);
        }
        for (int i = 0; i < 6; i++) {
            next(in, start, member); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = next(in, start, member) | next(in, start, member) << 8;
            for (int i = 0; i < xlen; i++) {
                next(in, start, member);
            }
        }
        if ((flags & FNAME) != 0) {
            while (next(in, start, member) != 0) {
                // skip the zero-terminated file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (next(in, start, member) != 0) {
                // skip the zero-terminated comment
            }
        }
        if ((flags & FHCRC) != 0) {
            next(in, start, member);
            next(in, start, member);
        }
    }

    private static int next(Bytes in, long start, int member) throws IOException {
        int b = in.next();
        if (b < 0) {
            throw new GzipFormatException("truncated: the file ends inside the header of gzip member " + member
                    + " that starts at byte offset " + start);
        }
        return b;
    }
}
