package dev.couponpipeline.source;

import dev.couponpipeline.codes.CodeSink;
import dev.couponpipeline.table.CodeHash;
import dev.couponpipeline.table.CodePacking;
import dev.couponpipeline.wire.CodeRecordFormat;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Packs codes into record values of up to {@code codesPerRecord} codes each, one open batch per partition: a code
 * of up to ten letters or digits as its 8-byte hash, any other as its bytes. Counts what it packed per partition
 * (the counts the control records carry).
 */
public final class RecordBatcher implements CodeSink {

    /** A batch whose text part grows past this is sealed early, so a record stays well under Kafka's limit. */
    static final int MAX_TEXT_BYTES = 512 * 1024;

    private final int partitions;
    private final int codesPerRecord;
    private final long[][] hashes;
    private final int[] packedCount;
    private final byte[][] text;
    private final int[] textBytes;
    private final int[] textCount;
    private final long[] codesPerPartition;
    private final ArrayDeque<CodeRecord> ready = new ArrayDeque<>();
    private long codes;

    public RecordBatcher(int partitions, int codesPerRecord) {
        if (partitions < 1 || codesPerRecord < 1) {
            throw new IllegalArgumentException("partitions and codes per record must be positive");
        }
        this.partitions = partitions;
        this.codesPerRecord = codesPerRecord;
        this.hashes = new long[partitions][];
        this.packedCount = new int[partitions];
        this.text = new byte[partitions][];
        this.textBytes = new int[partitions];
        this.textCount = new int[partitions];
        this.codesPerPartition = new long[partitions];
    }

    @Override
    public void code(byte[] buf, int off, int len) {
        long packed = CodePacking.pack(buf, off, len);
        int p;
        if (packed > 0) {
            long h = CodeHash.mix(packed);
            p = CodePartitioner.partitionOfHash(h, partitions);
            long[] hs = hashes[p];
            if (hs == null) {
                hs = hashes[p] = new long[codesPerRecord];
            }
            hs[packedCount[p]++] = h;
        } else {
            p = CodePartitioner.partitionOfText(buf, off, len, partitions);
            byte[] t = text[p];
            int used = textBytes[p];
            if (t == null || used + len + 1 > t.length) {
                t = text[p] = Arrays.copyOf(t == null ? new byte[0] : t, Math.max(used + len + 1,
                        t == null ? 4096 : t.length * 2));
            }
            System.arraycopy(buf, off, t, used, len);
            t[used + len] = '\n';
            textBytes[p] = used + len + 1;
            textCount[p]++;
        }
        codesPerPartition[p]++;
        codes++;
        if (packedCount[p] + textCount[p] == codesPerRecord || textBytes[p] > MAX_TEXT_BYTES) {
            seal(p);
        }
    }

    private void seal(int p) {
        int n = packedCount[p] + textCount[p];
        if (n == 0) {
            return;
        }
        ready.add(new CodeRecord(p, CodeRecordFormat.encode(hashes[p], packedCount[p], text[p], textBytes[p]), n));
        packedCount[p] = 0;
        textCount[p] = 0;
        textBytes[p] = 0;
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
