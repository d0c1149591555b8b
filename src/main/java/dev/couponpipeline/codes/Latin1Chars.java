package dev.couponpipeline.codes;

/**
 * A read-only ISO-8859-1 view of a byte slice: byte {@code b} is char {@code b & 0xff}, so match positions are
 * byte positions and no line is ever copied into a String to be matched.
 */
final class Latin1Chars implements CharSequence {

    private final byte[] bytes;
    private final int off;
    private final int len;

    Latin1Chars(byte[] bytes, int off, int len) {
        this.bytes = bytes;
        this.off = off;
        this.len = len;
    }

    @Override
    public int length() {
        return len;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= len) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (bytes[off + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > len || start > end) {
            throw new IndexOutOfBoundsException(start + ".." + end);
        }
        return new Latin1Chars(bytes, off + start, end - start);
    }

    @Override
    public String toString() {
        return new String(bytes, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
