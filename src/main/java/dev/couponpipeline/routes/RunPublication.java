package dev.couponpipeline.routes;

import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.redis.ValidSetPublisher;
import dev.couponpipeline.redis.ValidSetPublisher.Outcome;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunResult;
import dev.couponpipeline.run.RunSequencer;
import dev.couponpipeline.run.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a run the aggregator has closed: a complete run is published (its parts counted here are
 * staged and marked done; the instance whose parts complete the run swaps it live) and only once it is live are
 * its Kafka offsets committed; an incomplete one (a source failed, counts disagree, it stalled or was overtaken)
 * is reported, its offsets are committed because no replay can complete it, and the live set stays.
 */
public final class RunPublication {

    private static final Logger LOG = LoggerFactory.getLogger(RunPublication.class);

    private final ValidSetPublisher publisher;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;
    private final OffsetCommitter offsets;
    private final RunSequencer sequencer;
    /** Runs whose parts are staged here while other instances' parts are still to come. */
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();

    private record Waiting(String runId, Map<String, Map<Integer, Long>> lastOffsets, Instant startedAt) {
    }

    public RunPublication(ValidSetPublisher publisher, RunCoordinator coordinator, PipelineMetrics metrics,
            OffsetCommitter offsets, RunSequencer sequencer) {
        this.publisher = publisher;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.offsets = offsets;
        this.sequencer = sequencer;
    }

    public boolean isComplete(Exchange exchange) {
        return exchange.getMessage().getBody(RunState.class).isComplete();
    }

    public void publish(Exchange exchange) {
        RunState run = exchange.getMessage().getBody(RunState.class);
        List<Integer> parts = run.countedParts();
        LOG.info("Run {} complete here (partition(s) {} of {}): table {} bytes; publishing", run.runId(), parts,
                run.partitions(), run.tableBytes());
        Outcome outcome = publisher.publish(run);
        sequencer.published(run.runId(), parts);
        switch (outcome.status()) {
            case SWAPPED -> {
                sequencer.live(run.runId());
                offsets.commitAfter(run.lastOffsets());
                coordinator.closedByAggregator(run.runId());
                RunResult result = new RunResult(run.runId(), true, null, outcome.codesPerSource(),
                        outcome.validCodes(), outcome.distinctCodes(), run.tableBytes(), duration(run));
                metrics.runEnded(result);
                coordinator.finish(result);
            }
            case WAITING -> {
                LOG.info("Run {}: partition(s) {} staged; the run goes live when the other instances' parts are in",
                        run.runId(), parts);
                waiting.add(new Waiting(run.runId(), run.lastOffsets(), run.startedAt()));
            }
            case NEWER_LIVE -> {
                // a replayed run that a newer one already replaced: final, so the offsets move past it
                offsets.commitAfter(run.lastOffsets());
                coordinator.closedByAggregator(run.runId());
                RunResult result = RunResult.failed(run.runId(), "not published: Redis already holds a newer run",
                        duration(run));
                metrics.runEnded(result);
                coordinator.finish(result);
            }
        }
    }

    /**
     * Commits the offsets of runs staged here once Redis holds them (or a newer run): called every second. The
     * live run id it reads also lets the aggregator drop replays of runs that are already live.
     */
    public void checkWaiting() {
        String live = publisher.liveRunId();
        sequencer.live(live);
        if (live == null) {
            return;
        }
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext();) {
            Waiting w = it.next();
            if (live.compareTo(w.runId()) >= 0) {
                it.remove();
                offsets.commitAfter(w.lastOffsets());
                coordinator.closedByAggregator(w.runId());
                LOG.info("Run {} is {}: committing this instance's offsets", w.runId(),
                        live.equals(w.runId()) ? "live" : "replaced by the newer run " + live);
                // a coordinator in this process that started the run learns how it ended
                Duration took = Duration.between(w.startedAt(), Instant.now());
                coordinator.finish(live.equals(w.runId()) ? publisher.liveResult(w.runId(), took)
                        : RunResult.failed(w.runId(), "replaced by the newer run " + live, took));
            }
        }
    }

    public void incomplete(Exchange exchange) {
        RunState run = exchange.getMessage().getBody(RunState.class);
        String completedBy = exchange.getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class);
        String reason = "timeout".equals(completedBy) && run.failure() == null
                ? "stalled: no record for the run arrived within the completion timeout; " + run.incompleteReason()
                : run.incompleteReason();
        RunResult result = RunResult.failed(run.runId(), reason, duration(run));
        sequencer.failedForGood(run.runId());
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
