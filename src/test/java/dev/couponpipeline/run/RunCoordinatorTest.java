package dev.couponpipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Proves runs never overlap and always end: published, failed by a source, or past their deadline. */
class RunCoordinatorTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-23T02:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void should_refuse_a_second_run_while_one_is_in_flight() {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5));
        String first = c.tryStart("schedule");
        assertNotNull(first);
        assertNull(c.tryStart("http"));
        c.finish(new RunResult(first, true, null, Map.of(), 1, 1, 8, Duration.ofSeconds(1)));
        String second = c.tryStart("http");
        assertNotNull(second);
        assertTrue(second.compareTo(first) > 0, "run ids sort in time order");
    }

    @Test
    void should_fail_the_run_and_cancel_its_sources_when_one_source_fails() throws Exception {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5));
        String run = c.tryStart("once");
        CompletableFuture<RunResult> result = c.resultOf(run);
        assertFalse(c.isCancelled(run));
        c.sourceFailed(run, "source b: couponbase2.gz: truncated");
        assertTrue(c.isCancelled(run));
        assertFalse(result.get().published());
        assertEquals("source b: couponbase2.gz: truncated", result.get().failure());
        c.sourcesStopped(run, false);
        assertTrue(c.activeRunId().isEmpty());
    }

    @Test
    void should_fail_a_run_the_aggregator_never_finishes() throws Exception {
        MutableClock clock = new MutableClock();
        RunCoordinator c = new RunCoordinator(clock, Duration.ofSeconds(30));
        String run = c.tryStart("once");
        c.sourcesStopped(run, true);
        clock.now = clock.now.plusSeconds(29);
        c.checkDeadline();
        assertTrue(c.activeRunId().isPresent());
        clock.now = clock.now.plusSeconds(2);
        c.checkDeadline();
        assertTrue(c.activeRunId().isEmpty());
        assertTrue(c.resultOf(run).get().failure().contains("did not complete"));
    }

    @Test
    void should_hold_the_slot_of_a_failed_run_until_its_sources_have_stopped() throws Exception {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5));
        String run = c.tryStart("once");
        c.sourceFailed(run, "source b: b.gz: not gzip data");
        assertTrue(c.resultOf(run).isDone(), "the failure is reported at once");
        assertNull(c.tryStart("http"), "but no run starts while the failed run's sources still write");
        c.sourcesStopped(run, false);
        assertNotNull(c.tryStart("http"));
    }

    @Test
    void should_report_a_run_once_even_when_both_source_and_aggregator_report_it() {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5));
        String run = c.tryStart("once");
        c.sourceFailed(run, "first");
        c.finish(RunResult.failed(run, "second", Duration.ZERO));
        assertEquals("first", c.lastResult().orElseThrow().failure());
    }

    @Test
    void should_want_a_retry_of_a_run_that_failed_outside_its_input_never_of_a_bad_file_a_replay_or_a_retry() {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5), true, true);
        List<String> wanted = new ArrayList<>();
        c.onRetryWanted(wanted::add);

        String bad = c.tryStart("schedule");
        c.sourceFailed(bad, "source b: b.gz: not gzip data");
        c.sourcesStopped(bad, false);
        assertEquals(List.of(), wanted, "a bad file is not retried");

        String kafka = c.tryStart("schedule");
        c.sourceFailed(kafka, "source a: Kafka: timeout", false);
        c.sourcesStopped(kafka, false);
        assertEquals(List.of(kafka), wanted, "Kafka away: a retry");
        assertTrue(c.deservesRetry(c.lastResult().orElseThrow()));

        String retry = c.tryStart(RunCoordinator.RETRY);
        c.sourcesStopped(retry, true);
        c.finish(RunResult.failed(retry, "publishing to Redis failed", Duration.ZERO));
        assertEquals(List.of(kafka), wanted, "a retry's failure is its chain's to judge");
        assertTrue(c.deservesRetry(c.lastResult().orElseThrow()), "and the chain tries again");

        String replay = c.tryStartReplay("replay");
        c.sourcesStopped(replay, true);
        c.finish(RunResult.failed(replay, "publishing to Redis failed", Duration.ZERO));
        assertEquals(List.of(kafka), wanted, "a replay is not retried from the files");
        assertFalse(c.deservesRetry(c.lastResult().orElseThrow()));

        String published = c.tryStart("schedule");
        c.sourcesStopped(published, true);
        c.finish(new RunResult(published, true, null, Map.of(), 1, 1, 1, Duration.ZERO));
        assertFalse(c.deservesRetry(c.lastResult().orElseThrow()));
        assertEquals(List.of(kafka), wanted);

        RunCoordinator off = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5), true, false);
        off.onRetryWanted(wanted::add);
        String noRetries = off.tryStart("schedule");
        off.sourceFailed(noRetries, "source a: Kafka: timeout", false);
        off.sourcesStopped(noRetries, false);
        assertEquals(List.of(kafka), wanted, "retries off (max-attempts 0, --once)");
    }

    @Test
    void should_fail_the_run_in_flight_at_once_when_any_thread_dies_of_an_error() throws Exception {
        RunCoordinator c = new RunCoordinator(new MutableClock(), Duration.ofMinutes(5));
        String runId = c.tryStart("test");
        CompletableFuture<RunResult> result = c.resultOf(runId);
        Map<String, String> recorded = new java.util.concurrent.ConcurrentHashMap<>();
        Thread t = new Thread(
                () -> {
                    throw new OutOfMemoryError("Java heap space (thrown by the test)");
                },
                "kafka-heartbeat-like");
        t.setUncaughtExceptionHandler(new FatalErrors(c, recorded::put));
        t.start();
        t.join();
        RunResult r = result.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(r.succeeded());
        assertEquals(
                "the JVM hit java.lang.OutOfMemoryError: Java heap space (thrown by the test) in thread "
                        + "kafka-heartbeat-like",
                r.failure());
        c.sourcesStopped(runId, false); // its sources stop at their next record (the run is cancelled)
        assertTrue(c.isCancelled(runId));
        assertTrue(c.activeRunId().isEmpty(), "the slot is free for the next run");
        assertEquals(Map.of(runId, r.failure()), recorded, "every instance is told (Redis)");

        // an exception (not an Error) in some thread is logged, and leaves the run alone
        String next = c.tryStart("test");
        Thread u = new Thread(() -> {
            throw new IllegalStateException("a bug in a helper thread");
        });
        u.setUncaughtExceptionHandler(new FatalErrors(c, recorded::put));
        u.start();
        u.join();
        assertEquals(java.util.Optional.of(next), c.activeRunId());
        assertEquals(1, recorded.size(), "an exception is not recorded as a failure");
    }
}
