package dev.couponpipeline.publish;

import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunIds;
import dev.couponpipeline.run.RunResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the coordinator how its run ended when the aggregator that ended it is another process: Redis holds the
 * answer, the live set's metadata (published) or the failure an aggregator recorded. Called every second while
 * a run waits for the aggregator.
 */
public final class RunOutcomeWatch {

    private static final Logger LOG = LoggerFactory.getLogger(RunOutcomeWatch.class);

    private final RunCoordinator coordinator;
    private final LiveSetPublisher publisher;
    private final Clock clock;

    public RunOutcomeWatch(RunCoordinator coordinator, LiveSetPublisher publisher, Clock clock) {
        this.coordinator = coordinator;
        this.publisher = publisher;
        this.clock = clock;
    }

    public void check() {
        coordinator.awaitingAggregator().ifPresent(runId -> {
            try {
                String live = publisher.liveRunId();
                if (live != null && live.compareTo(runId) >= 0) {
                    coordinator.finish(
                            live.equals(runId)
                                    ? publisher.liveResult(runId, took(runId))
                                    : RunResult.failed(runId, "replaced by the newer run " + live, took(runId)));
                    return;
                }
                java.util.Map<String, String> held = publisher.heldRun();
                if (runId.equals(held.get("runId"))) {
                    coordinator.finish(RunResult.held(
                            runId,
                            held.get("reason"),
                            java.util.Map.of(),
                            number(held, "valid"),
                            number(held, "distinct"),
                            number(held, "added"),
                            number(held, "removed"),
                            took(runId)));
                    return;
                }
                String failure = publisher.failureOf(runId);
                if (failure != null) {
                    coordinator.finish(RunResult.failed(runId, failure, took(runId)));
                }
            } catch (RuntimeException e) {
                LOG.debug("Could not read run {}'s outcome from Redis: {}", runId, e.toString());
            }
        });
    }

    private static long number(java.util.Map<String, String> m, String key) {
        try {
            return Long.parseLong(m.getOrDefault(key, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Duration took(String runId) {
        Instant start = RunIds.startOf(runId);
        return start == null ? Duration.ZERO : Duration.between(start, clock.instant());
    }
}
