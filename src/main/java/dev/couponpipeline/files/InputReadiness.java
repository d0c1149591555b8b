package dev.couponpipeline.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Decides when a run's files are complete, the way camel-file's consumer does: by default a file is complete when
 * its size and modification time have not changed for {@code stable} (its {@code readLock=changed}), or, with a
 * done-file name, when that file exists next to it ({@code doneFileName=${file:name}.done}). A run waits for all
 * of its files up to {@code wait}, polling, and is told what it still waits for.
 *
 * <p>A file last modified longer than {@code stable} ago is complete at once, so a run on yesterday's delivery does
 * not wait; one the writer's clock dates in the future is complete once it has not changed for {@code stable} by
 * ours.
 */
public final class InputReadiness {

    /** How long to sleep between two looks; replaceable in tests. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Clock clock;
    private final Duration stable;
    private final Duration wait;
    private final String doneFileName;
    private final Duration poll;
    private final Duration logEvery;
    private final Sleeper sleeper;

    /**
     * {@code doneFileName}: empty for the stable-size rule, else the done file's name with {@code ${file:name}}
     * standing for the data file's name (Camel's convention), e.g. {@code ${file:name}.done}.
     */
    public InputReadiness(
            Clock clock,
            Duration stable,
            Duration wait,
            String doneFileName,
            Duration poll,
            Duration logEvery,
            Sleeper sleeper) {
        this.clock = clock;
        this.stable = stable;
        this.wait = wait;
        this.doneFileName = doneFileName == null ? "" : doneFileName.trim();
        this.poll = poll;
        this.logEvery = logEvery;
        this.sleeper = sleeper;
    }

    /** The done file of {@code file}, or null in the stable-size mode. */
    public Path doneFileOf(Path file) {
        if (doneFileName.isEmpty()) {
            return null;
        }
        return file.resolveSibling(
                doneFileName.replace("${file:name}", file.getFileName().toString()));
    }

    /** What was last seen of a file: its size and modification time, and since when they have not changed. */
    private record Seen(long size, long modifiedMillis, Instant since) {}

    /**
     * Waits until every one of {@code files} is complete. Returns null when they are, or, when {@code wait} has
     * passed (or {@code cancelled} says so), why not: one clause per file that is not, naming it ("file not found",
     * "still growing", "no done file ..."). {@code progress} gets a line on what is awaited when the wait begins and
     * every {@code logEvery}.
     */
    public String await(List<Path> files, BooleanSupplier cancelled, Consumer<String> progress)
            throws InterruptedException {
        Instant start = clock.instant();
        Instant deadline = start.plus(wait);
        Instant nextLog = start;
        Map<Path, Seen> seen = new HashMap<>();
        while (true) {
            List<String> notReady = new ArrayList<>();
            Instant now = clock.instant();
            for (Path f : files) {
                String why = notReady(f, now, seen);
                if (why != null) {
                    notReady.add(f + ": " + why);
                }
            }
            if (notReady.isEmpty()) {
                return null;
            }
            if (!now.isBefore(deadline) || cancelled.getAsBoolean()) {
                String waited = wait.toSeconds() % 60 == 0 ? wait.toMinutes() + " min" : wait.toSeconds() + " s";
                return "input not complete after waiting " + waited + " (coupon.input.wait-minutes): "
                        + String.join("; ", notReady);
            }
            if (!now.isBefore(nextLog)) {
                progress.accept("waiting for input (up to "
                        + Duration.between(now, deadline).toSeconds() + " s more): " + String.join("; ", notReady));
                nextLog = now.plus(logEvery);
            }
            sleeper.sleep(poll);
        }
    }

    private String notReady(Path file, Instant now, Map<Path, Seen> seen) {
        if (!Files.exists(file)) {
            return "file not found";
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
        if (a.isDirectory()) {
            return null; // not a file at all: the reader says so, there is nothing to wait for
        }
        Path done = doneFileOf(file);
        if (done != null) {
            return Files.exists(done) ? null : "no done file " + done.getFileName() + " yet";
        }
        long size = a.size();
        long modified = a.lastModifiedTime().toMillis();
        Seen before = seen.get(file);
        if (before == null || before.size != size || before.modifiedMillis != modified) {
            before = new Seen(size, modified, now);
            seen.put(file, before);
        }
        boolean oldEnough = now.toEpochMilli() - modified >= stable.toMillis();
        boolean unchangedLongEnough = !now.isBefore(before.since.plus(stable));
        if (oldEnough || unchangedLongEnough) {
            return null;
        }
        return "still being written (" + size + " bytes, modified "
                + Math.max(0, now.toEpochMilli() - modified) / 1000.0 + " s ago; complete when unchanged for "
                + stable.toSeconds() + " s, coupon.input.stable-seconds)";
    }
}
