package dev.couponpipeline.run;

import dev.couponpipeline.table.CodeTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the aggregator knows about one run: the code table and, per source and partition, how many codes
 * arrived versus how many the producer says it sent. A run is complete only when every source has ended every
 * partition and every count agrees, so a lost record fails the run instead of silently dropping a code.
 */
public final class RunState {

    private final String runId;
    private final List<String> sources;
    private final int minSources;
    private final CodeTable table;
    private final SourceProgress[] progress;
    private final Map<String, Runnable> commits = new LinkedHashMap<>();
    private final Instant startedAt;
    private String failure;

    public RunState(String runId, List<String> sources, int minSources, long expectedCodes, Instant startedAt) {
        this(runId, sources, minSources, expectedCodes, null, startedAt);
    }

    /** With a helper, the table inserts each record's codes on two threads. */
    public RunState(String runId, List<String> sources, int minSources, long expectedCodes, CodeTable.Helper helper,
            Instant startedAt) {
        this.runId = runId;
        this.sources = List.copyOf(sources);
        this.minSources = minSources;
        this.table = new CodeTable(sources.size(), expectedCodes, helper);
        this.progress = new SourceProgress[sources.size()];
        for (int i = 0; i < progress.length; i++) {
            progress[i] = new SourceProgress();
        }
        this.startedAt = startedAt;
    }

    /** Adds the codes of one data record from {@code source}. */
    public void acceptData(String source, int partition, byte[] value) {
        int bit = sourceIndex(source);
        if (bit < 0) {
            return;
        }
        SourceProgress p = progress[bit];
        if (p.hasEnded(partition)) {
            fail("source " + source + " sent codes after its end-of-source record on partition " + partition);
            return;
        }
        p.received(partition, table.addRecord(value, bit));
    }

    /** Records the end of {@code source} on one partition, with the number of codes the producer sent there. */
    public void acceptEnd(String source, int partition, int partitions, long codesSent) {
        int bit = sourceIndex(source);
        if (bit < 0) {
            return;
        }
        progress[bit].ended(partition, partitions, codesSent);
        if (failure == null && allEnded()) {
            checkCounts();
        }
    }

    /** The producer of {@code source} gave up; the run fails. */
    public void acceptAbort(String source, String reason) {
        fail("source " + source + " failed: " + (reason == null ? "no reason given" : reason));
    }

    public void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    private int sourceIndex(String source) {
        int i = sources.indexOf(source);
        if (i < 0) {
            fail("record from unknown source '" + source + "' (this aggregator knows " + sources + ")");
        }
        return i;
    }

    private boolean allEnded() {
        for (SourceProgress p : progress) {
            if (!p.allEnded()) {
                return false;
            }
        }
        return true;
    }

    private void checkCounts() {
        for (int s = 0; s < progress.length; s++) {
            SourceProgress p = progress[s];
            for (int part = 0; part < p.partitions; part++) {
                if (p.receivedCodes[part] != p.sentCodes[part]) {
                    fail("source " + sources.get(s) + " partition " + part + ": the producer sent "
                            + p.sentCodes[part] + " codes but " + p.receivedCodes[part]
                            + " arrived (records were lost or duplicated)");
                    return;
                }
            }
        }
    }

    /** Finished either way: complete, or failed. The aggregator closes the run then. */
    public boolean isFinished() {
        return failure != null || allEnded();
    }

    /** Complete and correct: only such a run is ever published. */
    public boolean isComplete() {
        return failure == null && allEnded();
    }

    /** Why the run is not complete: its failure, or which sources have not ended yet. */
    public String incompleteReason() {
        if (failure != null) {
            return failure;
        }
        List<String> missing = new ArrayList<>();
        for (int s = 0; s < progress.length; s++) {
            if (!progress[s].allEnded()) {
                missing.add(sources.get(s));
            }
        }
        return missing.isEmpty() ? "complete" : "sources not ended: " + missing;
    }

    /** Remembers how to commit the consumer offset of the latest record seen on a topic-partition. */
    public void rememberCommit(String topicPartition, Runnable commit) {
        commits.put(topicPartition, commit);
    }

    /** Commits, per topic-partition, the offset of the last record of this run. */
    public void commitOffsets() {
        commits.values().forEach(Runnable::run);
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

    public CodeTable table() {
        return table;
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

    /** Per-source receive counters for one source and partition layout. */
    private static final class SourceProgress {
        int partitions = -1;
        long[] receivedCodes = new long[1];
        long[] sentCodes = new long[1];
        boolean[] ended = new boolean[1];
        int endedCount;

        private void ensure(int partition) {
            if (partition >= receivedCodes.length) {
                int n = partition + 1;
                receivedCodes = Arrays.copyOf(receivedCodes, n);
                sentCodes = Arrays.copyOf(sentCodes, n);
                ended = Arrays.copyOf(ended, n);
            }
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
            partitions = total;
            if (!ended[partition]) {
                ended[partition] = true;
                endedCount++;
            }
            sentCodes[partition] = sent;
        }

        boolean allEnded() {
            return partitions > 0 && endedCount >= partitions;
        }
    }
}
