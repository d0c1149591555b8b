package dev.couponpipeline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps runs from overlapping and knows how each one ended. A run starts when a trigger (schedule, HTTP, start-up
 * or {@code --once}) is accepted, and ends when the aggregator publishes it, a source fails, or it passes its
 * deadline; until then every other trigger is refused.
 */
public final class RunCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(RunCoordinator.class);

    private final Clock clock;
    private final Duration deadlineAfterSources;
    private final RunIds ids = new RunIds();
    private final List<Consumer<RunResult>> listeners = new ArrayList<>();
    private ActiveRun active;
    private RunResult last;

    public RunCoordinator(Clock clock, Duration deadlineAfterSources) {
        this.clock = clock;
        this.deadlineAfterSources = deadlineAfterSources;
    }

    /** Starts a run and returns its id, or null when a run is already in flight (the trigger is skipped). */
    public synchronized String tryStart(String trigger) {
        if (active != null) {
            LOG.warn("Trigger '{}' skipped: run {} is still in flight (started {} s ago)", trigger, active.runId,
                    Duration.between(active.startedAt, clock.instant()).toSeconds());
            return null;
        }
        Instant now = clock.instant();
        active = new ActiveRun(ids.next(now), trigger, now);
        LOG.info("Run {} started (trigger: {})", active.runId, trigger);
        return active.runId;
    }

    /** The run in flight, if any. */
    public synchronized Optional<String> activeRunId() {
        return active == null ? Optional.empty() : Optional.of(active.runId);
    }

    /** True while {@code runId} is in flight but has been told to stop (a source failed): readers stop early. */
    public synchronized boolean isCancelled(String runId) {
        return active == null || !active.runId.equals(runId) || active.cancelled;
    }

    /** A source of the run failed: the run fails now and the other sources stop at their next record. */
    public void sourceFailed(String runId, String reason) {
        synchronized (this) {
            if (active != null && active.runId.equals(runId)) {
                active.cancelled = true;
            }
        }
        finish(RunResult.failed(runId, reason, elapsed(runId)));
    }

    /** All sources of the run have been sent; the aggregator now has until the deadline to publish it. */
    public synchronized void sourcesSent(String runId) {
        if (active != null && active.runId.equals(runId)) {
            active.sourcesSentAt = clock.instant();
            LOG.info("Run {}: all sources sent in {} s; waiting for the aggregator", runId,
                    String.format(java.util.Locale.ROOT, "%.1f",
                            Duration.between(active.startedAt, active.sourcesSentAt).toMillis() / 1000.0));
        }
    }

    /** Fails the run in flight when the aggregator has not finished it in time after its sources were sent. */
    public void checkDeadline() {
        String overdue = null;
        synchronized (this) {
            if (active != null && active.sourcesSentAt != null
                    && clock.instant().isAfter(active.sourcesSentAt.plus(deadlineAfterSources))) {
                overdue = active.runId;
            }
        }
        if (overdue != null) {
            finish(RunResult.failed(overdue, "the aggregator did not complete the run within "
                    + deadlineAfterSources.toSeconds() + " s after all sources were sent", elapsed(overdue)));
        }
    }

    /** Records how a run ended (from the aggregator or a failure) and frees the slot when it is the active run. */
    public void finish(RunResult result) {
        List<Consumer<RunResult>> toNotify;
        synchronized (this) {
            boolean wasActive = active != null && active.runId.equals(result.runId());
            if (!wasActive && last != null && last.runId().equals(result.runId())) {
                return; // already ended (e.g. failed by a source, then reported again by the aggregator)
            }
            if (wasActive) {
                active = null;
            }
            last = result;
            toNotify = List.copyOf(listeners);
        }
        if (result.published()) {
            LOG.info(result.summary());
        } else {
            LOG.error(result.summary());
        }
        toNotify.forEach(l -> l.accept(result));
    }

    /** A future completed with the result of {@code runId}. */
    public CompletableFuture<RunResult> resultOf(String runId) {
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        Consumer<RunResult> listener = r -> {
            if (r.runId().equals(runId)) {
                f.complete(r);
            }
        };
        synchronized (this) {
            if (last != null && last.runId().equals(runId)) {
                f.complete(last);
                return f;
            }
            listeners.add(listener);
        }
        f.whenComplete((r, e) -> {
            synchronized (this) {
                listeners.remove(listener);
            }
        });
        return f;
    }

    public synchronized Optional<RunResult> lastResult() {
        return Optional.ofNullable(last);
    }

    /** Time since {@code runId} started, when it is the active run; zero otherwise. */
    public synchronized Duration elapsed(String runId) {
        if (active != null && active.runId.equals(runId)) {
            return Duration.between(active.startedAt, clock.instant());
        }
        return Duration.ZERO;
    }

    private static final class ActiveRun {
        final String runId;
        final String trigger;
        final Instant startedAt;
        Instant sourcesSentAt;
        boolean cancelled;

        ActiveRun(String runId, String trigger, Instant startedAt) {
            this.runId = runId;
            this.trigger = trigger;
            this.startedAt = startedAt;
        }
    }
}
