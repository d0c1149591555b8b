package dev.couponpipeline.publish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Reads what the live set's metadata says about the last published run. */
public final class LiveSetInfo {

    private static final Logger LOG = LoggerFactory.getLogger(LiveSetInfo.class);

    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;

    public LiveSetInfo(StringRedisTemplate redis, LiveSetKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** What Redis holds of the live set. */
    public enum State {
        INTACT("metadata and set present"),
        NO_METADATA("no metadata: Redis restarted empty or the keys were deleted"),
        SET_MISSING("the metadata counts codes but the set key is gone"),
        UNREACHABLE("Redis unreachable");

        public final String description;

        State(String description) {
            this.description = description;
        }
    }

    /** Whether the live set is there: its metadata, and the set itself when the metadata counts codes. */
    public State state() {
        try {
            Object codes = redis.opsForHash().get(keys.meta(), "codes");
            if (codes == null) {
                return State.NO_METADATA;
            }
            if (!"0".equals(codes.toString()) && !Boolean.TRUE.equals(redis.hasKey(keys.live()))) {
                return State.SET_MISSING;
            }
            return State.INTACT;
        } catch (RuntimeException e) {
            LOG.debug("Could not read the live set's state from Redis: {}", e.toString());
            return State.UNREACHABLE;
        }
    }

    /**
     * Claims the restore of a vanished live set for {@code ttl}: true for the one instance that gets the claim,
     * false for every other (and when Redis does not answer). Several producer instances watch the same set; one
     * restore is enough, and the claim expires by itself if its holder dies.
     */
    public boolean claimRestore(String holder, java.time.Duration ttl) {
        try {
            return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(keys.restoreClaim(), holder, ttl));
        } catch (RuntimeException e) {
            LOG.debug("Could not claim the restore in Redis: {}", e.toString());
            return false;
        }
    }

    /** Gives the restore claim back if {@code holder} has it (the set is back); quiet when Redis does not answer. */
    public void releaseRestore(String holder) {
        try {
            if (holder.equals(redis.opsForValue().get(keys.restoreClaim()))) {
                redis.delete(keys.restoreClaim());
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not release the restore claim in Redis: {}", e.toString());
        }
    }

    /** Who holds the restore claim, or null. */
    public String restoreClaimHolder() {
        try {
            return redis.opsForValue().get(keys.restoreClaim());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The live set's metadata (empty when nothing is published); a Redis that does not answer throws. */
    public LiveSetMeta metadata() {
        return LiveSetMeta.of(redis.opsForHash().entries(keys.meta()));
    }

    /** The live run's id, or null (nothing published, or Redis unreachable). */
    public String liveRunId() {
        try {
            Object v = redis.opsForHash().get(keys.meta(), "runId");
            return v == null ? null : v.toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Distinct codes of the last published run, or 0 when unknown (nothing published, Redis unreachable). */
    public long lastDistinctCodes() {
        try {
            Object v = redis.opsForHash().get(keys.meta(), "distinctCodes");
            return v == null ? 0 : Long.parseLong(v.toString());
        } catch (RuntimeException e) {
            LOG.debug("Could not read the last run's size from Redis: {}", e.toString());
            return 0;
        }
    }

    /** {present (1, 0; -1: unreadable), codes, published at (epoch seconds)} for the live-set gauges. */
    public double[] gauges() {
        try {
            java.util.List<Object> v =
                    redis.opsForHash().multiGet(keys.meta(), java.util.List.of("codes", "publishedAt"));
            State state = state();
            double present = state == State.INTACT ? 1 : state == State.UNREACHABLE ? -1 : 0;
            double codes = v.get(0) == null ? 0 : Double.parseDouble(v.get(0).toString());
            double at = v.get(1) == null
                    ? 0
                    : java.time.Instant.parse(v.get(1).toString()).getEpochSecond();
            return new double[] {present, codes, at};
        } catch (RuntimeException e) {
            return new double[] {-1, 0, 0};
        }
    }
}
