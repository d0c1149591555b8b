package dev.couponpipeline.redis;

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
}
