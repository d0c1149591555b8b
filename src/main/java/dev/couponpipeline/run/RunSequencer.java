package dev.couponpipeline.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every record before it is aggregated and keeps the open runs consistent with the order of the Kafka log.
 *
 * <ul>
 * <li><b>Superseded runs.</b> Runs are strictly sequential on every partition: a producer starts run B only after
 * every record of run A was acknowledged. So a record of B on a source-partition where A has not sent its end
 * record means A's producer died mid-file (a {@code kill -9}, a crash): A can never complete, and it is failed at
 * once instead of holding a full table until the completion timeout.</li>
 * <li><b>Rewinds.</b> When a record's offset is not past the last one seen on its source-partition, Kafka has
 * restarted that partition from the committed offset (a rebalance, e.g. after the consumer was paused past
 * {@code max.poll.interval.ms}). Offsets are committed only at run boundaries, so the open runs forget what that
 * partition contributed and count its records again as they come: nothing is lost or counted twice.</li>
 * </ul>
 * Thread-safe: records arrive on the consumer thread, runs may close on the aggregator's timeout thread.
 */
public final class RunSequencer {

    private static final Logger LOG = LoggerFactory.getLogger(RunSequencer.class);

    private static final int RECENT = 1000;

    /** Open runs by id; ids sort in start order. */
    private final TreeMap<String, RunState> open = new TreeMap<>();
    private final Map<String, Long> lastOffsets = new HashMap<>();
    /** Partition numbers Kafka assigned to this instance; null until the first assignment (then: all). */
    private volatile java.util.Set<Integer> owned;
    /** Parts this instance published, by run (bounded): their records, replayed, are dropped. */
    private final java.util.LinkedHashMap<String, java.util.Set<Integer>> publishedParts = new java.util.LinkedHashMap<>();
    /** Runs failed for good here (bounded): their late records are dropped. */
    private final java.util.LinkedHashSet<String> failed = new java.util.LinkedHashSet<>();
    /** The live run in Redis, as last seen: records of it or an older run are replays, dropped. */
    private volatile String liveRunId;

    /** The aggregator opened a run (its first record arrived). */
    public synchronized void opened(RunState run) {
        open.put(run.runId(), run);
    }

    /** The aggregator closed a run (complete, failed or timed out). */
    public synchronized void closed(String runId) {
        open.remove(runId);
    }

    public synchronized int openRuns() {
        return open.size();
    }

    /** True when this instance owns partition number {@code p} (always, until Kafka assigned anything). */
    public boolean owns(int p) {
        java.util.Set<Integer> o = owned;
        return o == null || o.contains(p);
    }

    /** The partitions that count for {@code runId} here: owned, and not already published by this instance. */
    public java.util.function.IntPredicate countedFor(String runId) {
        return p -> owns(p) && !isPublished(runId, p);
    }

    private synchronized boolean isPublished(String runId, int p) {
        java.util.Set<Integer> parts = publishedParts.get(runId);
        return parts != null && parts.contains(p);
    }

    /**
     * Kafka's assignment for this instance changed (a rebalance). Open runs forget the partitions that moved
     * away: their new owner rebuilds those parts from Kafka.
     */
    public synchronized void assigned(java.util.Set<Integer> partitionNumbers) {
        java.util.Set<Integer> before = owned;
        if (partitionNumbers.equals(before)) {
            return;
        }
        owned = java.util.Set.copyOf(partitionNumbers);
        java.util.Set<Integer> revoked = new java.util.TreeSet<>(before == null ? java.util.Set.of() : before);
        revoked.removeAll(partitionNumbers);
        for (int p : revoked) {
            open.values().forEach(run -> run.dropPartition(p));
            lastOffsets.keySet().removeIf(k -> k.endsWith("-" + p));
        }
        LOG.info("Kafka assigned partition(s) {} of every source topic to this aggregator (before: {}); open runs "
                + "{} dropped partition(s) {}", new java.util.TreeSet<>(partitionNumbers),
                before == null ? "none" : new java.util.TreeSet<>(before), open.keySet(), revoked);
    }

    /** This instance published these parts of {@code runId} (staged and marked done in Redis). */
    public synchronized void published(String runId, java.util.List<Integer> parts) {
        publishedParts.computeIfAbsent(runId, id -> new java.util.HashSet<>()).addAll(parts);
        if (publishedParts.size() > RECENT) {
            publishedParts.remove(publishedParts.keySet().iterator().next());
        }
    }

    /** {@code runId} failed for good here; its late records are dropped. */
    public synchronized void failedForGood(String runId) {
        failed.add(runId);
        if (failed.size() > RECENT) {
            failed.remove(failed.iterator().next());
        }
    }

    /** The run now live in Redis. */
    public void live(String runId) {
        if (runId != null && (liveRunId == null || runId.compareTo(liveRunId) > 0)) {
            liveRunId = runId;
        }
    }

    /**
     * Whether a record of {@code runId} on {@code partition} is to be aggregated: not when its run is live or
     * older (a replay after a crash or rebalance), failed for good here, or its part already published here.
     */
    public synchronized boolean accept(String runId, int partition) {
        if (runId == null) {
            return true;
        }
        String live = liveRunId;
        return !failed.contains(runId) && (live == null || runId.compareTo(live) > 0) && !isPublished(runId, partition);
    }

    /**
     * Called for each record, before it is aggregated. Returns the ids of open runs that have just failed and
     * must be closed now (superseded, or rewound inside their records).
     */
    public synchronized List<String> onRecord(String runId, String source, int partition, long offset) {
        List<String> toClose = new ArrayList<>();
        if (source == null || runId == null) {
            return toClose;
        }
        String sourcePartition = source + "-" + partition;
        Long last = lastOffsets.put(sourcePartition, offset);
        if (last != null && offset >= 0 && offset <= last) {
            rewound(source, partition, offset, last, toClose);
        }
        for (RunState older : open.headMap(runId, false).values()) {
            if (older.failure() == null && !older.hasEnded(source, partition)) {
                older.fail("superseded: run " + runId + " reached " + sourcePartition + " before this run's end "
                        + "record there, so this run's producer stopped mid-file (crash or kill); the next run "
                        + "reads the files again");
            }
            if (older.failure() != null && !toClose.contains(older.runId())) {
                toClose.add(older.runId());
            }
        }
        return toClose;
    }

    private void rewound(String source, int partition, long offset, long last, List<String> toClose) {
        List<String> rebuilding = new ArrayList<>();
        for (RunState run : open.values()) {
            switch (run.rewind(source, partition, offset)) {
                case REBUILDING -> rebuilding.add(run.runId());
                case FAILED -> toClose.add(run.runId());
                case UNAFFECTED -> { }
            }
        }
        LOG.warn("Kafka rewound {} partition {} from offset {} to {} (a rebalance restarted it at the committed "
                + "offset); runs rebuilding it from Kafka: {}", source, partition, last, offset, rebuilding);
    }
}
