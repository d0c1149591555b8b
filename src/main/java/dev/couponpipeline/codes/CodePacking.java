package dev.couponpipeline.codes;

/**
 * Packs a code of 1 to 10 ASCII letters or digits into 60 bits: six bits a character, symbols 1..62 (never 0),
 * so codes of different lengths never collide and no packed code is 0.
 */
public final class CodePacking {

    public static final int MAX_PACKED_LENGTH = 10;
    private static final byte[] SYMBOL = new byte[256];
    private static final byte[] CHAR = new byte[64];

    static {
        int s = 1;
        for (char c = '0'; c <= '9'; c++) {
            CHAR[s] = (byte) c;
            SYMBOL[c] = (byte) s++;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            CHAR[s] = (byte) c;
            SYMBOL[c] = (byte) s++;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CHAR[s] = (byte) c;
            SYMBOL[c] = (byte) s++;
        }
    }

    private CodePacking() {}

    /** The packed code, or -1 when the code does not fit (too long, or not all letters and digits). */
    public static long pack(byte[] b, int off, int len) {
        if (len < 1 || len > MAX_PACKED_LENGTH) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int s = SYMBOL[b[i] & 0xff];
            if (s == 0) {
                return -1;
            }
            v = v << 6 | s;
        }
        return v;
    }

    /** Writes the code into {@code out} and returns its length. */
    public static int unpack(long packed, byte[] out) {
        int len = 0;
        for (long v = packed; v != 0; v >>>= 6) {
            len++;
        }
        long v = packed;
        for (int i = len - 1; i >= 0; i--) {
            out[i] = CHAR[(int) (v & 63)];
            v >>>= 6;
        }
        return len;
    }
}
