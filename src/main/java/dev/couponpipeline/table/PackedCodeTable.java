package dev.couponpipeline.table;

/**
 * Open-addressing set of packed codes with a 4-bit source mask, one {@code long} a slot: {@code code << 4 | mask}.
 *
 * <p>Split into 64 segments by hash so a resize copies one segment, not the whole table (the peak memory of a
 * resize stays small). Each segment grows by 1.5x at 80% load, so the table stays between 53% and 80% full:
 * 10 to 15 bytes per distinct code.
 */
final class PackedCodeTable {

    static final int MAX_SOURCES = 4;
    private static final int SEGMENT_BITS = 6;
    private static final int SEGMENTS = 1 << SEGMENT_BITS;
    private static final double MAX_LOAD = 0.8;
    private static final int INITIAL_CAPACITY = 1024;

    private final long[][] slots = new long[SEGMENTS][];
    private final int[] sizes = new int[SEGMENTS];
    private final int[] limits = new int[SEGMENTS];

    PackedCodeTable() {
        this(0);
    }

    /** Sized up front for about {@code expected} codes, so a known-size run never resizes. */
    PackedCodeTable(long expected) {
        int perSegment = (int) Math.min(Integer.MAX_VALUE - 8,
                Math.max(INITIAL_CAPACITY, (long) (expected / SEGMENTS / MAX_LOAD) + 1));
        for (int s = 0; s < SEGMENTS; s++) {
            slots[s] = new long[perSegment];
            limits[s] = (int) (perSegment * MAX_LOAD);
        }
    }

    static long mix(long v) {
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        v *= 0xc4ceb9fe1a85ec53L;
        v ^= v >>> 33;
        return v;
    }

    /** Adds the source bits to the code's mask, inserting the code if it is new. */
    void add(long packed, int sourceBits) {
        addHashed(packed, mix(packed), sourceBits);
    }

    /**
     * Adds a batch of packed codes (with their {@link #mix} hashes) in two passes: the first only loads each
     * code's home slot, and those loads do not depend on each other, so the CPU keeps many cache misses in
     * flight at once; the second inserts into lines that are now in cache. Over a table of gigabytes this is
     * several times faster than inserting one code at a time, each waiting for its own miss.
     */
    void addBatch(long[] packed, long[] hashes, int from, int to, int sourceBits) {
        long touched = 0;
        for (int k = from; k < to; k++) {
            long h = hashes[k];
            long[] t = slots[(int) (h >>> (64 - SEGMENT_BITS))];
            touched += t[(int) (((h & 0xffffffffL) * t.length) >>> 32)];
        }
        if (to > from) {
            // each thread inserts one segment parity only, so each writes its own sink slot (8 longs apart)
            sink[(segmentOf(hashes[from]) & 1) * 8] = touched;
        }
        for (int k = from; k < to; k++) {
            addHashed(packed[k], hashes[k], sourceBits);
        }
    }

    /** Keeps the first pass's loads from being optimised away (one slot per thread-half, no sharing). */
    @SuppressWarnings("unused")
    private final long[] sink = new long[16];

    private void addHashed(long packed, long h, int sourceBits) {
        int seg = (int) (h >>> (64 - SEGMENT_BITS));
        long[] t = slots[seg];
        long key = packed << 4;
        int i = (int) (((h & 0xffffffffL) * t.length) >>> 32);
        while (true) {
            long s = t[i];
            if (s == 0) {
                t[i] = key | sourceBits;
                if (++sizes[seg] > limits[seg]) {
                    grow(seg);
                }
                return;
            }
            if ((s & ~0xfL) == key) {
                t[i] = s | sourceBits;
                return;
            }
            if (++i == t.length) {
                i = 0;
            }
        }
    }

    /** The code's mask, 0 when absent. */
    int mask(long packed) {
        long h = mix(packed);
        long[] t = slots[(int) (h >>> (64 - SEGMENT_BITS))];
        long key = packed << 4;
        int i = (int) (((h & 0xffffffffL) * t.length) >>> 32);
        while (true) {
            long s = t[i];
            if (s == 0) {
                return 0;
            }
            if ((s & ~0xfL) == key) {
                return (int) (s & 0xf);
            }
            if (++i == t.length) {
                i = 0;
            }
        }
    }

    private void grow(int seg) {
        long[] old = slots[seg];
        long newCap = Math.min(Integer.MAX_VALUE - 8, old.length + (old.length >> 1));
        if (newCap <= old.length) {
            throw new IllegalStateException("code table segment is full at " + old.length + " slots");
        }
        long[] t = new long[(int) newCap];
        for (long s : old) {
            if (s != 0) {
                long h = mix(s >>> 4);
                int i = (int) (((h & 0xffffffffL) * t.length) >>> 32);
                while (t[i] != 0) {
                    if (++i == t.length) {
                        i = 0;
                    }
                }
                t[i] = s;
            }
        }
        slots[seg] = t;
        limits[seg] = (int) (t.length * MAX_LOAD);
    }

    long size() {
        long n = 0;
        for (int s : sizes) {
            n += s;
        }
        return n;
    }

    /** The segment a hash falls in; codes of different segments can be inserted by different threads. */
    static int segmentOf(long hash) {
        return (int) (hash >>> (64 - SEGMENT_BITS));
    }

    long bytes() {
        long b = 0;
        for (long[] t : slots) {
            b += 16L + 8L * t.length;
        }
        return b;
    }

    /**
     * Removes {@code sourceBits} from every code's mask. A code left with no source keeps its slot (removing it
     * would break probe chains) and counts as absent: {@link #mask} returns 0 and {@link #forEach} skips it.
     */
    void clearBits(int sourceBits) {
        long keep = ~(long) sourceBits;
        for (long[] t : slots) {
            for (int i = 0; i < t.length; i++) {
                if (t[i] != 0) {
                    t[i] &= keep;
                }
            }
        }
    }

    /** Codes held by at least one source (a scan; {@link #size} also counts codes whose bits were cleared). */
    long countHeld() {
        long n = 0;
        for (long[] t : slots) {
            for (long s : t) {
                if ((s & 0xf) != 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Visits the codes held by at least {@code minSources} sources; others are skipped without unpacking. */
    void forEach(int minSources, CodeVisitor visitor) {
        byte[] code = new byte[CodePacking.MAX_PACKED_LENGTH];
        for (long[] t : slots) {
            for (long s : t) {
                if (s != 0 && Long.bitCount(s & 0xf) >= minSources) {
                    int len = CodePacking.unpack(s >>> 4, code);
                    visitor.visit(code, len, s & 0xf);
                }
            }
        }
    }
}
