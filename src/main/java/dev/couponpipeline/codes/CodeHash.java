package dev.couponpipeline.codes;

/**
 * A bijection on 60-bit values that scatters packed codes uniformly: what travels through Kafka and what the
 * aggregator's tables key on. Because it is invertible, nothing else is stored: the aggregator turns a valid
 * hash back into the code with {@link #unmix} and {@link CodePacking#unpack}.
 *
 * <p>Its bits are split by use, so the three never depend on each other: the Kafka partition comes from the top
 * 32 bits, the aggregator's in-memory bucket from the lowest bits, a slot inside a bucket from the bits above
 * those.
 */
public final class CodeHash {

    public static final int BITS = 60;
    public static final long MASK = (1L << BITS) - 1;
    private static final long C1 = 0xff51afd7ed558ccdL & MASK;
    private static final long C2 = 0xc4ceb9fe1a85ec53L & MASK;
    private static final long C1_INVERSE = inverse(C1);
    private static final long C2_INVERSE = inverse(C2);

    private CodeHash() {}

    /** The hash of a packed code (any value below 2^60). */
    public static long mix(long v) {
        v ^= v >>> 31;
        v = v * C1 & MASK;
        v ^= v >>> 27;
        v = v * C2 & MASK;
        v ^= v >>> 33;
        return v;
    }

    /** {@link #mix} of {@code packed[0..n)} into {@code hashes[0..n)}: one call for many codes. */
    public static void mix(long[] packed, int n, long[] hashes) {
        for (int i = 0; i < n; i++) {
            long v = packed[i];
            v ^= v >>> 31;
            v = v * C1 & MASK;
            v ^= v >>> 27;
            v = v * C2 & MASK;
            hashes[i] = v ^ v >>> 33;
        }
    }

    /** The packed code of a hash: {@code unmix(mix(v)) == v}. */
    public static long unmix(long h) {
        h = unshift(h, 33);
        h = h * C2_INVERSE & MASK;
        h = unshift(h, 27);
        h = h * C1_INVERSE & MASK;
        return unshift(h, 31);
    }

    /** The Kafka partition of a hash among {@code partitions}: its top 32 bits, scaled. */
    public static int partition(long h, int partitions) {
        return (int) (((h >>> (BITS - 32)) * partitions) >>> 32);
    }

    private static long unshift(long y, int s) {
        long x = y;
        for (int k = s; k < BITS; k += s) {
            x = y ^ (x >>> s);
        }
        return x & MASK;
    }

    /** The inverse of an odd number modulo 2^64 (Newton's iteration), hence also modulo 2^60. */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 6; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}
