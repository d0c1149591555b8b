package dev.couponpipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.boot.EmbeddedRedis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A part of a run built again after the run was swapped in (its control records read a second time after a
 * rebalance, while the aggregator's view of the live run was a second old): the swap script refuses it, and the
 * codes that build staged again must not stay behind as a staging key.
 */
class LateBuildIT {

    @Test
    void a_part_built_after_its_run_went_live_leaves_no_staging_key(@TempDir Path dir) throws Exception {
        try (EmbeddedRedis server = EmbeddedRedis.start(dir, 0)) {
            StringRedisTemplate redis = LocalRedis.template(server, 4);
            LiveSetKeys keys = new LiveSetKeys("coupons:late");
            LiveSetPublisher publisher = new LiveSetPublisher(redis, keys, 100, 2, Clock.systemUTC());
            String run = "20261202T020000.000Z";
            // one partition, two codes: staged and swapped
            LiveSetPublisher.Staging first = publisher.staging(run);
            try (first) {
                first.visit("AAAAAAAA".getBytes(StandardCharsets.US_ASCII), 8, 3);
                first.visit("BBBBBBBB".getBytes(StandardCharsets.US_ASCII), 8, 3);
            }
            LiveSetPublisher.Outcome swapped =
                    publisher.publishPart(first, 0, 1, 2, 5, new long[] {3, 3}, List.of("a", "b"), 1);
            assertEquals(LiveSetPublisher.Status.SWAPPED, swapped.status());
            assertEquals(Set.of("AAAAAAAA", "BBBBBBBB"), redis.opsForSet().members(keys.live()));

            // the same part again, late
            LiveSetPublisher.Staging late = publisher.staging(run);
            try (late) {
                late.visit("AAAAAAAA".getBytes(StandardCharsets.US_ASCII), 8, 3);
            }
            assertTrue(Boolean.TRUE.equals(redis.hasKey(keys.staging(run))), "the late build staged its code");
            LiveSetPublisher.Outcome refused =
                    publisher.publishPart(late, 0, 1, 1, 5, new long[] {3, 3}, List.of("a", "b"), 1);
            assertEquals(LiveSetPublisher.Status.LIVE_OR_NEWER, refused.status());
            assertFalse(Boolean.TRUE.equals(redis.hasKey(keys.staging(run))), "and its staging key is gone");
            assertFalse(Boolean.TRUE.equals(redis.hasKey(keys.parts(run))));
            assertEquals(Set.of("AAAAAAAA", "BBBBBBBB"), redis.opsForSet().members(keys.live()), "live untouched");
        }
    }
}
