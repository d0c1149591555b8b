package dev.couponpipeline.source;

import dev.couponpipeline.codes.CodeSink;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Packs codes into record values of up to {@code codesPerRecord} codes each, one open batch per partition, and
 * counts what it packed per partition (the counts the end-of-source records carry).
 */
public final class RecordBatcher implements CodeSink {

    private final int partitions;
    private final int codesPerRecord;
    private final byte[][] open;
    private final int[] openBytes;
    private final int[] openCodes;
    private final long[] codesPerPartition;
    private final ArrayDeque<CodeRecord> ready = new ArrayDeque<>();
    private long codes;

    public RecordBatcher(int partitions, int codesPerRecord) {
        if (partitions < 1 || codesPerRecord < 1) {
            throw new IllegalArgumentException("partitions and codes per record must be positive");
        }
        this.partitions = partitions;
        this.codesPerRecord = codesPerRecord;
        this.open = new byte[partitions][];
        this.openBytes = new int[partitions];
        this.openCodes = new int[partitions];
        this.codesPerPartition = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            open[p] = new byte[Math.min(codesPerRecord, 4096) * 11];
        }
    }

    @Override
    public void code(byte[] buf, int off, int len) {
        int p = CodePartitioner.partition(buf, off, len, partitions);
        byte[] b = open[p];
        int used = openBytes[p];
        if (used + len + 1 > b.length) {
            b = open[p] = Arrays.copyOf(b, Math.max(b.length * 2, used + len + 1));
        }
        System.arraycopy(buf, off, b, used, len);
        b[used + len] = '\n';
        openBytes[p] = used + len + 1;
        codesPerPartition[p]++;
        codes++;
        if (++openCodes[p] == codesPerRecord) {
            seal(p);
        }
    }

    private void seal(int p) {
        if (openCodes[p] == 0) {
            return;
        }
        // drop the last '\n': a value is codes separated (not terminated) by newlines
        ready.add(new CodeRecord(p, Arrays.copyOf(open[p], openBytes[p] - 1), openCodes[p]));
        openBytes[p] = 0;
        openCodes[p] = 0;
    }

    /** Seals every partially filled batch; called once at the end of the source. */
    public void flush() {
        for (int p = 0; p < partitions; p++) {
            seal(p);
        }
    }

    /** The next sealed record, or null. */
    public CodeRecord poll() {
        return ready.poll();
    }

    public boolean hasReady() {
        return !ready.isEmpty();
    }

    public long codes() {
        return codes;
    }

    public long codesInPartition(int p) {
        return codesPerPartition[p];
    }

    public int partitions() {
        return partitions;
    }
}
