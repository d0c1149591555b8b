package dev.couponpipeline.table;

/**
 * The run's table: code → bitmask of the sources it was seen in. Codes of up to ten letters or digits (every
 * code of the default pattern) take one 8-byte slot in a {@link PackedCodeTable}; anything else goes to an
 * {@link OverflowCodeTable}. A run with more than four sources keeps every code in the overflow table.
 */
public final class CodeTable {

    public static final int MAX_SOURCES = 64;

    private final int sources;
    private final PackedCodeTable packed;
    private final OverflowCodeTable overflow = new OverflowCodeTable();

    public CodeTable(int sources) {
        this(sources, 0);
    }

    public CodeTable(int sources, long expectedCodes) {
        if (sources < 1 || sources > MAX_SOURCES) {
            throw new IllegalArgumentException("a run has 1 to " + MAX_SOURCES + " sources, not " + sources);
        }
        this.sources = sources;
        this.packed = sources <= PackedCodeTable.MAX_SOURCES ? new PackedCodeTable(expectedCodes) : null;
    }

    /** Records that source number {@code source} (0-based) holds the code. */
    public void add(byte[] b, int off, int len, int source) {
        if (packed != null) {
            long v = CodePacking.pack(b, off, len);
            if (v > 0) {
                packed.add(v, 1 << source);
                return;
            }
        }
        overflow.add(b, off, len, 1L << source);
    }

    /** The bitmask of sources that hold the code, 0 when no source does. */
    public long mask(byte[] b, int off, int len) {
        if (packed != null) {
            long v = CodePacking.pack(b, off, len);
            if (v > 0) {
                return packed.mask(v);
            }
        }
        return overflow.mask(b, off, len);
    }

    /** Distinct codes in the table. */
    public long size() {
        return (packed == null ? 0 : packed.size()) + overflow.size();
    }

    /** Heap bytes held by the table's arrays. */
    public long bytes() {
        return (packed == null ? 0 : packed.bytes()) + overflow.bytes();
    }

    public int sources() {
        return sources;
    }

    /** Visits every code seen in at least {@code minSources} sources. */
    public void forEachValid(int minSources, CodeVisitor visitor) {
        CodeVisitor filter = (code, len, mask) -> {
            if (Long.bitCount(mask) >= minSources) {
                visitor.visit(code, len, mask);
            }
        };
        if (packed != null) {
            packed.forEach(filter);
        }
        overflow.forEach(filter);
    }

    /** Number of codes seen in at least {@code minSources} sources. */
    public long countValid(int minSources) {
        long[] n = new long[1];
        forEachValid(minSources, (code, len, mask) -> n[0]++);
        return n[0];
    }
}
