package dev.couponpipeline.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Is a code in the live set? Asks Redis, or answers from a near cache of recent answers.
 *
 * <p>The cache (a "view") belongs to one live run: a poller reads the live run's id every quarter of the bound, and
 * the view answers only while the poll that last found its run live was sent at most {@code bound} ago. So an answer from the cache is
 * never from a set that stopped being the live one more than {@code bound} earlier, whether or not Redis, the poller
 * or the network is healthy. Each Redis answer carries the id of the set it was read from (one atomic read): a
 * different id than the view's means the live set changed, and the view is dropped at once, before that answer is
 * returned; so is the first answer that shows a run id no answer showed before, even without a view. A poll sent
 * before such an answer is ignored (it may have read the older run). A client that asks one instance again and
 * again therefore never gets an answer from an older run than one it already got: each code changes at most once
 * per swap.
 *
 * <p>Plain Java: {@link LiveSet} is the one thing that talks to Redis.
 */
public final class CodeLookup implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CodeLookup.class);

    /** The live set, as Redis holds it. */
    public interface LiveSet {

        /** The code's membership and the run id of the set it was read from ("" for none), read atomically. */
        Answer check(String code);

        /** The live run's id, or "" when none is published. */
        String liveRunId();
    }

    /** Whether a code is in the set of run {@code runId}. */
    public record Answer(boolean valid, String runId) {}

    /** Cached answers of one live run. */
    private static final class View {
        final String runId;
        final ConcurrentHashMap<String, Boolean> answers = new ConcurrentHashMap<>();
        /** When the poll that last found this run live was sent. */
        volatile long confirmedAt;

        View(String runId, long confirmedAt) {
            this.runId = runId;
            this.confirmedAt = confirmedAt;
        }
    }

    private final LiveSet liveSet;
    private final long boundNanos;
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final Object lock = new Object();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private volatile View view;
    /**
     * The last time a Redis answer showed a run id other than the view's or than the answer before it: polls sent
     * before it are ignored.
     */
    private long changedAt = Long.MIN_VALUE;
    /** The run id of the latest Redis answer that changed it. */
    private volatile String lastSeenRunId;

    private ScheduledExecutorService poller;
    private volatile boolean closed;
    private volatile boolean failing;

    /**
     * @param bound how old the confirmation of a cached answer's set may be; 0 turns the cache off
     * @param maxEntries cached answers per live run at most (further answers are asked from Redis each time)
     */
    public CodeLookup(LiveSet liveSet, java.time.Duration bound, int maxEntries, LongSupplier nanoClock) {
        this.liveSet = liveSet;
        this.boundNanos = bound.toNanos();
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
    }

    public boolean cacheEnabled() {
        return boundNanos > 0 && maxEntries > 0;
    }

    /** The staleness bound of a cached answer. */
    public java.time.Duration bound() {
        return java.time.Duration.ofNanos(boundNanos);
    }

    /** For the log: whether the cache is on, its bound and size. */
    public String describe() {
        return cacheEnabled()
                ? "answers at most " + bound().toMillis() + " ms behind a swap, up to " + maxEntries + " codes"
                : "off";
    }

    /** Starts polling the live run's id (every quarter of the bound), when the cache is on. */
    public synchronized void start() {
        if (!cacheEnabled() || poller != null) {
            return;
        }
        closed = false;
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-set-poll");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, boundNanos / 4);
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, period, TimeUnit.NANOSECONDS);
    }

    /** Stops the poller (waiting for a poll in flight) and empties the cache; {@link #start} starts it again. */
    @Override
    public synchronized void close() {
        closed = true;
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller = null;
        }
        synchronized (lock) {
            view = null;
        }
    }

    /**
     * The cached answer, or null when the cache cannot answer (off, no confirmed view, or not cached): never
     * blocks, so an event loop may call it.
     */
    public Boolean cached(String code) {
        View v = view;
        if (v == null || nanoClock.getAsLong() - v.confirmedAt > boundNanos) {
            return null;
        }
        Boolean answer = v.answers.get(code);
        if (answer != null) {
            hits.increment();
        }
        return answer;
    }

    /** The answer, from the cache or from Redis (blocking: one round trip). */
    public boolean valid(String code) {
        Boolean hit = cached(code);
        if (hit != null) {
            return hit;
        }
        return fromRedis(code);
    }

    /** Asks Redis (one round trip) and keeps the answer when it comes from the view's run. */
    public boolean fromRedis(String code) {
        misses.increment();
        Answer a = liveSet.check(code);
        View v = view; // the view now, after the read: it may have changed while Redis answered
        if (v != null && v.runId.equals(a.runId())) {
            if (v.answers.size() < maxEntries) {
                v.answers.putIfAbsent(code, a.valid());
            }
        } else if (v != null || !a.runId().equals(lastSeenRunId)) {
            // another run than the view's, or a run id no answer showed before (the live set was swapped): no view
            // of another run answers from now on, and a poll sent before this moment may have read the older run,
            // so only a poll sent after it makes a new view
            synchronized (lock) {
                changedAt = nanoClock.getAsLong();
                View current = view;
                if (current != null && !current.runId.equals(a.runId())) {
                    view = null;
                }
                lastSeenRunId = a.runId(); // last: whoever reads it has seen the view dropped
            }
        }
        return a.valid();
    }

    /** One poll of the live run's id: confirms the view, or starts a new one for a new run. */
    public void poll() {
        if (!cacheEnabled() || closed) {
            return;
        }
        long sentAt = nanoClock.getAsLong();
        String runId = liveSet.liveRunId();
        synchronized (lock) {
            if (closed || sentAt <= changedAt) {
                return; // a Redis answer after this poll was sent showed another set: the next poll decides
            }
            View v = view;
            if (v != null && v.runId.equals(runId)) {
                v.confirmedAt = Math.max(v.confirmedAt, sentAt);
            } else {
                view = new View(runId, sentAt);
            }
        }
    }

    private void pollQuietly() {
        try {
            poll();
            failing = false;
        } catch (Throwable e) {
            // Redis did not answer: the view is not confirmed, so it stops answering once the bound has passed
            if (!failing) {
                LOG.warn(
                        "The near cache cannot read the live run's id ({}): answers come from Redis until it can",
                        e.toString());
                failing = true;
            }
        }
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** Answers the current view holds (0 without one). */
    public int cachedEntries() {
        View v = view;
        return v == null ? 0 : v.answers.size();
    }
}
