package dev.couponpipeline.run;

import java.time.Duration;
import java.util.Map;

/** How a run ended: published with its counts, or failed with the reason. */
public record RunResult(String runId, boolean published, String failure, Map<String, Long> codesPerSource,
        long validCodes, long distinctCodes, long tableBytes, Duration duration) {

    public static RunResult failed(String runId, String reason, Duration duration) {
        return new RunResult(runId, false, reason, Map.of(), 0, 0, 0, duration);
    }

    /** A producer-only process's view of a run: every source is in Kafka; an aggregator elsewhere publishes it. */
    public static RunResult sent(String runId, Duration duration) {
        return new RunResult(runId, false, null, Map.of(), 0, 0, 0, duration);
    }

    /** Published, or (producer-only) sent in full. */
    public boolean succeeded() {
        return failure == null;
    }

    /** The one-line summary printed by {@code --once} and logged at the end of every run. */
    public String summary() {
        String secs = String.format(java.util.Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
        if (!published && failure == null) {
            return "run " + runId + " sent to Kafka in " + secs + " s; the aggregator publishes it";
        }
        if (!published) {
            return "run " + runId + " FAILED after " + secs + " s: " + failure;
        }
        StringBuilder sb = new StringBuilder("run ").append(runId).append(" published: ");
        codesPerSource.forEach((s, n) -> sb.append(s).append('=').append(n).append(" codes, "));
        sb.append(validCodes).append(" valid codes (of ").append(distinctCodes).append(" distinct) in ")
                .append(secs).append(" s");
        return sb.toString();
    }
}
