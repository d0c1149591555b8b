package dev.couponpipeline.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The value of a data record on a source topic: the codes of one source for one partition.
 *
 * <pre>
 * byte 0      format, 1
 * bytes 1-4   n, the number of packed codes (big-endian int)
 * n x 8 bytes each packed code's {@link dev.couponpipeline.table.CodeHash} (little-endian long)
 * the rest    codes that do not pack (custom patterns), each followed by '\n'
 * </pre>
 *
 * Codes of up to ten letters or digits (every code of the default pattern) take 8 bytes and reach the
 * aggregator's table without being parsed; any other code travels as its bytes.
 */
public final class CodeRecordFormat {

    public static final byte FORMAT = 1;
    public static final int HEADER = 5;

    /** Receives the codes of a record value. */
    public interface CodeReceiver {
        /** A packed code's hash. */
        void packed(long hash);

        /** A code that does not pack; the bytes are valid during the call only. */
        void text(byte[] code, int off, int len);
    }

    private CodeRecordFormat() {
    }

    /** Writes a record value: the hashes {@code hashes[0..n)}, then the text part {@code text[0..textLen)}. */
    public static byte[] encode(long[] hashes, int n, byte[] text, int textLen) {
        byte[] value = new byte[HEADER + 8 * n + textLen];
        ByteBuffer b = ByteBuffer.wrap(value);
        b.put(FORMAT).putInt(n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putLong(hashes[i]);
        }
        if (textLen > 0) {
            b.put(text, 0, textLen);
        }
        return value;
    }

    /**
     * Reads a record value and hands every code to {@code receiver}; returns how many codes it held.
     * {@code scratch} holds a text code while it is handed over (it must fit the longest code).
     *
     * @throws IllegalArgumentException when the value is not a record of this format
     */
    public static int decode(ByteBuffer value, CodeReceiver receiver, byte[] scratch) {
        ByteBuffer b = value.duplicate();
        if (b.remaining() < HEADER || b.get() != FORMAT) {
            throw new IllegalArgumentException("not a code record (unknown format or too short: "
                    + value.remaining() + " bytes)");
        }
        int n = b.getInt();
        if (n < 0 || (long) n * 8 > b.remaining()) {
            throw new IllegalArgumentException("corrupt code record: " + n + " packed codes in "
                    + value.remaining() + " bytes");
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        int pos = b.position();
        for (int i = 0; i < n; i++, pos += 8) {
            receiver.packed(b.getLong(pos));
        }
        int codes = n;
        int len = 0;
        for (int i = pos, end = b.limit(); i < end; i++) {
            byte c = b.get(i);
            if (c == '\n') {
                receiver.text(scratch, 0, len);
                codes++;
                len = 0;
            } else if (len < scratch.length) {
                scratch[len++] = c;
            } else {
                throw new IllegalArgumentException("corrupt code record: a code longer than " + scratch.length
                        + " bytes");
            }
        }
        if (len > 0) {
            throw new IllegalArgumentException("corrupt code record: the text part does not end with a newline");
        }
        return codes;
    }
}
