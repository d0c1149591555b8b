package dev.couponpipeline.run;

import java.time.Duration;
import java.util.Map;

/**
 * How a run ended: published with its counts, held by the guard before the swap (with why), or failed with the
 * reason. {@code added} and {@code removed} compare the run's valid set with the set it replaced (or would
 * replace); -1 when unknown.
 */
public record RunResult(
        String runId,
        boolean published,
        String failure,
        Map<String, Long> codesPerSource,
        long validCodes,
        long distinctCodes,
        long tableBytes,
        Duration duration,
        String held,
        long added,
        long removed) {

    public RunResult(
            String runId,
            boolean published,
            String failure,
            Map<String, Long> codesPerSource,
            long validCodes,
            long distinctCodes,
            long tableBytes,
            Duration duration) {
        this(runId, published, failure, codesPerSource, validCodes, distinctCodes, tableBytes, duration, null, -1, -1);
    }

    public static RunResult failed(String runId, String reason, Duration duration) {
        return new RunResult(runId, false, reason, Map.of(), 0, 0, 0, duration);
    }

    /** A producer-only process's view of a run: every source is in Kafka; an aggregator elsewhere publishes it. */
    public static RunResult sent(String runId, Duration duration) {
        return new RunResult(runId, false, null, Map.of(), 0, 0, 0, duration);
    }

    /** Staged in full but not swapped: the guard before the swap held it, for {@code reason}. */
    public static RunResult held(
            String runId,
            String reason,
            Map<String, Long> codesPerSource,
            long valid,
            long distinct,
            long added,
            long removed,
            Duration duration) {
        return new RunResult(runId, false, null, codesPerSource, valid, distinct, 0, duration, reason, added, removed);
    }

    /** Published, held, or (producer-only) sent in full: nothing went wrong. */
    public boolean succeeded() {
        return failure == null;
    }

    public boolean isHeld() {
        return held != null;
    }

    /** The one-line summary printed by {@code --once} and logged at the end of every run. */
    public String summary() {
        String secs = String.format(java.util.Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
        if (held != null) {
            return "run " + runId + " HELD after " + secs + " s (the live set is unchanged): " + held + "; POST /runs/"
                    + runId + "/publish swaps it, DELETE /runs/" + runId + " discards it";
        }
        if (!published && failure == null) {
            return "run " + runId + " sent to Kafka in " + secs + " s; the aggregator publishes it";
        }
        if (!published) {
            return "run " + runId + " FAILED after " + secs + " s: " + failure;
        }
        StringBuilder sb = new StringBuilder("run ").append(runId).append(" published: ");
        codesPerSource.forEach((s, n) -> sb.append(s).append('=').append(n).append(" codes, "));
        sb.append(validCodes).append(" valid codes (of ").append(distinctCodes).append(" distinct)");
        if (added >= 0) {
            sb.append(", ").append(added).append(" added, ").append(removed).append(" removed");
        }
        sb.append(" in ").append(secs).append(" s");
        return sb.toString();
    }
}
