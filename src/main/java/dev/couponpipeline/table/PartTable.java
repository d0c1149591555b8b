package dev.couponpipeline.table;

import dev.couponpipeline.codes.CodeHash;
import dev.couponpipeline.codes.CodePacking;
import java.util.Arrays;

/**
 * The codes of one partition of a run (every source's copy of them), folded into code → bitmask of sources in
 * two steps that keep the CPU's caches hot:
 * <ol>
 * <li>{@link #addHash} appends each code's hash and source bit to one of many buckets, chosen by the hash's low
 * bits: a sequential write, no lookup;</li>
 * <li>{@link #forEachValid} then folds one bucket at a time in a small open-addressing table that stays in the
 * CPU cache (tens of thousands of codes, a few hundred KB), and hands over the codes seen in enough sources.</li>
 * </ol>
 * Memory is 8 bytes per code added (a 60-bit hash and a 4-bit source mask in one {@code long}) plus one small
 * table; buckets are 16 KB chunks that are reused from part to part. Codes that do not pack into a hash (custom
 * patterns), and every code when there are more than four sources, go to an {@link OverflowCodeTable} instead.
 *
 * <p>Not thread-safe: one per worker.
 */
public final class PartTable {

    public static final int MAX_SOURCES = 64;
    public static final int MAX_PACKED_SOURCES = 4;
    private static final int CHUNK = 2048;
    /**
     * Codes a bucket holds on average (its table is a few hundred KB, in the CPU's L2 cache). Fewer, fuller
     * buckets measured faster than many small ones: every bucket's open chunk is a write stream of its own.
     */
    private static final int BUCKET_TARGET = 32768;

    private static final int MAX_BUCKET_BITS = 12;

    private int sources;
    private int bucketMask;
    /** Every chunk allocated so far, reused by later parts. */
    private long[][] pool = new long[0][];

    private int poolUsed;
    /** Per bucket: the pool indexes of its chunks, how many, and how full the last one is. */
    private int[][] chunksOf = new int[0][];

    private int[] chunkCount = new int[0];
    private int[] fill = new int[0];
    private long[][] current = new long[0][];
    private long added;
    /** Created at the part's first code that does not pack. */
    private OverflowCodeTable overflow;

    private final long[] one = new long[1];
    private long[] slots = new long[0];
    /** The slots of a bucket's codes that reached enough sources, in the order they did. */
    private int[] validSlots = new int[64];

    private long distinct;

    /** Starts a new part of about {@code expectedCodes} codes (sizes the buckets) from {@code sources} sources. */
    public void reset(int sources, long expectedCodes) {
        if (sources < 1 || sources > MAX_SOURCES) {
            throw new IllegalArgumentException("a run has 1 to " + MAX_SOURCES + " sources, not " + sources);
        }
        this.sources = sources;
        int bits = 0;
        while (bits < MAX_BUCKET_BITS && (expectedCodes >> bits) > BUCKET_TARGET) {
            bits++;
        }
        int buckets = 1 << bits;
        bucketMask = buckets - 1;
        poolUsed = 0;
        if (chunksOf.length != buckets) {
            chunksOf = new int[buckets][4];
            chunkCount = new int[buckets];
            fill = new int[buckets];
            current = new long[buckets][];
        }
        for (int b = 0; b < buckets; b++) {
            chunkCount[b] = 0;
            fill[b] = CHUNK;
            current[b] = null;
        }
        added = 0;
        distinct = 0;
        overflow = null;
    }

    /** Records that source number {@code source} holds the code whose {@link CodeHash} is {@code hash}. */
    public void addHash(long hash, int source) {
        one[0] = hash;
        addHashes(one, 1, source);
    }

    /** Records that source number {@code source} holds the codes whose hashes are {@code hashes[0..n)}. */
    public void addHashes(long[] hashes, int n, int source) {
        long bit = 1L << source;
        if (sources > MAX_PACKED_SOURCES) { // a mask of more than four bits: the codes go to the overflow table
            byte[] code = new byte[CodePacking.MAX_PACKED_LENGTH];
            for (int i = 0; i < n; i++) {
                overflow().add(code, 0, CodePacking.unpack(CodeHash.unmix(hashes[i]), code), bit);
            }
            return;
        }
        // one loop for the batch, its fields in locals: this is a step every code takes
        int bucketMask = this.bucketMask;
        int[] fill = this.fill;
        long[][] current = this.current;
        for (int i = 0; i < n; i++) {
            long hash = hashes[i];
            int b = (int) hash & bucketMask;
            int f = fill[b];
            long[] c = current[b];
            if (f == CHUNK) {
                c = nextChunk(b);
                f = 0;
            }
            c[f] = hash << 4 | bit;
            fill[b] = f + 1;
        }
        added += n;
    }

    /** Records that source number {@code source} holds a code that does not pack. */
    public void addText(byte[] code, int off, int len, int source) {
        overflow().add(code, off, len, 1L << source);
    }

    private OverflowCodeTable overflow() {
        if (overflow == null) {
            overflow = new OverflowCodeTable();
        }
        return overflow;
    }

    private long[] nextChunk(int b) {
        if (poolUsed == pool.length) {
            pool = Arrays.copyOf(pool, Math.max(16, pool.length * 2));
        }
        long[] c = pool[poolUsed];
        if (c == null) {
            c = pool[poolUsed] = new long[CHUNK];
        }
        if (chunkCount[b] == chunksOf[b].length) {
            chunksOf[b] = Arrays.copyOf(chunksOf[b], chunkCount[b] * 2);
        }
        chunksOf[b][chunkCount[b]++] = poolUsed++;
        current[b] = c;
        return c;
    }

    /**
     * Folds the part bucket by bucket and visits every code held by at least {@code minSources} sources, with
     * its source mask. Call once per part, after the last add.
     */
    public void forEachValid(int minSources, CodeVisitor visitor) {
        byte[] code = new byte[CodePacking.MAX_PACKED_LENGTH];
        boolean[] enough = new boolean[16]; // by source mask: seen in at least minSources sources
        for (int m = 0; m < 16; m++) {
            enough[m] = Integer.bitCount(m) >= minSources;
        }
        long held = 0;
        for (int b = 0; b <= bucketMask; b++) {
            int n = chunkCount[b] == 0 ? 0 : (chunkCount[b] - 1) * CHUNK + fill[b];
            if (n == 0) {
                continue;
            }
            int capacity = Integer.highestOneBit(Math.max(16, (int) (n / 0.6))) << 1;
            if (slots.length < capacity) {
                slots = new long[capacity];
            }
            long[] t = slots;
            int mask = capacity - 1;
            // linear probing on the hash bits above the bucket bits; entries are hash << 4 | source mask. A code
            // is noted the moment its mask reaches minSources sources, so the table is never scanned
            int valid = 0;
            for (int k = 0; k < chunkCount[b]; k++) {
                long[] c = pool[chunksOf[b][k]];
                int end = k == chunkCount[b] - 1 ? fill[b] : CHUNK;
                for (int j = 0; j < end; j++) {
                    long entry = c[j];
                    int i = (int) (entry >>> (4 + MAX_BUCKET_BITS)) & mask;
                    while (true) {
                        long s = t[i];
                        if (s == 0) {
                            t[i] = entry;
                            held++;
                            break;
                        }
                        if ((s ^ entry) >>> 4 == 0) {
                            long m = s | entry;
                            if (m != s) {
                                t[i] = m;
                                if (enough[(int) m & 0xf] && !enough[(int) s & 0xf]) {
                                    if (valid == validSlots.length) {
                                        validSlots = Arrays.copyOf(validSlots, valid * 2);
                                    }
                                    validSlots[valid++] = i;
                                }
                            }
                            break;
                        }
                        i = (i + 1) & mask;
                    }
                }
            }
            for (int v = 0; v < valid; v++) {
                long s = t[validSlots[v]];
                int len = CodePacking.unpack(CodeHash.unmix(s >>> 4), code);
                visitor.visit(code, len, s & 0xf);
            }
            Arrays.fill(t, 0, capacity, 0);
        }
        if (overflow != null) {
            overflow.forEach((c, len, mask) -> {
                if (Long.bitCount(mask) >= minSources) {
                    visitor.visit(c, len, mask);
                }
            });
        }
        distinct = held + (overflow == null ? 0 : overflow.size());
    }

    /** Codes added so far (every source's copy, in-file duplicates included). */
    public long added() {
        return added + (overflow == null ? 0 : overflow.size());
    }

    /** Distinct codes of the part, once {@link #forEachValid} has run. */
    public long distinct() {
        return distinct;
    }

    /** Heap bytes held: the chunks allocated so far, the bucket table and the overflow table. */
    public long bytes() {
        return (long) pool.length * 8
                + (long) countAllocated() * CHUNK * 8
                + 8L * slots.length
                + (overflow == null ? 0 : overflow.bytes());
    }

    private int countAllocated() {
        int n = 0;
        for (long[] c : pool) {
            if (c != null) {
                n++;
            }
        }
        return n;
    }

    /** Frees the chunks and tables kept for the next part. */
    public void release() {
        pool = new long[0][];
        poolUsed = 0;
        slots = new long[0];
        overflow = null;
        chunksOf = new int[0][];
        chunkCount = new int[0];
        fill = new int[0];
        current = new long[0][];
        bucketMask = 0;
    }
}
