package dev.couponpipeline.redis;

import dev.couponpipeline.run.RunCoordinator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a live set that vanished: Redis restarted without persistence, failed over to an empty replica, or the
 * key was deleted. Once this process has seen a published set, a check that finds the metadata gone (or a
 * non-empty set's key gone) asks for a new run, at most once per {@code minInterval}, so the API gets its set back
 * within one check interval plus one run instead of at the next scheduled run.
 */
public final class LiveSetWatch {

    private String lastLiveRunId;

    private static final Logger LOG = LoggerFactory.getLogger(LiveSetWatch.class);

    private final LiveSetInfo liveSet;
    private final RunCoordinator coordinator;
    private final Duration minInterval;
    private final Clock clock;
    private boolean seenPublished;
    private Instant lastRestore = Instant.MIN;

    public LiveSetWatch(LiveSetInfo liveSet, RunCoordinator coordinator, Duration minInterval, Clock clock) {
        this.liveSet = liveSet;
        this.coordinator = coordinator;
        this.minInterval = minInterval;
        this.clock = clock;
    }

    /** True when a run should start now to restore the live set. */
    /**
     * The run this process last knew live, or null: the newer of the one it read each time it found the set
     * intact and the one it saw published itself. What a restore rebuilds from Kafka: not the newest complete run
     * there, which may be a held or a discarded one.
     */
    public synchronized String lastLiveRunId() {
        String published = coordinator.lastPublished();
        if (published == null) {
            return lastLiveRunId;
        }
        return lastLiveRunId == null || published.compareTo(lastLiveRunId) > 0 ? published : lastLiveRunId;
    }

    public synchronized boolean shouldRestore() {
        LiveSetInfo.State state = liveSet.state();
        switch (state) {
            case INTACT -> {
                seenPublished = true;
                String runId = liveSet.liveRunId();
                if (runId != null) {
                    lastLiveRunId = runId;
                }
                return false;
            }
            case UNREACHABLE -> {
                return false;
            }
            default -> {
                if (!seenPublished && coordinator.lastResult().map(r -> !r.published()).orElse(true)) {
                    return false; // nothing was ever published that we know of: the schedule or start-up run does it
                }
                if (coordinator.activeRunId().isPresent()) {
                    return false;
                }
                Instant now = clock.instant();
                if (lastRestore != Instant.MIN && now.isBefore(lastRestore.plus(minInterval))) {
                    return false;
                }
                lastRestore = now;
                LOG.warn("The live set is gone from Redis ({}): starting a run to restore it", state.description);
                return true;
            }
        }
    }
}
