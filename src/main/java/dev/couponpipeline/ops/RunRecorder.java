package dev.couponpipeline.ops;

import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.run.RunCoordinator;

/** The run routes' steps that feed the run history: a run started, a trigger skipped, progress while reading. */
public final class RunRecorder {

    private final RunHistory history;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;
    private final SourceRegistry sources;

    public RunRecorder(
            RunHistory history, RunCoordinator coordinator, PipelineMetrics metrics, SourceRegistry sources) {
        this.history = history;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.sources = sources;
    }

    public void started(String runId, String trigger) {
        history.started(runId, trigger, sources.ids());
    }

    /** A trigger that found a run in flight: a skipped entry that names the run. */
    public void skipped(String trigger) {
        metrics.runSkipped("in-flight");
        history.skipped(
                trigger,
                coordinator
                        .activeRunId()
                        .map(id -> "run " + id + " was still in flight")
                        .orElse("a run was still in flight"));
    }

    /** Bytes and codes read so far by each source of the run in flight. */
    public void progress() {
        coordinator
                .activeRunId()
                .ifPresent(runId -> metrics.sourcesInFlight()
                        .forEach((source, read) -> history.sourceProgress(runId, source, read[0], read[1])));
    }
}
