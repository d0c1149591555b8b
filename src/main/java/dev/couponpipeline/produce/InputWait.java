package dev.couponpipeline.produce;

import dev.couponpipeline.files.InputReadiness;
import dev.couponpipeline.files.Source;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.run.CouponHeaders;
import dev.couponpipeline.run.RunCoordinator;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a run reads its files: are they complete? Waits for them (see {@link InputReadiness}), logging what it
 * waits for; files that are still missing or growing when the wait is over fail the run as bad input (no retry,
 * the live set stays).
 */
public final class InputWait {

    private static final Logger LOG = LoggerFactory.getLogger(InputWait.class);

    private final InputReadiness readiness;
    private final SourceRegistry sources;
    private final Path inputDir;
    private final RunCoordinator coordinator;
    private final dev.couponpipeline.files.InputArchive archive;

    public InputWait(
            InputReadiness readiness,
            SourceRegistry sources,
            Path inputDir,
            RunCoordinator coordinator,
            dev.couponpipeline.files.InputArchive archive) {
        this.archive = archive;
        this.readiness = readiness;
        this.sources = sources;
        this.inputDir = inputDir;
        this.coordinator = coordinator;
    }

    /**
     * A run this process started was published: its files go to the archive (or their done files away); not for a
     * replay, which read none (the files there now are another delivery's).
     */
    public void runEnded(dev.couponpipeline.run.RunResult result) {
        if (result.published() && coordinator.startedHere(result.runId()) && !coordinator.isReplay(result.runId())) {
            archive.published(result.runId(), files());
        }
    }

    /** The run's files, as the sources name them. */
    public List<Path> files() {
        return sources.all().stream().map(Source::file).map(inputDir::resolve).toList();
    }

    /** True when every file is complete; false when the run failed here (the coordinator knows why). */
    public boolean passes(Exchange exchange) throws InterruptedException {
        String runId = exchange.getMessage().getHeader(CouponHeaders.RUN_ID, String.class);
        String notReady = readiness.await(
                files(), () -> coordinator.isCancelled(runId), line -> LOG.info("Run {}: {}", runId, line));
        if (notReady == null) {
            return true;
        }
        coordinator.sourceFailed(runId, notReady, true);
        coordinator.sourcesStopped(runId, false);
        return false;
    }
}
