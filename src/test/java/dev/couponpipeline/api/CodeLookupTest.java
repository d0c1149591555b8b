package dev.couponpipeline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        record Run(String id, Set<String> codes) {
        }

        final AtomicReference<Run> live = new AtomicReference<>(new Run("", Set.of()));
        final AtomicInteger checks = new AtomicInteger();
        volatile Runnable duringPoll = () -> { };

        void swap(String id, Set<String> codes) {
            live.set(new Run(id, codes));
        }

        @Override
        public CodeLookup.Answer check(String code) {
            checks.incrementAndGet();
            Run r = live.get();
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
        redis.duringPoll = () -> { };
        assertNull(cache.cached("AAAAAAAA"), "the late poll's r1 must not make a view again");
        assertFalse(cache.valid("AAAAAAAA"));
        advanceMs(1);
        cache.poll();
        assertFalse(cache.valid("AAAAAAAA"));
        assertEquals(Boolean.FALSE, cache.cached("AAAAAAAA"), "a poll sent later makes the r2 view");
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
     * Threads ask while runs swap and a poller runs, on the real clock. The runs alternate which half of the codes
     * is valid, so every answer tells which parity of run it came from. Each client's answers, in the order it got
     * them, must come from runs that never go back: an answer from an older run than one it already saw (a code
     * valid, invalid, valid across one swap) fails the test.
     */
    @Test
    void a_client_never_gets_an_answer_from_an_older_run_than_one_it_already_saw() throws Exception {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) { // more than the cache keeps: misses all along
            codes.add(String.format("CODE%04d", i));
        }
        Set<String> even = new java.util.HashSet<>();
        Set<String> odd = new java.util.HashSet<>();
        for (int i = 0; i < codes.size(); i++) {
            (i % 2 == 0 ? even : odd).add(codes.get(i));
        }
        FakeLiveSet live = new FakeLiveSet();
        AtomicInteger runIndex = new AtomicInteger();
        live.swap("r0", even);
        CodeLookup cache = new CodeLookup(live, Duration.ofMillis(50), 1000, System::nanoTime);
        cache.start();
        int swaps = 40;
        int clients = 6;
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger answers = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed);
                int lastRun = 0; // the oldest run this client's answers so far can have come from
                while (failure.get() == null && !Thread.currentThread().isInterrupted()) {
                    int i = rnd.nextInt(codes.size());
                    boolean valid = cache.valid(codes.get(i));
                    int newest = runIndex.get(); // the newest run the answer can have come from
                    int parity = valid == (i % 2 == 0) ? 0 : 1;
                    if (parity != lastRun % 2) {
                        lastRun++;
                        if (lastRun > newest) {
                            failure.compareAndSet(null, codes.get(i) + " answered " + valid + " after this client"
                                    + " had an answer from run " + (lastRun - 1) + " (live: run " + newest + ")");
                        }
                    }
                    answers.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
        for (int s = 1; s <= swaps && failure.get() == null; s++) {
            Thread.sleep(10);
            runIndex.incrementAndGet(); // first, so that a reader's upper bound is never below the live run
            live.swap("r" + s, s % 2 == 0 ? even : odd);
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
        assertTrue(cache.hits() > 0 && cache.misses() > 0, "both paths taken: " + cache.hits() + " hits, "
                + cache.misses() + " misses");
        assertTrue(answers.get() > swaps * clients, "answers: " + answers.get());
    }
}
