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

    /** Open runs by id; ids sort in start order. */
    private final TreeMap<String, RunState> open = new TreeMap<>();
    private final Map<String, Long> lastOffsets = new HashMap<>();

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
