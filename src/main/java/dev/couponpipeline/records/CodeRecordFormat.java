package dev.couponpipeline.records;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The value of a data record on a source topic: the codes of one source for one partition, about 5.4 bytes a
 * code for the default pattern (its text takes 9 to 11).
 *
 * <p>A code of up to ten letters or digits travels as its 60-bit {@link dev.couponpipeline.codes.CodeHash}. The
 * hashes of a record are grouped by their low {@code g} bits, so those bits need not be stored: for each group, in
 * order, the record holds its size (in unary: a 1 per code, then a 0), then every code's remaining bits, less the
 * record's smallest value of them, in {@code w} bits each. Groups go in bit-reversed order of their low bits, so
 * that codes sharing their lowest bits come together. A record of n codes takes g = log2(n), and since all its
 * codes share a partition (the hash's top bits), w is about 60 - g - log2(partitions): 41 bits for 10,000 codes
 * in 64 partitions, plus 2 bits of group sizes. Grouping is a counting pass, not a sort; no code is parsed again
 * on the way to the aggregator's table, which groups by the same low bits.
 *
 * <pre>
 * byte 0        format, 2
 * bytes 1-4     n, the number of hashed codes (big-endian int)
 * when n &gt; 0: byte g, byte w, 8 bytes base (little-endian), then as little-endian longs:
 *               ceil((n + 2^g) / 64) words of group sizes, ceil(n * w / 64) words of remainders
 * the rest      codes that do not hash (custom patterns), each followed by '\n'
 * </pre>
 */
public final class CodeRecordFormat {

    public static final byte FORMAT = 2;
    public static final int HEADER = 5;
    private static final int PACKED_HEADER = 10;

    /** Receives the codes of a record value. */
    public interface CodeReceiver {
        /** Hashed codes, {@code hashes[0..n)}, a few thousand at a time; the array is valid during the call only. */
        void packed(long[] hashes, int n);

        /** A code that does not hash; the bytes are valid during the call only. */
        void text(byte[] code, int off, int len);
    }

    /** Reusable buffers of an encoder: one per batcher, not shared between threads. */
    public static final class Encoder {
        private final int[][] orders = new int[31][];
        private int[] counts = new int[0];
        private long[] groups = new long[0];
        private long[] remainders = new long[0];

        /** Writes a record value: the hashes {@code hashes[0..n)}, then the text part {@code text[0..textLen)}. */
        public byte[] encode(long[] hashes, int n, byte[] text, int textLen) {
            if (n == 0) {
                byte[] value = new byte[HEADER + textLen];
                value[0] = FORMAT;
                if (textLen > 0) {
                    System.arraycopy(text, 0, value, HEADER, textLen);
                }
                return value;
            }
            int g = 31 - Integer.numberOfLeadingZeros(n);
            int groupCount = 1 << g;
            int groupMask = groupCount - 1;
            if (counts.length < groupCount + 1) {
                counts = new int[groupCount + 1];
            } else {
                java.util.Arrays.fill(counts, 0, groupCount + 1, 0);
            }
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < n; i++) {
                long h = hashes[i];
                counts[(int) h & groupMask]++;
                long q = h >>> g;
                min = Math.min(min, q);
                max = Math.max(max, q);
            }
            int w = 64 - Long.numberOfLeadingZeros(max - min);
            int groupWords = (n + groupCount + 63) >>> 6;
            int remainderWords = (int) (((long) n * w + 63) >>> 6);
            groups = zeroed(groups, groupWords);
            // two words more: a remainder is stored into two words, the second maybe one past the last (two at w = 0)
            remainders = zeroed(remainders, remainderWords + 2);
            // groups go in bit-reversed order, so each group's first slot follows from the counts in that order
            int[] order = reversed(orders, g);
            int offset = 0;
            for (int q = 0; q < groupCount; q++) {
                int b = order[q];
                int c = counts[b];
                counts[b] = offset;
                offset += c;
            }
            // one pass, no branch on the data: the code in slot j of the q-th group is the 1 at bit j + q of the
            // group sizes (every group before it ended with a 0), and its remainder takes bits j * w.. of the
            // remainders (OR-ed into zeroed words, so the slots may be filled in any order)
            long[] groupBits = groups;
            long[] rem = remainders;
            for (int i = 0; i < n; i++) {
                long h = hashes[i];
                int b = (int) h & groupMask;
                int j = counts[b]++;
                int bit = j + order[b];
                groupBits[bit >>> 6] |= 1L << bit;
                long r = (h >>> g) - min;
                long at = (long) j * w;
                int word = (int) (at >>> 6);
                int shift = (int) at & 63;
                rem[word] |= r << shift;
                rem[word + 1] |= (r >>> 1) >>> (63 - shift); // r >>> (64 - shift), and 0 at shift 0
            }
            byte[] value = new byte[HEADER + PACKED_HEADER + 8 * (groupWords + remainderWords) + textLen];
            ByteBuffer b = ByteBuffer.wrap(value);
            b.put(FORMAT)
                    .putInt(n)
                    .put((byte) g)
                    .put((byte) w)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(min);
            // bulk copies: a VarHandle store per long costs 30 times more under C1
            b.asLongBuffer().put(groups, 0, groupWords).put(remainders, 0, remainderWords);
            if (textLen > 0) {
                System.arraycopy(text, 0, value, value.length - textLen, textLen);
            }
            return value;
        }

        private static long[] zeroed(long[] a, int n) {
            if (a.length < n) {
                return new long[n];
            }
            java.util.Arrays.fill(a, 0, n, 0);
            return a;
        }
    }

    /** Reusable buffers of a decoder: one per reader thread. */
    public static final class Decoder {
        private static final long DE_BRUIJN = 0x03f79d71b4ca8b09L;
        private static final byte[] LOWEST_BIT = new byte[64];

        static {
            for (int i = 0; i < 64; i++) {
                LOWEST_BIT[(int) ((1L << i) * DE_BRUIJN >>> 58)] = (byte) i;
            }
        }

        private final int[][] orders = new int[31][];
        private long[] words = new long[0];
        /** Decoded hashes, handed on a batch at a time (a corrupt count cannot make it grow). */
        private final long[] hashes = new long[4096];

        private final byte[] scratch;

        /** {@code maxCodeBytes}: the longest text code a record may hold. */
        public Decoder(int maxCodeBytes) {
            this.scratch = new byte[maxCodeBytes];
        }

        /**
         * Reads a record value and hands every code to {@code receiver}; returns how many codes it held.
         *
         * @throws IllegalArgumentException when the value is not a record of this format
         */
        public int decode(ByteBuffer value, CodeReceiver receiver) {
            ByteBuffer b = value.duplicate();
            int size = b.remaining();
            if (size < HEADER || b.get() != FORMAT) {
                throw new IllegalArgumentException(
                        "not a code record (unknown format or too short: " + size + " bytes)");
            }
            int n = b.getInt();
            if (n < 0) {
                throw corrupt(n + " hashed codes");
            }
            int codes = n;
            if (n > 0) {
                if (b.remaining() < PACKED_HEADER) {
                    throw corrupt("no room for the header of " + n + " hashed codes");
                }
                int g = b.get();
                int w = b.get();
                long min = b.order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (g < 0 || g > 30 || w < 0 || w > 60 || 1 << g > n) {
                    throw corrupt("group bits " + g + ", remainder bits " + w + " for " + n + " codes");
                }
                int groupCount = 1 << g;
                int groupWords = (n + groupCount + 63) >>> 6;
                long remainderWords = ((long) n * w + 63) >>> 6;
                if ((groupWords + remainderWords) * 8 > b.remaining()) {
                    throw corrupt(n + " codes of " + w + " bits do not fit in " + size + " bytes");
                }
                int total = groupWords + (int) remainderWords;
                if (words.length < total + 2) {
                    words = new long[total + 2];
                }
                // read, never used, by the last remainder's two-word load (at w = 0 it starts past the end)
                words[total] = 0;
                words[total + 1] = 0;
                long[] out = hashes;
                int held = 0;
                b.asLongBuffer().get(words, 0, total);
                b.position(b.position() + total * 8);
                long mask = w == 0 ? 0 : -1L >>> (64 - w);
                int[] order = reversed(orders, g);
                // the k-th 1 of the group sizes, at bit p, is a code of group p - k. Written without branches
                // that depend on the data (the loop runs for every code the aggregator reads, mostly under C1)
                long pos = (long) groupWords * 64;
                int k = 0;
                for (int wi = 0; wi < groupWords; wi++) {
                    long word = words[wi];
                    while (word != 0) {
                        int q = (wi << 6) + lowestBit(word) - k;
                        word &= word - 1;
                        if (k == n || q >= groupCount) {
                            throw corrupt("the group sizes do not fit " + n + " codes in " + groupCount + " groups");
                        }
                        int group = order[q];
                        int at = (int) (pos >>> 6);
                        int shift = (int) pos & 63;
                        // the w bits at pos, from one word or two (a shift by 64 - shift in two steps is 0 at shift 0)
                        long r = (words[at] >>> shift | (words[at + 1] << 1) << (63 - shift)) & mask;
                        pos += w;
                        out[held++] = r + min << g | group;
                        k++;
                        if (held == out.length) {
                            receiver.packed(out, held);
                            held = 0;
                        }
                    }
                }
                if (k != n) {
                    throw corrupt("the group sizes hold " + k + " codes, not " + n);
                }
                if (held > 0) {
                    receiver.packed(out, held);
                }
            }
            int len = 0;
            for (int i = b.position(), end = b.limit(); i < end; i++) {
                byte c = b.get(i);
                if (c == '\n') {
                    receiver.text(scratch, 0, len);
                    codes++;
                    len = 0;
                } else if (len < scratch.length) {
                    scratch[len++] = c;
                } else {
                    throw corrupt("a code longer than " + scratch.length + " bytes");
                }
            }
            if (len > 0) {
                throw corrupt("the text part does not end with a newline");
            }
            return codes;
        }

        /** The index of the lowest 1 of a non-zero word: a de Bruijn multiply, free of branches. */
        private static int lowestBit(long word) {
            return LOWEST_BIT[(int) ((word & -word) * DE_BRUIJN >>> 58)];
        }

        private static IllegalArgumentException corrupt(String what) {
            return new IllegalArgumentException("corrupt code record: " + what);
        }
    }

    /**
     * The order of the groups in a record of {@code 2^g} groups: bit-reversed, so the groups whose low bits are
     * the same (one bucket of the aggregator's table, whatever its number of buckets) follow each other, and a
     * record's codes reach the table's buckets in runs. An involution: it maps a position to its group and back.
     */
    static int[] reversed(int[][] cache, int g) {
        int[] r = cache[g];
        if (r == null) {
            r = new int[1 << g];
            for (int i = 0; i < r.length; i++) {
                r[i] = g == 0 ? 0 : Integer.reverse(i) >>> (32 - g);
            }
            cache[g] = r;
        }
        return r;
    }

    private CodeRecordFormat() {}
}
