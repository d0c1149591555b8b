package dev.couponpipeline.run;

import dev.couponpipeline.table.CodeTable;
import dev.couponpipeline.table.CodeVisitor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the aggregator knows about one run: one code table per partition number (every source routes a code
 * to the same partition number, so the tables are disjoint) and, per source and partition, how many codes arrived
 * versus how many the producer says it sent. A run is complete only when every source has ended every partition
 * and every count agrees, so a lost record fails the run instead of silently dropping a code.
 *
 * <p>It also remembers which Kafka offsets each source-partition's records had, so that when Kafka rewinds a
 * partition (a rebalance makes the consumer start again from the last committed offset) the run can forget what
 * that partition contributed and take its records again, instead of counting them twice.
 */
public final class RunState {

    private final String runId;
    private final List<String> sources;
    private final int minSources;
    private final long expectedCodes;
    private final int expectedPartitions;
    private final CodeTable.Helper helper;
    private CodeTable[] tables = new CodeTable[0];
    private final SourceProgress[] progress;
    /** Offset of the run's last record, by topic and partition: where to commit once the run is closed. */
    private final Map<String, Map<Integer, Long>> lastOffsets = new LinkedHashMap<>();
    private final Instant startedAt;
    private String failure;
    /** Partition numbers this aggregator instance owns (Kafka assigned them) and that are still to publish. */
    private java.util.function.IntPredicate counted = p -> true;
    /** Partitions per source topic, from the end records (every source must agree). */
    private int partitions = -1;

    public RunState(String runId, List<String> sources, int minSources, long expectedCodes, Instant startedAt) {
        this(runId, sources, minSources, expectedCodes, 1, null, startedAt);
    }

    /**
     * {@code expectedCodes} over {@code expectedPartitions} presizes each partition's table; with a helper, the
     * tables insert each record's codes on two threads.
     */
    public RunState(String runId, List<String> sources, int minSources, long expectedCodes, int expectedPartitions,
            CodeTable.Helper helper, Instant startedAt) {
        this.runId = runId;
        this.sources = List.copyOf(sources);
        this.minSources = minSources;
        this.expectedCodes = expectedCodes;
        this.expectedPartitions = Math.max(1, expectedPartitions);
        this.helper = helper;
        this.progress = new SourceProgress[sources.size()];
        for (int i = 0; i < progress.length; i++) {
            progress[i] = new SourceProgress();
        }
        this.startedAt = startedAt;
    }

    /** Adds the codes of one data record from {@code source} (offset unknown: no rewind can be detected). */
    public void acceptData(String source, int partition, byte[] value) {
        acceptData(source, partition, -1, value);
    }

    /** Adds the codes of the data record at {@code offset} of {@code source}'s partition. */
    public void acceptData(String source, int partition, long offset, byte[] value) {
        int bit = sourceIndex(source);
        if (bit < 0 || failure != null) {
            return;
        }
        SourceProgress p = progress[bit];
        if (p.hasEnded(partition)) {
            fail("source " + source + " sent codes after its end-of-source record on partition " + partition);
            return;
        }
        p.seen(partition, offset);
        p.received(partition, table(partition).addRecord(value, bit));
    }

    /** Records the end of {@code source} on one partition, with the number of codes the producer sent there. */
    public void acceptEnd(String source, int partition, int partitions, long codesSent) {
        acceptEnd(source, partition, -1, partitions, codesSent);
    }

    public void acceptEnd(String source, int partition, long offset, int partitions, long codesSent) {
        int bit = sourceIndex(source);
        if (bit < 0 || failure != null) {
            return;
        }
        if (this.partitions < 0) {
            this.partitions = partitions;
        } else if (this.partitions != partitions) {
            fail("source " + source + " has " + partitions + " partitions, another source " + this.partitions
                    + "; every source topic needs the same number");
            return;
        }
        progress[bit].seen(partition, offset);
        progress[bit].ended(partition, partitions, codesSent);
        checkPart(partition);
    }

    /**
     * Which partition numbers count for this run's completion here: those this instance owns and has not
     * published already. With one aggregator instance, all of them.
     */
    public void countOnly(java.util.function.IntPredicate partitionsCounted) {
        this.counted = partitionsCounted;
    }

    /** The run is closed: the partitions counted for it here no longer change (whatever Kafka assigns next). */
    public void freezeCountedParts() {
        java.util.Set<Integer> parts = java.util.Set.copyOf(countedParts());
        this.counted = parts::contains;
    }

    /**
     * Kafka moved {@code partition} to another instance: forget everything it contributed (its table, and every
     * source's count and end record there). The new owner rebuilds that part of the run from Kafka.
     */
    public void dropPartition(int partition) {
        if (partition < tables.length && tables[partition] != null) {
            tables[partition].awaitInserts();
            tables[partition] = null;
        }
        for (SourceProgress p : progress) {
            if (partition < p.receivedCodes.length) {
                p.forget(partition);
            }
        }
        // its offsets are the new owner's to commit
        lastOffsets.values().forEach(byPartition -> byPartition.remove(partition));
    }

    /** The producer of {@code source} gave up; the run fails. */
    public void acceptAbort(String source, String reason) {
        fail("source " + source + " failed: " + (reason == null ? "no reason given" : reason));
    }

    /** What a rewind of a source-partition did to this run. */
    public enum Rewind {
        /** The run has no record at or after the rewind point there. */
        UNAFFECTED,
        /** The run forgot that source-partition's records; they arrive again from the rewind point. */
        REBUILDING,
        /** The rewind point is inside the run's records there; the run cannot be rebuilt and has failed. */
        FAILED
    }

    /**
     * Kafka restarts {@code source}'s {@code partition} at {@code offset}, a record this run may already have
     * counted. When the run's records there all lie at or after {@code offset}, the run forgets them (their codes'
     * bit for this source, the count, the end) and takes them again as they come.
     */
    public Rewind rewind(String source, int partition, long offset) {
        int bit = sources.indexOf(source);
        if (bit < 0 || failure != null) {
            return Rewind.UNAFFECTED;
        }
        SourceProgress p = progress[bit];
        if (!p.hasSeen(partition) || offset > p.lastOffset[partition]) {
            return Rewind.UNAFFECTED;
        }
        if (offset > p.firstOffset[partition]) {
            fail("Kafka rewound " + source + " partition " + partition + " to offset " + offset
                    + ", inside this run's records (" + p.firstOffset[partition] + ".." + p.lastOffset[partition]
                    + "); the run cannot be rebuilt");
            return Rewind.FAILED;
        }
        if (partition < tables.length && tables[partition] != null) {
            tables[partition].clearSource(bit);
        }
        p.forget(partition);
        return Rewind.REBUILDING;
    }

    /** True when {@code source} has sent its end record for {@code partition} in this run. */
    public boolean hasEnded(String source, int partition) {
        int bit = sources.indexOf(source);
        return bit >= 0 && progress[bit].hasEnded(partition);
    }

    /**
     * Fails the run. Its tables are freed at once: a failed run is never published, and after a crash the
     * aggregator may be replaying an old run while a new one starts.
     */
    public void fail(String reason) {
        if (failure == null) {
            failure = reason;
            for (CodeTable t : tables) {
                if (t != null) {
                    t.awaitInserts();
                }
            }
            tables = new CodeTable[0];
        }
    }

    private CodeTable table(int partition) {
        if (partition >= tables.length) {
            tables = Arrays.copyOf(tables, partition + 1);
        }
        CodeTable t = tables[partition];
        if (t == null) {
            t = new CodeTable(sources.size(), expectedCodes / expectedPartitions, helper);
            tables[partition] = t;
        }
        return t;
    }

    private int sourceIndex(String source) {
        int i = sources.indexOf(source);
        if (i < 0) {
            fail("record from unknown source '" + source + "' (this aggregator knows " + sources + ")");
        }
        return i;
    }

    /** True when every source has sent its end record for {@code part}. */
    private boolean partEnded(int part) {
        for (SourceProgress p : progress) {
            if (!p.hasEnded(part)) {
                return false;
            }
        }
        return true;
    }

    /** Once every source has ended {@code part}, its counts must agree, or the run fails. */
    private void checkPart(int part) {
        if (!partEnded(part)) {
            return;
        }
        for (int s = 0; s < progress.length; s++) {
            SourceProgress p = progress[s];
            if (p.receivedCodes[part] != p.sentCodes[part]) {
                fail("source " + sources.get(s) + " partition " + part + ": the producer sent "
                        + p.sentCodes[part] + " codes but " + p.receivedCodes[part]
                        + " arrived (records were lost or duplicated)");
                return;
            }
        }
    }

    /** The partition numbers whose part this instance publishes: counted here, in 0..partitions-1. */
    public List<Integer> countedParts() {
        List<Integer> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (counted.test(p)) {
                parts.add(p);
            }
        }
        return parts;
    }

    /** Partitions per source topic (-1 until an end record told). */
    public int partitions() {
        return partitions;
    }

    private boolean allCountedEnded() {
        if (partitions < 1) {
            return false;
        }
        List<Integer> parts = countedParts();
        for (int p : parts) {
            if (!partEnded(p)) {
                return false;
            }
        }
        return !parts.isEmpty();
    }

    /** Finished either way: complete, or failed. The aggregator closes the run then. */
    public boolean isFinished() {
        return failure != null || allCountedEnded();
    }

    /**
     * Complete and correct for this instance: every source ended every counted partition with matching counts.
     * Only such a run is ever published. With one instance, that is the whole run.
     */
    public boolean isComplete() {
        return failure == null && allCountedEnded();
    }

    /** Why the run is not complete: its failure, or which sources have not ended yet. */
    public String incompleteReason() {
        if (failure != null) {
            return failure;
        }
        List<String> missing = new ArrayList<>();
        for (int s = 0; s < progress.length; s++) {
            boolean ended = partitions > 0;
            for (int p : countedParts()) {
                ended &= progress[s].hasEnded(p);
            }
            if (!ended) {
                missing.add(sources.get(s));
            }
        }
        return missing.isEmpty() ? "complete" : "sources not ended: " + missing;
    }

    /** Remembers the offset of the run's latest record on a topic-partition. */
    public void rememberOffset(String topic, int partition, long offset) {
        lastOffsets.computeIfAbsent(topic, t -> new LinkedHashMap<>()).merge(partition, offset, Math::max);
    }

    /** Offsets of the run's last record, by topic and partition: the consumer commits past them when it closes. */
    public Map<String, Map<Integer, Long>> lastOffsets() {
        return lastOffsets;
    }

    /** Visits every code seen in at least {@link #minSources} sources. */
    public void forEachValid(CodeVisitor visitor) {
        for (CodeTable t : tables) {
            if (t != null) {
                t.forEachValid(minSources, visitor);
            }
        }
    }

    /** Visits the valid codes of one partition's part. */
    public void forEachValid(int part, CodeVisitor visitor) {
        if (part < tables.length && tables[part] != null) {
            tables[part].forEachValid(minSources, visitor);
        }
    }

    /** Distinct codes of one partition's part. */
    public long distinctCodes(int part) {
        return part < tables.length && tables[part] != null ? tables[part].distinct() : 0;
    }

    /** Codes received from each source in one partition, in source order. */
    public long[] codesPerSource(int part) {
        long[] n = new long[progress.length];
        for (int s = 0; s < progress.length; s++) {
            n[s] = part < progress[s].receivedCodes.length ? progress[s].receivedCodes[part] : 0;
        }
        return n;
    }

    /** Distinct codes of the run (exact). */
    public long distinctCodes() {
        long n = 0;
        for (CodeTable t : tables) {
            n += t == null ? 0 : t.distinct();
        }
        return n;
    }

    /** Codes in the tables (cheap; may count codes forgotten by a rewind): for gauges. */
    public long tableSize() {
        long n = 0;
        for (CodeTable t : tables) {
            n += t == null ? 0 : t.size();
        }
        return n;
    }

    /** Heap bytes held by the run's tables (0 once the run failed: they are freed). */
    public long tableBytes() {
        long n = 0;
        for (CodeTable t : tables) {
            n += t == null ? 0 : t.bytes();
        }
        return n;
    }

    public String runId() {
        return runId;
    }

    public List<String> sources() {
        return sources;
    }

    public int minSources() {
        return minSources;
    }

    public String failure() {
        return failure;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Codes received from each source (including in-file duplicates), in source order. */
    public Map<String, Long> codesPerSource() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int s = 0; s < progress.length; s++) {
            m.put(sources.get(s), Arrays.stream(progress[s].receivedCodes).sum());
        }
        return m;
    }

    /** Per-source receive counters and offsets, by partition. */
    private static final class SourceProgress {
        long[] receivedCodes = new long[1];
        long[] sentCodes = new long[1];
        boolean[] ended = new boolean[1];
        long[] firstOffset = {-1};
        long[] lastOffset = {-1};

        private void ensure(int partition) {
            if (partition >= receivedCodes.length) {
                int n = partition + 1;
                int old = receivedCodes.length;
                receivedCodes = Arrays.copyOf(receivedCodes, n);
                sentCodes = Arrays.copyOf(sentCodes, n);
                ended = Arrays.copyOf(ended, n);
                firstOffset = Arrays.copyOf(firstOffset, n);
                lastOffset = Arrays.copyOf(lastOffset, n);
                Arrays.fill(firstOffset, old, n, -1);
                Arrays.fill(lastOffset, old, n, -1);
            }
        }

        void seen(int partition, long offset) {
            ensure(partition);
            if (offset < 0) {
                return;
            }
            if (firstOffset[partition] < 0) {
                firstOffset[partition] = offset;
            }
            lastOffset[partition] = offset;
        }

        boolean hasSeen(int partition) {
            return partition < firstOffset.length && firstOffset[partition] >= 0;
        }

        void received(int partition, long codes) {
            ensure(partition);
            receivedCodes[partition] += codes;
        }

        boolean hasEnded(int partition) {
            return partition < ended.length && ended[partition];
        }

        void ended(int partition, int total, long sent) {
            ensure(Math.max(partition, total - 1));
            ended[partition] = true;
            sentCodes[partition] = sent;
        }

        /** Forgets the partition: its records come again. */
        void forget(int partition) {
            receivedCodes[partition] = 0;
            sentCodes[partition] = 0;
            ended[partition] = false;
            firstOffset[partition] = -1;
            lastOffset[partition] = -1;
        }
    }
}
