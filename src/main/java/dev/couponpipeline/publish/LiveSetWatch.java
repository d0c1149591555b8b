package dev.couponpipeline.publish;

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
    private final Duration claimTtl;
    private final Clock clock;
    private boolean seenPublished;
    private Instant lastRestore = Instant.MIN;
    /** This watch, as the restore claim names it: process id, host, and a random part. */
    private final String instance = ProcessHandle.current().pid() + "@" + hostName() + "/"
            + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());

    public LiveSetWatch(LiveSetInfo liveSet, RunCoordinator coordinator, Duration minInterval, Clock clock) {
        this(liveSet, coordinator, minInterval, minInterval, clock);
    }

    /**
     * {@code claimTtl}: how long the restore claim outlives a holder that died; at least one restore run (the
     * holder releases it as soon as it sees the set back).
     */
    public LiveSetWatch(
            LiveSetInfo liveSet, RunCoordinator coordinator, Duration minInterval, Duration claimTtl, Clock clock) {
        this.liveSet = liveSet;
        this.coordinator = coordinator;
        this.minInterval = minInterval;
        this.claimTtl = claimTtl;
        this.clock = clock;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

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

    /**
     * True when a run should start now to restore the live set: it is gone, this process knew it published, no
     * run is in flight here, the last restore is at least the interval ago, and this instance got the restore
     * claim in Redis (the other instances watching the same set leave it to this one).
     */
    public synchronized boolean shouldRestore() {
        LiveSetInfo.State state = liveSet.state();
        switch (state) {
            case INTACT -> {
                seenPublished = true;
                String runId = liveSet.liveRunId();
                if (runId != null) {
                    lastLiveRunId = runId;
                }
                liveSet.releaseRestore(instance); // restored (by this instance, if it held the claim)
                return false;
            }
            case UNREACHABLE -> {
                return false;
            }
            default -> {
                if (!seenPublished
                        && coordinator.lastResult().map(r -> !r.published()).orElse(true)) {
                    return false; // nothing was ever published that we know of: the schedule or start-up run does it
                }
                if (coordinator.activeRunId().isPresent()) {
                    return false;
                }
                Instant now = clock.instant();
                if (lastRestore != Instant.MIN && now.isBefore(lastRestore.plus(minInterval))) {
                    return false;
                }
                if (!liveSet.claimRestore(instance, claimTtl) && !instance.equals(liveSet.restoreClaimHolder())) {
                    LOG.info(
                            "The live set is gone from Redis ({}): {} restores it",
                            state.description,
                            java.util.Objects.requireNonNullElse(liveSet.restoreClaimHolder(), "another instance"));
                    lastRestore = now;
                    return false;
                }
                lastRestore = now;
                LOG.warn("The live set is gone from Redis ({}): starting a run to restore it", state.description);
                return true;
            }
        }
    }
}
