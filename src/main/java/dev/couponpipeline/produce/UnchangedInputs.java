package dev.couponpipeline.produce;

import dev.couponpipeline.files.FileFingerprint;
import dev.couponpipeline.files.Source;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.publish.LiveSetInfo;
import dev.couponpipeline.publish.LiveSetKeys;
import dev.couponpipeline.publish.LiveSetMeta;
import dev.couponpipeline.publish.RunHistory;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Skips a run whose files are byte for byte those of the live run: every source's size, modification time and
 * CRC32C equal the fingerprint the live set's metadata recorded. Size and time are compared first, so a changed
 * delivery costs nothing; an unchanged one costs one read of the files instead of a whole run. Only the schedule,
 * the start-up run and {@code POST /runs} without {@code force=true} are skipped: never {@code --once}, a retry
 * or the restore of a lost live set.
 */
public final class UnchangedInputs {

    private static final Logger LOG = LoggerFactory.getLogger(UnchangedInputs.class);
    private static final Set<String> SKIPPABLE = Set.of("schedule", "startup", "http");

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final LiveSetInfo liveSet;
    private final SourceRegistry sources;
    private final Path inputDir;
    private final RunHistory history;
    private final PipelineMetrics metrics;

    public UnchangedInputs(
            StringRedisTemplate redis,
            LiveSetKeys keys,
            LiveSetInfo liveSet,
            SourceRegistry sources,
            Path inputDir,
            RunHistory history,
            PipelineMetrics metrics) {
        this.redis = redis;
        this.keys = keys;
        this.liveSet = liveSet;
        this.sources = sources;
        this.inputDir = inputDir;
        this.history = history;
        this.metrics = metrics;
    }

    /**
     * Why the trigger is skipped (the inputs did not change since the live run), or null when it runs. A skipped
     * trigger is logged once, counted and recorded in the run history.
     */
    public String skipReason(String trigger, String force) {
        if (!SKIPPABLE.contains(trigger) || "true".equalsIgnoreCase(force)) {
            return null;
        }
        String unchangedSince = unchangedSince();
        if (unchangedSince == null) {
            return null;
        }
        String reason = "the input files are those of the live run " + unchangedSince
                + " (same size, modification time and CRC32C)";
        LOG.info("Trigger '{}' skipped: {}; POST /runs?force=true runs anyway", trigger, reason);
        metrics.runSkipped("unchanged");
        history.skipped(trigger, reason);
        return reason;
    }

    /** The live run's id when every source file still has the fingerprint it recorded; else null. */
    private String unchangedSince() {
        try {
            if (liveSet.state() != LiveSetInfo.State.INTACT) {
                return null;
            }
            LiveSetMeta meta = liveSet.metadata();
            if (sources.all().isEmpty()) {
                return null;
            }
            for (Source s : sources.all()) {
                FileFingerprint recorded = FileFingerprint.parse(meta.fingerprint(s.id()));
                if (recorded == null || !recorded.matches(inputDir.resolve(s.file()))) {
                    return null;
                }
            }
            return meta.runId();
        } catch (Exception e) {
            LOG.debug("Could not compare the inputs with the live run's: {}", e.toString());
            return null; // when in doubt, run
        }
    }
}
