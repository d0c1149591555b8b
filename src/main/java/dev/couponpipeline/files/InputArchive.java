package dev.couponpipeline.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a run is published: moves its files (and their done files) into {@code <archive-dir>/<run id>/} and keeps
 * the newest {@code keep} runs there; without an archive directory, only the done files are removed, as camel-file
 * does once it has consumed a file, so the next delivery needs a done file of its own.
 */
public final class InputArchive {

    private static final Logger LOG = LoggerFactory.getLogger(InputArchive.class);

    private final Path archiveDir;
    private final int keep;
    private final Function<Path, Path> doneFileOf;

    /** {@code archiveDir} null: no archive. {@code doneFileOf} gives a file's done file, or null (none used). */
    public InputArchive(Path archiveDir, int keep, Function<Path, Path> doneFileOf) {
        this.archiveDir = archiveDir;
        this.keep = Math.max(1, keep);
        this.doneFileOf = doneFileOf;
    }

    /** Archives the files of the published run {@code runId}; a failure is logged, the run stays published. */
    public void published(String runId, List<Path> files) {
        try {
            if (archiveDir == null) {
                for (Path f : files) {
                    Path done = doneFileOf.apply(f);
                    if (done != null) {
                        Files.deleteIfExists(done);
                    }
                }
                return;
            }
            Path target = Files.createDirectories(archiveDir.resolve(runId));
            for (Path f : files) {
                move(f, target);
                Path done = doneFileOf.apply(f);
                if (done != null) {
                    move(done, target);
                }
            }
            LOG.info("Run {}: input files archived in {}", runId, target);
            prune();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Run {}: could not archive its input files in {}: {}", runId, archiveDir, e.toString());
        }
    }

    private static void move(Path f, Path dir) throws IOException {
        if (!Files.exists(f)) {
            return;
        }
        Path to = dir.resolve(f.getFileName());
        try {
            Files.move(f, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // another file system: copy, then remove the original
            Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.delete(f);
        }
    }

    /** Removes the oldest run directories beyond {@code keep} (run ids sort in time order). */
    private void prune() throws IOException {
        List<Path> runs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(archiveDir, Files::isDirectory)) {
            ds.forEach(runs::add);
        }
        runs.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (int i = 0; i < runs.size() - keep; i++) {
            try (Stream<Path> walk = Files.walk(runs.get(i))) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            LOG.info("Archive: removed {} (keeping the newest {} runs)", runs.get(i), keep);
        }
    }
}
