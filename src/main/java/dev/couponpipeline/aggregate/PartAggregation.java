package dev.couponpipeline.aggregate;

import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.publish.LiveSetPublisher;
import dev.couponpipeline.publish.LiveSetPublisher.Outcome;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.run.RecentIds;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.run.RunIds;
import dev.couponpipeline.run.RunResult;
import dev.couponpipeline.table.PartTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's steps, each one line in a route: read a control record, drop it when its run is settled
 * already, and, once every source has ended a partition, build that part of the run from Kafka, stage its valid
 * codes and mark it done in Redis (the last part swaps the run live).
 *
 * <p>Nothing here survives a crash, and nothing needs to: which parts are done is recorded in Redis, where a part
 * is are the control records in Kafka. The aggregator route reads its control partitions from their beginning on
 * every assignment, so after a crash or a rebalance every part not yet done is simply built again.
 */
public final class PartAggregation implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(PartAggregation.class);
    private static final int RECENT = 1000;
    private static final Duration LIVE_CACHE = Duration.ofSeconds(1);
    private static final Duration IDLE_RELEASE = Duration.ofSeconds(5);

    private final LiveSetPublisher publisher;
    private final RunHistory history;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;
    private final Supplier<RangeReader> readers;
    private final int minSources;
    private final long budgetBytes;
    private final int maxCodeBytes;
    private final Clock clock;
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final Set<Worker> all = ConcurrentHashMap.newKeySet();
    /** Parts being built here, by "run/partition": a replayed control record does not build one twice at once. */
    private final Map<String, Worker> inProgress = new ConcurrentHashMap<>();
    /** Runs that failed here (bounded): their other parts are not built. */
    private final RecentIds failedRuns = new RecentIds(RECENT);

    private volatile String liveRunId;
    private volatile Instant liveReadAt = Instant.MIN;
    private volatile Instant lastActive = Instant.MIN;

    /** A part builder with its own Kafka reader and table: one per concurrent part. */
    private record Worker(PartBuilder builder, PartTable table, RangeReader reader) {}

    public PartAggregation(
            LiveSetPublisher publisher,
            RunHistory history,
            RunCoordinator coordinator,
            PipelineMetrics metrics,
            Supplier<RangeReader> readers,
            int minSources,
            long budgetBytes,
            int maxCodeBytes,
            Clock clock) {
        this.publisher = publisher;
        this.history = history;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.clock = clock;
        this.readers = readers;
        this.minSources = minSources;
        this.budgetBytes = budgetBytes;
        this.maxCodeBytes = maxCodeBytes;
        metrics.aggregatorGauges(this::openRuns, this::tableCodes, this::tableBytes);
    }

    /** The control record in a Kafka record's value; null (dropped, with a warning) when it is not one. */
    public ControlRecord parse(byte[] value) {
        try {
            return ControlRecord.parse(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring a record on the control topic: {}", e.getMessage());
            return null;
        }
    }

    /** False for a record of a run that is live already or older than the live one: nothing to do for it. */
    public boolean isOpen(ControlRecord r) {
        if (r == null) {
            return false;
        }
        String live = live();
        return live == null || r.run().compareTo(live) > 0;
    }

    private String live() {
        Instant now = clock.instant();
        if (now.isAfter(liveReadAt.plus(LIVE_CACHE))) {
            liveRunId = publisher.liveRunId();
            liveReadAt = now;
        }
        return liveRunId;
    }

    /** Acts on a part whose aggregation group closed: build it, report why it failed, or let it go. */
    public void process(Exchange exchange) {
        PartEnds part = exchange.getMessage().getBody(PartEnds.class);
        if (part.failure() != null) {
            failed(part.runId(), part.failure());
        } else if (!part.isComplete()) {
            // no failure to report: the producer stopped mid-file (its run fails by its own deadline), or Kafka
            // moved the partition to another instance, which reads it from the start
            LOG.info(
                    "Dropping {}: only {} of its sources ended it within the completion timeout (missing {})",
                    part,
                    part.sources().size() - part.missing().size(),
                    part.missing());
        } else {
            build(part);
        }
    }

    private void build(PartEnds part) {
        String key = part.runId() + "/" + part.partition();
        String live = live();
        if (failedRuns.contains(part.runId())
                || (live != null && part.runId().compareTo(live) <= 0)
                || publisher.isPartDone(part.runId(), part.partition())
                || publisher.failureOf(part.runId()) != null) {
            LOG.debug("Skipping {}: done, live, failed or discarded already", part);
            return;
        }
        Worker w = borrow();
        if (inProgress.putIfAbsent(key, w) != null) {
            idle.push(w);
            return;
        }
        lastActive = clock.instant();
        boolean broken = false;
        try {
            long began = System.nanoTime();
            PartBuilder.Result r;
            LiveSetPublisher.Staging staging = publisher.staging(part.runId());
            try (staging) {
                r = w.builder()
                        .build(
                                part,
                                staging,
                                s -> metrics.recordConsumed(part.sources().get(s)));
            }
            long scriptStart = System.nanoTime();
            Outcome o = publisher.publishPart(
                    staging,
                    part.partition(),
                    part.partitions(),
                    r.valid(),
                    r.distinct(),
                    r.codesPerSource(),
                    part.sources(),
                    (scriptStart - began) / 1_000_000);
            long scriptMillis = (System.nanoTime() - scriptStart) / 1_000_000;
            metrics.partBuilt(o.status().name().toLowerCase(java.util.Locale.ROOT));
            switch (o.status()) {
                case SWAPPED -> {
                    liveRunId = part.runId();
                    history.swapTook(part.runId(), scriptMillis);
                    coordinator.finish(new RunResult(
                            part.runId(),
                            true,
                            null,
                            o.codesPerSource(),
                            o.validCodes(),
                            o.distinctCodes(),
                            w.table().bytes(),
                            durationOf(part.runId()),
                            null,
                            o.added(),
                            o.removed()));
                }
                case HELD -> {
                    history.swapTook(part.runId(), scriptMillis);
                    coordinator.finish(RunResult.held(
                            part.runId(),
                            o.heldReason(),
                            o.codesPerSource(),
                            o.validCodes(),
                            o.distinctCodes(),
                            o.added(),
                            o.removed(),
                            durationOf(part.runId())));
                }
                case WAITING ->
                    LOG.debug(
                            "{}: {} valid of {} distinct codes staged in {} pass(es)",
                            part,
                            r.valid(),
                            r.distinct(),
                            r.passes());
                case LIVE_OR_NEWER, NOT_HELD ->
                    LOG.info("{} is not published: Redis already holds it or a newer run", part);
            }
        } catch (PartFailedException | LiveSetPublisher.StagingLostException e) {
            failed(part.runId(), e.getMessage());
        } catch (VirtualMachineError e) {
            // out of memory, say: the run fails now (not after every retry), and this worker's state is dropped
            broken = true;
            LOG.error("Building {} failed: {}", part, e.toString(), e);
            failed(part.runId(), "the aggregator failed building partition " + part.partition() + ": " + e);
        } finally {
            inProgress.remove(key);
            lastActive = clock.instant();
            if (broken) {
                all.remove(w);
                w.table().release();
                w.reader().close();
            } else {
                idle.push(w);
            }
        }
    }

    /**
     * A part can never complete, so neither can its run: recorded in Redis for every instance (and for the
     * process that started the run), reported once. A failure already recorded (a replay) stays quiet.
     */
    private void failed(String runId, String reason) {
        if (!failedRuns.add(runId)) {
            return;
        }
        metrics.partBuilt("failed");
        String known;
        try {
            known = publisher.failureOf(runId);
            if (known == null) {
                publisher.recordFailure(runId, reason);
            }
        } catch (RuntimeException e) {
            known = null; // Redis is away: the process that started the run still learns of it here, or by its deadline
        }
        if (known != null) {
            LOG.debug("Run {} failed already: {}", runId, known);
            return;
        }
        coordinator.finish(RunResult.failed(runId, reason, durationOf(runId)));
    }

    /** The part could not be built or published after every retry (Redis or Kafka away): its run fails here. */
    public void gaveUp(Exchange exchange) {
        PartEnds part = exchange.getMessage().getBody(PartEnds.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e instanceof dev.couponpipeline.aggregate.RangeStalledException
                ? "reading the run back from Kafka failed: " + e.getMessage()
                : "publishing to Redis failed: " + e;
        if (failedRuns.add(part.runId())) {
            metrics.partBuilt("failed");
            coordinator.finish(RunResult.failed(part.runId(), reason, durationOf(part.runId())));
        }
    }

    private Duration durationOf(String runId) {
        Instant start = RunIds.startOf(runId);
        return start == null ? Duration.ZERO : Duration.between(start, clock.instant());
    }

    private Worker borrow() {
        Worker w = idle.poll();
        if (w != null) {
            return w;
        }
        PartTable table = new PartTable();
        RangeReader reader = readers.get();
        w = new Worker(new PartBuilder(reader, table, minSources, budgetBytes, maxCodeBytes), table, reader);
        all.add(w);
        return w;
    }

    /** Frees the tables kept for the next part once nothing was built for a while; called every few seconds. */
    public void releaseIdle() {
        if (inProgress.isEmpty() && clock.instant().isAfter(lastActive.plus(IDLE_RELEASE))) {
            for (Worker w : idle) {
                w.table().release();
            }
        }
    }

    private long openRuns() {
        return inProgress.keySet().stream()
                .map(k -> k.substring(0, k.indexOf('/')))
                .distinct()
                .count();
    }

    private long tableCodes() {
        return inProgress.values().stream().mapToLong(w -> w.table().added()).sum();
    }

    private long tableBytes() {
        return all.stream().mapToLong(w -> w.table().bytes()).sum();
    }

    @Override
    public void start() {
        // readers are made on first use
    }

    @Override
    public void stop() {
        for (Worker w : all) {
            try {
                w.reader().close();
            } catch (RuntimeException e) {
                LOG.debug("Closing a range reader: {}", e.toString());
            }
        }
        all.clear();
        idle.clear();
    }
}
