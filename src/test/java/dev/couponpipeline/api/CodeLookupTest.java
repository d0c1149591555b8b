package dev.couponpipeline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The near cache against a live set held in memory: what it may answer, for how long, and across swaps. */
class CodeLookupTest {

    /** A live set that swaps atomically, as RENAME does, and counts what it is asked. */
    static final class FakeLiveSet implements CodeLookup.LiveSet {
        record Run(String id, Set<String> codes) {}

        final AtomicReference<Run> live = new AtomicReference<>(new Run("", Set.of()));
        final AtomicInteger checks = new AtomicInteger();
        volatile Runnable duringPoll = () -> {};
        /** Runs once, inside the next check, before it reads the set. */
        volatile Runnable duringCheck = null;
        /** Runs once, inside the next check, after it read the set and before it answers. */
        volatile Runnable afterRead = null;

        void swap(String id, Set<String> codes) {
            live.set(new Run(id, codes));
        }

        @Override
        public CodeLookup.Answer check(String code) {
            checks.incrementAndGet();
            Runnable hook = duringCheck;
            if (hook != null) {
                duringCheck = null;
                hook.run();
            }
            Run r = live.get();
            Runnable after = afterRead;
            if (after != null) {
                afterRead = null;
                after.run();
            }
            return new CodeLookup.Answer(r.codes().contains(code), r.id());
        }

        @Override
        public String liveRunId() {
            String id = live.get().id();
            duringPoll.run();
            return id;
        }
    }

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FakeLiveSet redis = new FakeLiveSet();

    private CodeLookup lookup(long boundMs) {
        return new CodeLookup(redis, Duration.ofMillis(boundMs), 1000, now::get);
    }

    private void advanceMs(long ms) {
        now.addAndGet(ms * 1_000_000L);
    }

    @Test
    void off_asks_redis_every_time() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup off = lookup(0);
        off.poll();
        assertTrue(off.valid("AAAAAAAA"));
        assertTrue(off.valid("AAAAAAAA"));
        assertEquals(2, redis.checks.get());
        assertFalse(off.cacheEnabled());
    }

    @Test
    void answers_from_the_cache_only_while_the_live_run_was_confirmed_within_the_bound() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup cache = lookup(100);
        assertTrue(cache.valid("AAAAAAAA"), "no view yet: Redis answers");
        assertNull(cache.cached("AAAAAAAA"), "and without a confirmed view nothing is kept");
        advanceMs(1); // a poll sent after that first answer (one sent before it could have read an older run)
        cache.poll();
        assertTrue(cache.valid("AAAAAAAA"));
        assertFalse(cache.valid("BBBBBBBB"));
        assertEquals(3, redis.checks.get());
        assertEquals(Boolean.TRUE, cache.cached("AAAAAAAA"));
        assertEquals(Boolean.FALSE, cache.cached("BBBBBBBB"));
        assertEquals(3, redis.checks.get(), "cached answers do not ask Redis");

        advanceMs(100);
        assertEquals(Boolean.TRUE, cache.cached("AAAAAAAA"), "confirmed exactly the bound ago: still answers");
        advanceMs(1);
        assertNull(cache.cached("AAAAAAAA"), "no poll confirmed the run within the bound: the cache is silent");
        assertTrue(cache.valid("AAAAAAAA"));
        assertEquals(4, redis.checks.get());
        cache.poll();
        assertEquals(Boolean.TRUE, cache.cached("AAAAAAAA"), "a poll that finds the same run keeps the answers");
    }

    @Test
    void a_swap_is_seen_by_the_next_poll_and_by_the_first_redis_answer_from_the_new_set() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup cache = lookup(100);
        cache.poll();
        assertTrue(cache.valid("AAAAAAAA"));
        assertFalse(cache.valid("BBBBBBBB"));
        redis.swap("r2", Set.of("BBBBBBBB"));

        // a miss on another code reads the new set: from then on the old answers are gone
        assertFalse(cache.valid("CCCCCCCC"));
        assertNull(cache.cached("AAAAAAAA"));
        assertFalse(cache.valid("AAAAAAAA"), "asked again, from the new set");
        assertTrue(cache.valid("BBBBBBBB"));

        // without any miss, the poll does it (one sent after the miss above: see the next test)
        redis.swap("r3", Set.of("AAAAAAAA"));
        advanceMs(1);
        cache.poll();
        assertTrue(cache.valid("AAAAAAAA"));
        redis.swap("r4", Set.of());
        assertEquals(Boolean.TRUE, cache.cached("AAAAAAAA"), "until a poll or a miss sees r4: within the bound");
        advanceMs(30);
        cache.poll();
        assertNull(cache.cached("AAAAAAAA"), "the poll found r4");
        assertFalse(cache.valid("AAAAAAAA"));
    }

    @Test
    void a_poll_sent_before_a_redis_answer_from_a_newer_set_does_not_bring_the_old_run_back() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup cache = lookup(100);
        cache.poll();
        assertTrue(cache.valid("AAAAAAAA"));
        // the poll reads r1; before its answer is used, the set is swapped and a request reads the new set
        redis.duringPoll = () -> {
            redis.swap("r2", Set.of());
            advanceMs(1);
            assertFalse(cache.valid("BBBBBBBB"), "a code not cached: Redis answers from r2");
        };
        cache.poll();
        redis.duringPoll = () -> {};
        assertNull(cache.cached("AAAAAAAA"), "the late poll's r1 must not make a view again");
        assertFalse(cache.valid("AAAAAAAA"));
        advanceMs(1);
        cache.poll();
        assertFalse(cache.valid("AAAAAAAA"));
        assertEquals(Boolean.FALSE, cache.cached("AAAAAAAA"), "a poll sent later makes the r2 view");
    }

    /**
     * A slow miss: while it waits for Redis, a poll makes a view of r1, another miss caches a code in it, and the
     * set is swapped. The slow miss then reads r2, with no view when it started: it must still drop the r1 view,
     * or the next request would get r1's answer after r2's.
     */
    @Test
    void a_miss_that_started_without_a_view_still_drops_a_view_of_an_older_run() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup cache = lookup(100);
        redis.duringCheck = () -> {
            advanceMs(1);
            cache.poll();
            assertTrue(cache.valid("AAAAAAAA"), "another client, cached in the r1 view");
            assertEquals(Boolean.TRUE, cache.cached("AAAAAAAA"));
            redis.swap("r2", Set.of());
        };
        assertFalse(cache.valid("AAAAAAAA"), "the slow miss reads r2"); // started with no view
        assertFalse(cache.valid("AAAAAAAA"), "and the next answer must not be r1's again");
        assertNull(cache.cached("AAAAAAAA"));
    }

    /**
     * Three requests in flight across one swap, with no view: a slow miss M read r1; a poll P read r1 too; then
     * the swap, and client C's miss reads r2 (no view to drop). P must not make an r1 view after that, or M would
     * cache r1's answer in it and C's next request would get it.
     */
    @Test
    void a_poll_that_read_the_old_run_makes_no_view_after_a_miss_read_the_new_one() {
        redis.swap("r1", Set.of("AAAAAAAA"));
        CodeLookup cache = lookup(100);
        assertFalse(cache.valid("BBBBBBBB")); // r1 seen
        advanceMs(1);
        boolean[] cSaw = new boolean[1];
        redis.afterRead = () -> { // inside M, which has read r1
            redis.duringPoll = () -> { // inside P, which has read r1
                redis.duringPoll = () -> {};
                redis.swap("r2", Set.of());
                advanceMs(1);
                cSaw[0] = cache.valid("AAAAAAAA"); // C: r2
            };
            cache.poll();
        };
        assertTrue(cache.valid("AAAAAAAA"), "M answers r1's answer to its own client (it read before the swap)");
        assertFalse(cSaw[0], "C got r2's answer");
        assertNotEquals(Boolean.TRUE, cache.cached("AAAAAAAA"), "C must never get r1's answer after r2's");
        assertFalse(cache.valid("AAAAAAAA"));
    }

    @Test
    void keeps_at_most_max_entries_answers() {
        redis.swap("r1", Set.of());
        CodeLookup small = new CodeLookup(redis, Duration.ofMillis(100), 2, now::get);
        small.poll();
        small.valid("AAAAAAA1");
        small.valid("AAAAAAA2");
        small.valid("AAAAAAA3");
        assertEquals(2, small.cachedEntries());
        assertNull(small.cached("AAAAAAA3"));
    }

    /**
     * Threads ask while runs swap and a poller runs, on the real clock. Each run has its own random valid half of
     * the codes; each client keeps the oldest run its answers so far can all have come from, in order (the
     * earliest consistent one, greedily). An answer that no run from there up to the live one gives (an answer of
     * an older run than one the client already got) fails the test.
     */
    @Test
    void a_client_never_gets_an_answer_from_an_older_run_than_one_it_already_saw() throws Exception {
        int codeCount = 2000; // more than the cache keeps: misses all along
        int swaps = 60;
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < codeCount; i++) {
            codes.add(String.format("CODE%04d", i));
        }
        Random sets = new Random(42);
        List<Set<String>> runs = new ArrayList<>();
        for (int k = 0; k <= swaps; k++) {
            Set<String> valid = new java.util.HashSet<>();
            for (String c : codes) {
                if (sets.nextBoolean()) {
                    valid.add(c);
                }
            }
            runs.add(valid);
        }
        FakeLiveSet live = new FakeLiveSet();
        AtomicInteger runIndex = new AtomicInteger();
        live.swap("r0", runs.get(0));
        CodeLookup cache = new CodeLookup(live, Duration.ofMillis(50), 1000, System::nanoTime);
        cache.start();
        int clients = 6;
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger answers = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed);
                int oldest = 0;
                while (failure.get() == null && !Thread.currentThread().isInterrupted()) {
                    String code = codes.get(rnd.nextInt(codeCount));
                    boolean valid = cache.valid(code);
                    int newest = runIndex.get(); // the newest run the answer can have come from
                    int k = oldest;
                    while (k <= newest && runs.get(k).contains(code) != valid) {
                        k++;
                    }
                    if (k > newest) {
                        failure.compareAndSet(
                                null,
                                code + " answered " + valid + ", which no run from " + oldest
                                        + " (this client's answers so far) to " + newest + " (live) gives");
                    }
                    oldest = k;
                    answers.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
        for (int s = 1; s <= swaps && failure.get() == null; s++) {
            Thread.sleep(10);
            runIndex.incrementAndGet(); // first, so that a reader's upper bound is never below the live run
            live.swap("r" + s, runs.get(s));
        }
        Thread.sleep(50);
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join(5000);
        }
        cache.close();
        assertNull(failure.get(), failure.get());
        assertTrue(
                cache.hits() > 0 && cache.misses() > 0,
                "both paths taken: " + cache.hits() + " hits, " + cache.misses() + " misses");
        assertTrue(answers.get() > swaps * clients, "answers: " + answers.get());
    }
}
