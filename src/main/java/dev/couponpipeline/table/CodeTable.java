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
        this(sources, expectedCodes, null);
    }

    /** With a helper, {@link #addRecord} inserts on two threads. */
    public CodeTable(int sources, long expectedCodes, Helper helper) {
        this.helper = helper;
        if (sources < 1 || sources > MAX_SOURCES) {
            throw new IllegalArgumentException("a run has 1 to " + MAX_SOURCES + " sources, not " + sources);
        }
        this.sources = sources;
        this.packed = sources <= PackedCodeTable.MAX_SOURCES ? new PackedCodeTable(expectedCodes) : null;
    }

    /** Records that source number {@code source} (0-based) holds the code. */
    public void add(byte[] b, int off, int len, int source) {
        awaitInserts();
        if (packed != null) {
            long v = CodePacking.pack(b, off, len);
            if (v > 0) {
                packed.add(v, 1 << source);
                return;
            }
        }
        overflow.add(b, off, len, 1L << source);
    }

    private static final int BATCH = 512;
    private static final int HALF = 16_384;
    /**
     * Two buffer sets, used in turn. A record's packable codes are split by segment parity: even ones at
     * [0, evenEnd), odd ones at [HALF, oddEnd). The helper may still be inserting the previous record's odd
     * codes from one set while the caller fills the other and inserts its even codes: disjoint segments.
     */
    private final long[][] bufPacked = {new long[2 * HALF], new long[2 * HALF]};
    private final long[][] bufHashes = {new long[2 * HALF], new long[2 * HALF]};
    private final java.util.concurrent.Future<?>[] pending = new java.util.concurrent.Future<?>[2];
    private int current;
    private final Helper helper;

    /**
     * Adds every code of a record value ({@code \n}-separated) for source number {@code source}; returns how
     * many codes the value held. The aggregator's fast path: codes are inserted in batches, and with a helper
     * thread the codes of odd segments go to it while the caller inserts those of even segments and goes on to
     * the next record.
     */
    public int addRecord(byte[] value, int source) {
        long[] vs = bufPacked[current];
        long[] hs = bufHashes[current];
        awaitPending(current);
        int even = 0;
        int odd = HALF;
        int codes = 0;
        int start = 0;
        for (int i = 0; i <= value.length; i++) {
            if (i == value.length || value[i] == '\n') {
                int len = i - start;
                if (len > 0) {
                    codes++;
                    long v = packed == null ? -1 : CodePacking.pack(value, start, len);
                    if (v > 0) {
                        if (even == HALF || odd == 2 * HALF) {
                            insertHalves(vs, hs, even, odd, source);
                            awaitPending(current);
                            even = 0;
                            odd = HALF;
                        }
                        long h = PackedCodeTable.mix(v);
                        if ((PackedCodeTable.segmentOf(h) & 1) == 0) {
                            vs[even] = v;
                            hs[even++] = h;
                        } else {
                            vs[odd] = v;
                            hs[odd++] = h;
                        }
                    } else {
                        awaitInserts(); // the overflow table is not split: keep it single-threaded
                        overflow.add(value, start, len, 1L << source);
                    }
                }
                start = i + 1;
            }
        }
        insertHalves(vs, hs, even, odd, source);
        current ^= 1;
        return codes;
    }

    private void insertHalves(long[] vs, long[] hs, int evenEnd, int oddEnd, int source) {
        int bits = 1 << source;
        if (helper == null) {
            insertInBatches(vs, hs, 0, evenEnd, bits);
            insertInBatches(vs, hs, HALF, oddEnd, bits);
            return;
        }
        pending[current] = helper.submit(() -> insertInBatches(vs, hs, HALF, oddEnd, bits));
        insertInBatches(vs, hs, 0, evenEnd, bits);
    }

    private void insertInBatches(long[] vs, long[] hs, int from, int to, int bits) {
        for (int b = from; b < to; b += BATCH) {
            packed.addBatch(vs, hs, b, Math.min(to, b + BATCH), bits);
        }
    }

    private void awaitPending(int set) {
        if (pending[set] != null) {
            helper.await(pending[set]);
            pending[set] = null;
        }
    }

    /** Waits until the helper has inserted everything handed to it; every read of the table does this first. */
    public void awaitInserts() {
        awaitPending(0);
        awaitPending(1);
    }

    /** Runs half of each record's inserts on a second thread; one per table, closed with the table. */
    public static final class Helper implements AutoCloseable {
        private final java.util.concurrent.ExecutorService thread =
                java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "code-table-helper");
                    t.setDaemon(true);
                    return t;
                });

        java.util.concurrent.Future<?> submit(Runnable task) {
            return thread.submit(task);
        }

        void await(java.util.concurrent.Future<?> f) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while inserting codes", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("inserting codes failed", e.getCause());
            }
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    /** The bitmask of sources that hold the code, 0 when no source does. */
    public long mask(byte[] b, int off, int len) {
        awaitInserts();
        if (packed != null) {
            long v = CodePacking.pack(b, off, len);
            if (v > 0) {
                return packed.mask(v);
            }
        }
        return overflow.mask(b, off, len);
    }

    /**
     * Forgets everything source number {@code source} contributed, so its records can be added again (the
     * aggregator rebuilds a partition after Kafka rewinds it). Codes left with no source count as absent.
     */
    public void clearSource(int source) {
        awaitInserts();
        if (packed != null) {
            packed.clearBits(1 << source);
        }
        overflow.clearBits(1L << source);
        sourcesCleared = true;
    }

    private boolean sourcesCleared;

    /** Distinct codes held by at least one source: exact, a scan of the table once a source was cleared. */
    public long distinct() {
        if (!sourcesCleared) {
            return size();
        }
        awaitInserts();
        return (packed == null ? 0 : packed.countHeld()) + overflow.countHeld();
    }

    /** Codes in the table, counting codes whose sources were all cleared (cheap: for gauges). */
    public long size() {
        awaitInserts();
        return (packed == null ? 0 : packed.size()) + overflow.size();
    }

    /** Heap bytes held by the table's arrays. */
    public long bytes() {
        awaitInserts();
        return (packed == null ? 0 : packed.bytes()) + overflow.bytes();
    }

    public int sources() {
        return sources;
    }

    /** Visits every code seen in at least {@code minSources} sources. */
    public void forEachValid(int minSources, CodeVisitor visitor) {
        awaitInserts();
        if (packed != null) {
            packed.forEach(minSources, visitor);
        }
        overflow.forEach((code, len, mask) -> {
            if (Long.bitCount(mask) >= minSources) {
                visitor.visit(code, len, mask);
            }
        });
    }

    /** Number of codes seen in at least {@code minSources} sources. */
    public long countValid(int minSources) {
        long[] n = new long[1];
        forEachValid(minSources, (code, len, mask) -> n[0]++);
        return n[0];
    }
}
