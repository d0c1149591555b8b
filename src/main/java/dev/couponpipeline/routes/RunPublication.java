package dev.couponpipeline.routes;

import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.redis.ValidSetPublisher;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunResult;
import dev.couponpipeline.run.RunState;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a run the aggregator has closed: a complete run is published and only then are its Kafka
 * offsets committed; an incomplete one (a source failed, counts disagree, or it stalled past the completion
 * timeout) is reported, its offsets are committed because no replay can complete it, and the live set stays.
 */
public final class RunPublication {

    private static final Logger LOG = LoggerFactory.getLogger(RunPublication.class);

    private final ValidSetPublisher publisher;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;
    private final OffsetCommitter offsets;

    public RunPublication(ValidSetPublisher publisher, RunCoordinator coordinator, PipelineMetrics metrics,
            OffsetCommitter offsets) {
        this.publisher = publisher;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.offsets = offsets;
    }

    public boolean isComplete(Exchange exchange) {
        return exchange.getMessage().getBody(RunState.class).isComplete();
    }

    public void publish(Exchange exchange) {
        RunState run = exchange.getMessage().getBody(RunState.class);
        long distinct = run.distinctCodes();
        LOG.info("Run {} complete: {} distinct codes, table {} bytes ({} B/code); publishing", run.runId(),
                distinct, run.tableBytes(), distinct == 0 ? 0 : run.tableBytes() / distinct);
        long valid;
        try {
            valid = publisher.publish(run);
        } catch (ValidSetPublisher.NewerRunLiveException e) {
            // a replayed run that a newer one already replaced: final, so the offsets move past it
            offsets.commitAfter(run.lastOffsets());
            coordinator.closedByAggregator(run.runId());
            RunResult result = RunResult.failed(run.runId(), e.getMessage(), duration(run));
            metrics.runEnded(result);
            coordinator.finish(result);
            return;
        }
        offsets.commitAfter(run.lastOffsets());
        coordinator.closedByAggregator(run.runId());
        RunResult result = new RunResult(run.runId(), true, null, run.codesPerSource(), valid, distinct,
                run.tableBytes(), duration(run));
        metrics.runEnded(result);
        coordinator.finish(result);
    }

    public void incomplete(Exchange exchange) {
        RunState run = exchange.getMessage().getBody(RunState.class);
        String completedBy = exchange.getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class);
        String reason = "timeout".equals(completedBy) && run.failure() == null
                ? "stalled: no record for the run arrived within the completion timeout; " + run.incompleteReason()
                : run.incompleteReason();
        RunResult result = RunResult.failed(run.runId(), reason, duration(run));
        // the run can never be published, whatever a replay does: move the offsets past it
        offsets.commitAfter(run.lastOffsets());
        coordinator.closedByAggregator(run.runId());
        metrics.runEnded(result);
        coordinator.finish(result);
    }

    /**
     * The publish itself failed (after retries): the run fails and the previous live set stays. Offsets are not
     * committed, so the run is replayed from Kafka and published when the aggregator restarts.
     */
    public void publishFailed(Exchange exchange) {
        RunState run = exchange.getMessage().getBody(RunState.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        RunResult result = RunResult.failed(run.runId(), "publishing to Redis failed: " + e, duration(run));
        metrics.runEnded(result);
        coordinator.finish(result);
    }

    private Duration duration(RunState run) {
        Duration d = coordinator.elapsed(run.runId());
        return d.isZero() ? Duration.between(run.startedAt(), Instant.now()) : d;
    }
}
