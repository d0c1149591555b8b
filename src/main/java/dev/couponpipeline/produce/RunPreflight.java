package dev.couponpipeline.produce;

import dev.couponpipeline.publish.LiveSetPublisher;
import dev.couponpipeline.publish.RedisClientSettings;
import dev.couponpipeline.run.CouponHeaders;
import dev.couponpipeline.run.RunCoordinator;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a run reads its files: does Redis take what the run will send? A Redis that refuses the credentials or
 * the keys, or cannot be reached, fails the run within seconds with Redis's own answer, instead of after the
 * files were read and the aggregator gave up.
 */
public final class RunPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(RunPreflight.class);

    private final LiveSetPublisher publisher;
    private final RedisClientSettings redis;
    private final RunCoordinator coordinator;
    private final Duration patience;

    public RunPreflight(
            LiveSetPublisher publisher, RedisClientSettings redis, RunCoordinator coordinator, Duration patience) {
        this.publisher = publisher;
        this.redis = redis;
        this.coordinator = coordinator;
        this.patience = patience;
    }

    /** True when the run may go on; false when it failed here (the coordinator knows why). */
    public boolean passes(Exchange exchange) {
        String runId = exchange.getMessage().getHeader(CouponHeaders.RUN_ID, String.class);
        try {
            publisher.preflight(runId, redis.describe(), patience);
            return true;
        } catch (RuntimeException e) {
            LOG.debug("Preflight of run {} failed", runId, e);
            // an answer (wrong password, no permission) needs an operator: no retry; no answer: retried later
            coordinator.sourceFailed(runId, e.getMessage(), LiveSetPublisher.redisAnswered(e));
            coordinator.sourcesStopped(runId, false);
            return false;
        }
    }
}
