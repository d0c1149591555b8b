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
    private final boolean aggregatorHere;
    private final boolean retries;
    /** Told the id of a run that failed outside its input and deserves a retry chain (the run-retry route). */
    private volatile Consumer<String> retryWanted = id -> {};
    /** Runs that failed on their input (a bad file): retrying cannot help, so they are not retried. */
    private final RecentIds inputFailures = new RecentIds(RECENT);

    /** Runs started by a retry: their failures are the retry chain's to judge, not a new chain's. */
    private final RecentIds retryRuns = new RecentIds(RECENT);
    /** A retry chain is under way (at most one): failures meanwhile are its to cure, not a new chain's. */
    private boolean retryChain;
    /** How recent runs ended, for {@link #resultOf} asked after the end. */
    private final java.util.Map<String, RunResult> recentResults = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RunResult> eldest) {
            return size() > 100;
        }
    };

    private final RunIds ids = new RunIds();
    private final List<Consumer<RunResult>> listeners = new ArrayList<>();
    private static final int RECENT = 1000;
    /** The trigger of a run the run-retry route starts. */
    public static final String RETRY = "retry";
    /** Runs that have ended (bounded), so a run is reported once however many parts report it. */
    private final RecentIds ended = new RecentIds(RECENT);
    /** Runs started here (bounded), to tell them from runs the aggregator replays from Kafka. */
    private final RecentIds started = new RecentIds(RECENT);
    /** Runs started here that rebuild another run from Kafka: they read no file (nothing to archive or retry). */
    private final RecentIds replays = new RecentIds(RECENT);

    private String lastPublished;
    private final List<Consumer<RunResult>> permanent = new ArrayList<>();
    private ActiveRun active;
    private RunResult last;

    public RunCoordinator(Clock clock, Duration deadlineAfterSources) {
        this(clock, deadlineAfterSources, true);
    }

    /**
     * Without the aggregator in this process ({@code coupon.role=producer}), a run ends here when every source is
     * in Kafka; the aggregator, elsewhere, publishes it or fails it.
     */
    public RunCoordinator(Clock clock, Duration deadlineAfterSources, boolean aggregatorHere) {
        this(clock, deadlineAfterSources, aggregatorHere, false);
    }

    /**
     * As above; with {@code retries}, a run started here that fails for a reason other than its input (Kafka or
     * Redis down, records lost, the aggregator stalled) is handed to {@link #onRetryWanted}'s listener, which runs
     * it again (the run-retry route: Camel's redelivery, with a growing delay).
     */
    public RunCoordinator(Clock clock, Duration deadlineAfterSources, boolean aggregatorHere, boolean retries) {
        this.clock = clock;
        this.deadlineAfterSources = deadlineAfterSources;
        this.aggregatorHere = aggregatorHere;
        this.retries = retries;
    }

    /** The retry chain has ended (a run published, a bad file, or no attempt left): the next failure starts one. */
    public synchronized void retryChainEnded() {
        retryChain = false;
    }

    /** The run in flight that has not ended yet (a failed run keeps the slot until its sources stopped). */
    public synchronized Optional<String> runInFlight() {
        return active == null || active.ended ? Optional.empty() : Optional.of(active.runId);
    }

    /** {@code listener} learns the id of each run that failed outside its input and deserves a retry. */
    public void onRetryWanted(Consumer<String> listener) {
        this.retryWanted = listener;
    }

    /** Starts a run and returns its id, or null when a run is already in flight (the trigger is skipped). */
    public synchronized String tryStart(String trigger) {
        if (active != null) {
            LOG.warn(
                    "Trigger '{}' skipped: run {} (trigger '{}') is still in flight (started {} s ago)",
                    trigger,
                    active.runId,
                    active.trigger,
                    Duration.between(active.startedAt, clock.instant()).toSeconds());
            return null;
        }
        Instant now = clock.instant();
        active = new ActiveRun(ids.next(now), trigger, now);
        started.add(active.runId);
        if (RETRY.equals(trigger)) {
            retryRuns.add(active.runId);
        }
        LOG.info("Run {} started (trigger: {})", active.runId, trigger);
        return active.runId;
    }

    /** True when {@code runId} was started by this process (not another producer's, not a replay). */
    public synchronized boolean startedHere(String runId) {
        return started.contains(runId);
    }

    /** Starts a run that replays another from Kafka ({@link RunReplay}); null when a run is in flight. */
    public synchronized String tryStartReplay(String trigger) {
        String runId = tryStart(trigger);
        if (runId != null) {
            replays.add(runId);
        }
        return runId;
    }

    /** True when {@code runId} is a replay started here: it read no file. */
    public synchronized boolean isReplay(String runId) {
        return replays.contains(runId);
    }

    /** The run in flight, if any. */
    public synchronized Optional<String> activeRunId() {
        return active == null ? Optional.empty() : Optional.of(active.runId);
    }

    /** True unless {@code runId} is in flight and not told to stop (a source failed): readers stop early. */
    public synchronized boolean isCancelled(String runId) {
        return active == null || !active.runId.equals(runId) || active.cancelled;
    }

    /** A source of the run failed on its input: the run fails now and the other sources stop at their next record. */
    public void sourceFailed(String runId, String reason) {
        sourceFailed(runId, reason, true);
    }

    /** As above; {@code inputProblem} false (Kafka refused the records, say) makes the run worth a retry. */
    public void sourceFailed(String runId, String reason, boolean inputProblem) {
        if (inputProblem) {
            synchronized (this) {
                inputFailures.add(runId);
            }
        }
        finish(RunResult.failed(runId, reason, elapsed(runId)));
    }

    /**
     * True when {@code result} is a failure a retry may cure: not a bad file (it stays bad until replaced) and not
     * a replay (a retry would read the files, which may be gone or another delivery).
     */
    public synchronized boolean deservesRetry(RunResult result) {
        return !result.published()
                && !result.succeeded()
                && !inputFailures.contains(result.runId())
                && !replays.contains(result.runId());
    }

    /**
     * Every source route of the run has returned. When all were sent, the aggregator now has until the deadline
     * to publish the run; when the run already failed, its slot is freed now, so the next run's records always
     * follow this run's last record on every partition.
     */
    public void sourcesStopped(String runId, boolean allSent) {
        RunResult sent;
        synchronized (this) {
            if (active == null || !active.runId.equals(runId)) {
                return;
            }
            active.sourcesStopped = true;
            if (active.ended) {
                active = null;
                return;
            }
            if (!allSent) {
                return;
            }
            active.sourcesSentAt = clock.instant();
            Duration took = Duration.between(active.startedAt, active.sourcesSentAt);
            if (aggregatorHere) {
                LOG.info(
                        "Run {}: all sources sent in {} s; waiting for the aggregator",
                        runId,
                        String.format(java.util.Locale.ROOT, "%.1f", took.toMillis() / 1000.0));
                return;
            }
            sent = RunResult.sent(runId, took);
        }
        finish(sent);
    }

    /**
     * The run could not even start its sources (its preflight could not be made, say): fails it with
     * {@code reason}, worth a retry, and frees its slot.
     */
    public void abandon(String runId, String reason) {
        sourceFailed(runId, reason, false);
        sourcesStopped(runId, false);
    }

    /** Fails the run in flight, if any, now (an {@link Error} in some thread: see {@link FatalErrors}). */
    public java.util.Optional<String> failActive(String reason) {
        String runId;
        synchronized (this) {
            runId = active == null || active.ended ? null : active.runId;
        }
        if (runId != null) {
            finish(RunResult.failed(runId, reason, elapsed(runId)));
        }
        return java.util.Optional.ofNullable(runId);
    }

    /** Fails the run in flight when the aggregator has not finished it in time after its sources were sent. */
    public void checkDeadline() {
        String overdue = null;
        synchronized (this) {
            if (active != null
                    && !active.ended
                    && active.sourcesSentAt != null
                    && clock.instant().isAfter(active.sourcesSentAt.plus(deadlineAfterSources))) {
                overdue = active.runId;
            }
        }
        if (overdue != null) {
            finish(RunResult.failed(
                    overdue,
                    "the aggregator did not complete the run within " + deadlineAfterSources.toSeconds()
                            + " s after all sources were sent",
                    elapsed(overdue)));
        }
    }

    /**
     * Records how a run ended (from the aggregator or a failure), once. The slot is freed now, or for a failed
     * run whose sources are still stopping, when they have stopped.
     */
    public void finish(RunResult result) {
        List<Consumer<RunResult>> toNotify;
        boolean startedHere;
        boolean wantRetry;
        synchronized (this) {
            if (ended.contains(result.runId())) {
                return; // already ended (e.g. failed by a source, then reported again by the aggregator)
            }
            remember(result.runId());
            if (result.published() && (lastPublished == null || result.runId().compareTo(lastPublished) > 0)) {
                lastPublished = result.runId();
            }
            boolean wasActive = active != null && active.runId.equals(result.runId());
            startedHere = wasActive || started.contains(result.runId());
            if (wasActive) {
                active.ended = true;
                active.cancelled = true;
                if (active.sourcesStopped || result.published() || result.succeeded()) {
                    active = null;
                }
            }
            last = result;
            toNotify = new ArrayList<>(permanent);
            toNotify.addAll(listeners);
            recentResults.put(result.runId(), result);
            wantRetry = startedHere
                    && retries
                    && !retryChain
                    && deservesRetry(result)
                    && !retryRuns.contains(result.runId());
            retryChain |= wantRetry;
            if (startedHere && !result.published() && isReplay(result.runId())) {
                LOG.warn("Replay {} failed; not retried from the files", result.runId());
            }
        }
        if (result.isHeld()) {
            LOG.warn(result.summary());
        } else if (result.succeeded()) {
            LOG.info(result.summary());
        } else if (startedHere) {
            LOG.error(result.summary());
        } else {
            LOG.warn(
                    "{} (a run this process did not start: another producer's, or replayed from Kafka)",
                    result.summary());
        }
        toNotify.forEach(l -> l.accept(result));
        if (wantRetry) {
            retryWanted.accept(result.runId());
        }
    }

    private void remember(String runId) {
        ended.add(runId);
    }

    /** {@code listener} learns how every run ends, once per run (the meters, say). */
    public synchronized void onResult(Consumer<RunResult> listener) {
        permanent.add(listener);
    }

    /**
     * The run whose sources are all in Kafka and that waits for an aggregator (maybe in another process) to
     * publish or fail it, if any.
     */
    public synchronized Optional<String> awaitingAggregator() {
        return active != null && !active.ended && active.sourcesSentAt != null
                ? Optional.of(active.runId)
                : Optional.empty();
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
            RunResult ended = recentResults.get(runId);
            if (ended != null) {
                f.complete(ended);
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

    /** The newest run this process saw published (by its aggregator, or by an operator here), or null. */
    public synchronized String lastPublished() {
        return lastPublished;
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
        boolean ended;
        boolean sourcesStopped;

        ActiveRun(String runId, String trigger, Instant startedAt) {
            this.runId = runId;
            this.trigger = trigger;
            this.startedAt = startedAt;
        }
    }
}
