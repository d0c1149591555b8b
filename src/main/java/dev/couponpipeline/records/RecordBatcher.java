package dev.couponpipeline.records;

import dev.couponpipeline.codes.CodeHash;
import dev.couponpipeline.codes.CodePacking;
import dev.couponpipeline.codes.PackedCodeSink;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Packs codes into record values of up to {@code codesPerRecord} codes each, one open batch per partition: a code
 * of up to ten letters or digits as its hash, any other as its bytes ({@link CodeRecordFormat}). Counts what it packed per partition
 * (the counts the control records carry).
 */
public final class RecordBatcher implements PackedCodeSink {

    /** A batch whose text part grows past this is sealed early, so a record stays well under Kafka's limit. */
    static final int MAX_TEXT_BYTES = 512 * 1024;

    private final int partitions;
    private final int codesPerRecord;
    private final long[][] hashes;
    private final int[] packedCount;
    /**
     * A small stage per partition in front of the record buffers: the code-by-code stores stay in the CPU cache,
     * and a record buffer is written 64 codes at a time (scattered single stores into 64 large buffers each
     * missed the cache and took 2 to 3 times longer).
     */
    private static final int STAGE = 64;

    private final long[][] stage;
    private final int[] staged;
    private final byte[][] text;
    private final int[] textBytes;
    private final int[] textCount;
    private final long[] codesPerPartition;
    private final ArrayDeque<CodeRecord> ready = new ArrayDeque<>();
    private final CodeRecordFormat.Encoder encoder = new CodeRecordFormat.Encoder();
    private final long[] one = new long[1];
    private long[] mixed = new long[0];
    private long codes;

    public RecordBatcher(int partitions, int codesPerRecord) {
        if (partitions < 1 || codesPerRecord < 1) {
            throw new IllegalArgumentException("partitions and codes per record must be positive");
        }
        this.partitions = partitions;
        this.codesPerRecord = codesPerRecord;
        this.hashes = new long[partitions][];
        this.packedCount = new int[partitions];
        this.stage = new long[partitions][STAGE];
        this.staged = new int[partitions];
        this.text = new byte[partitions][];
        this.textBytes = new int[partitions];
        this.textCount = new int[partitions];
        this.codesPerPartition = new long[partitions];
    }

    @Override
    public void packed(long[] packedCodes, int n) {
        if (mixed.length < n) {
            mixed = new long[n];
        }
        long[] hs = mixed;
        CodeHash.mix(packedCodes, n, hs);
        for (int i = 0; i < n; i++) {
            long h = hs[i];
            int p = CodePartitioner.partitionOfHash(h, partitions);
            long[] st = stage[p];
            int k = staged[p];
            st[k++] = h;
            if (k == STAGE) {
                drain(p, k);
                k = 0;
            }
            staged[p] = k;
        }
        this.codes += n;
    }

    private void packed(long packedCode) {
        one[0] = packedCode;
        packed(one, 1);
    }

    /** Moves {@code n} staged hashes of partition {@code p} into its record buffer, sealing full records. */
    private void drain(int p, int n) {
        codesPerPartition[p] += n;
        long[] from = stage[p];
        int done = 0;
        while (done < n) {
            long[] hs = hashes[p];
            if (hs == null) {
                hs = hashes[p] = new long[codesPerRecord];
            }
            int k = Math.min(n - done, codesPerRecord - packedCount[p] - textCount[p]);
            System.arraycopy(from, done, hs, packedCount[p], k);
            packedCount[p] += k;
            done += k;
            if (packedCount[p] + textCount[p] == codesPerRecord) {
                seal(p);
            }
        }
    }

    @Override
    public void code(byte[] buf, int off, int len) {
        long packed = CodePacking.pack(buf, off, len);
        if (packed > 0) {
            packed(packed);
            return;
        }
        int p = CodePartitioner.partitionOfText(buf, off, len, partitions);
        byte[] t = text[p];
        int used = textBytes[p];
        if (t == null || used + len + 1 > t.length) {
            t = text[p] = Arrays.copyOf(
                    t == null ? new byte[0] : t, Math.max(used + len + 1, t == null ? 4096 : t.length * 2));
        }
        System.arraycopy(buf, off, t, used, len);
        t[used + len] = '\n';
        textBytes[p] = used + len + 1;
        textCount[p]++;
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
        ready.add(new CodeRecord(p, encoder.encode(hashes[p], packedCount[p], text[p], textBytes[p]), n));
        packedCount[p] = 0;
        textCount[p] = 0;
        textBytes[p] = 0;
    }

    /** Seals every partially filled batch; called once at the end of the source. */
    public void flush() {
        for (int p = 0; p < partitions; p++) {
            drain(p, staged[p]);
            staged[p] = 0;
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

    /** Codes packed for partition {@code p}; exact once {@link #flush} has run. */
    public long codesInPartition(int p) {
        return codesPerPartition[p];
    }

    public int partitions() {
        return partitions;
    }
}
