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
    void should_retry_a_run_that_failed_outside_its_input_with_a_doubling_delay_and_never_a_bad_file() {
        MutableClock clock = new MutableClock();
        RunCoordinator c = new RunCoordinator(clock, Duration.ofMinutes(5), true, 2, Duration.ofSeconds(30));

        String bad = c.tryStart("schedule");
        c.sourceFailed(bad, "source b: b.gz: not gzip data");
        c.sourcesStopped(bad, false);
        clock.now = clock.now.plusSeconds(3600);
        assertFalse(c.retryDue(), "a bad file is not retried");

        String first = c.tryStart("schedule");
        c.sourceFailed(first, "source a: Kafka: timeout", false);
        c.sourcesStopped(first, false);
        clock.now = clock.now.plusSeconds(29);
        assertFalse(c.retryDue());
        clock.now = clock.now.plusSeconds(1);
        assertTrue(c.retryDue());
        assertFalse(c.retryDue(), "due once");

        String second = c.tryStart("retry");
        c.sourcesStopped(second, true);
        c.finish(RunResult.failed(second, "publishing to Redis failed", Duration.ZERO));
        clock.now = clock.now.plusSeconds(59);
        assertFalse(c.retryDue(), "the delay doubles");
        clock.now = clock.now.plusSeconds(1);
        assertTrue(c.retryDue());

        String third = c.tryStart("retry");
        c.sourcesStopped(third, true);
        c.finish(RunResult.failed(third, "publishing to Redis failed", Duration.ZERO));
        clock.now = clock.now.plusSeconds(3600);
        assertFalse(c.retryDue(), "two retries in a row at most");

        String fourth = c.tryStart("schedule");
        c.sourcesStopped(fourth, true);
        c.finish(new RunResult(fourth, true, null, Map.of(), 1, 1, 1, Duration.ZERO));
        String fifth = c.tryStart("schedule");
        c.sourcesStopped(fifth, true);
        c.finish(RunResult.failed(fifth, "publishing to Redis failed", Duration.ZERO));
        clock.now = clock.now.plusSeconds(30);
        assertTrue(c.retryDue(), "a published run resets the count");
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
