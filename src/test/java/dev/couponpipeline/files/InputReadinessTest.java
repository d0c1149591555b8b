package dev.couponpipeline.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a run's files count as complete: stable for a while, or with their done file; and what a wait says. */
class InputReadinessTest {

    /** A clock the sleeper moves: each poll is one second later, and may change the files first. */
    static final class Steps extends Clock {
        Instant now = Instant.parse("2026-12-02T02:00:00Z");
        final List<Runnable> atPoll = new ArrayList<>();
        int polls;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        void sleep(Duration d) {
            now = now.plus(d);
            if (polls < atPoll.size()) {
                atPoll.get(polls).run();
            }
            polls++;
        }
    }

    private static InputReadiness readiness(Steps clock, long stableSeconds, long waitSeconds, String doneFile) {
        return new InputReadiness(
                clock,
                Duration.ofSeconds(stableSeconds),
                Duration.ofSeconds(waitSeconds),
                doneFile,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                clock::sleep);
    }

    private static void touch(Path f, Instant at) throws Exception {
        Files.setLastModifiedTime(f, FileTime.from(at));
    }

    @Test
    void should_take_a_file_last_modified_long_ago_at_once(@TempDir Path dir) throws Exception {
        Steps clock = new Steps();
        Path f = Files.writeString(dir.resolve("a.gz"), "x");
        touch(f, clock.now.minusSeconds(3600));
        assertNull(readiness(clock, 10, 60, "").await(List.of(f), () -> false, line -> {}));
        assertEquals(0, clock.polls, "no wait");
    }

    @Test
    void should_wait_while_a_file_grows_then_take_it_once_unchanged_for_the_stable_time(@TempDir Path dir)
            throws Exception {
        Steps clock = new Steps();
        Path f = Files.writeString(dir.resolve("a.gz"), "1");
        touch(f, clock.now);
        // the writer appends for 4 polls, one a second, then stops
        for (int i = 0; i < 4; i++) {
            clock.atPoll.add(() -> {
                try {
                    Files.writeString(f, "1", StandardOpenOption.APPEND);
                    touch(f, clock.now);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        List<String> log = new ArrayList<>();
        assertNull(readiness(clock, 3, 60, "").await(List.of(f), () -> false, log::add));
        assertEquals(5, Files.size(f));
        // the last change was at poll 4 (t = 4 s): complete 3 s later, at t = 7 s
        assertEquals(7, clock.polls);
        assertTrue(log.get(0).contains(f + ": still being written (1 bytes"), log.toString());
    }

    @Test
    void should_take_a_file_dated_in_the_future_once_it_stops_changing(@TempDir Path dir) throws Exception {
        Steps clock = new Steps();
        Path f = Files.writeString(dir.resolve("a.gz"), "x");
        touch(f, clock.now.plusSeconds(3600)); // the writer's clock is an hour ahead
        assertNull(readiness(clock, 3, 60, "").await(List.of(f), () -> false, line -> {}));
        assertEquals(3, clock.polls);
    }

    @Test
    void should_wait_for_a_done_file_that_arrives_late(@TempDir Path dir) throws Exception {
        Steps clock = new Steps();
        Path f = Files.writeString(dir.resolve("couponbase1.gz"), "x");
        touch(f, clock.now.minusSeconds(3600)); // old and stable: only the done file counts now
        for (int i = 0; i < 5; i++) {
            final int poll = i;
            clock.atPoll.add(() -> {
                if (poll == 4) {
                    try {
                        Files.writeString(dir.resolve("couponbase1.gz.done"), "");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
        }
        List<String> log = new ArrayList<>();
        InputReadiness r = readiness(clock, 10, 60, "${file:name}.done");
        assertEquals(dir.resolve("couponbase1.gz.done"), r.doneFileOf(f));
        assertNull(r.await(List.of(f), () -> false, log::add));
        assertEquals(5, clock.polls);
        assertTrue(log.get(0).contains("no done file couponbase1.gz.done yet"), log.toString());
    }

    @Test
    void should_fail_after_the_wait_naming_every_file_not_complete(@TempDir Path dir) throws Exception {
        Steps clock = new Steps();
        Path stable = Files.writeString(dir.resolve("a.gz"), "x");
        touch(stable, clock.now.minusSeconds(3600));
        Path growing = Files.writeString(dir.resolve("b.gz"), "x");
        for (int i = 0; i < 100; i++) {
            clock.atPoll.add(() -> {
                try {
                    Files.writeString(growing, "x", StandardOpenOption.APPEND);
                    touch(growing, clock.now);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        Path missing = dir.resolve("c.gz");
        String why = readiness(clock, 5, 30, "").await(List.of(stable, growing, missing), () -> false, l -> {});
        assertTrue(why.startsWith("input not complete after waiting 30 s (coupon.input.wait-minutes): "), why);
        assertTrue(why.contains(growing + ": still being written"), why);
        assertTrue(why.contains(missing + ": file not found"), why);
        assertTrue(!why.contains(stable.toString()), why);
        assertEquals(30, clock.polls);
    }

    @Test
    void should_check_once_without_a_wait(@TempDir Path dir) throws Exception {
        Steps clock = new Steps();
        String why = readiness(clock, 0, 0, "").await(List.of(dir.resolve("x.gz")), () -> false, l -> {});
        assertTrue(why.contains("x.gz: file not found"), why);
        assertEquals(0, clock.polls);
    }
}
