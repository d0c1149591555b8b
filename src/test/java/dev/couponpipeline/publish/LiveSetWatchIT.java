package dev.couponpipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.boot.EmbeddedRedis;
import dev.couponpipeline.run.RunCoordinator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Several producer instances watch the same live set: when it vanishes, exactly one of them restores it (the one
 * that gets the claim in Redis), and the claim expires by itself, so a restorer that died is not waited for.
 */
class LiveSetWatchIT {

    @Test
    void one_of_several_instances_restores_a_vanished_live_set(@TempDir Path dir) throws Exception {
        try (EmbeddedRedis server = EmbeddedRedis.start(dir, 0)) {
            StringRedisTemplate redis = LocalRedis.template(server, 4);
            LiveSetKeys keys = new LiveSetKeys("coupons:watched");
            redis.opsForHash().putAll(keys.meta(), Map.of("runId", "20261202T010000.000Z", "codes", "2"));
            redis.opsForSet().add(keys.live(), "AAAAAAAA", "BBBBBBBB");
            Duration interval = Duration.ofSeconds(1);
            List<LiveSetWatch> watches =
                    List.of(watch(redis, keys, interval), watch(redis, keys, interval), watch(redis, keys, interval));
            for (LiveSetWatch w : watches) {
                assertFalse(w.shouldRestore(), "the set is there");
                assertEquals("20261202T010000.000Z", w.lastLiveRunId());
            }

            redis.delete(List.of(keys.meta(), keys.live()));
            long restoring =
                    watches.stream().filter(LiveSetWatch::shouldRestore).count();
            assertEquals(1, restoring, "exactly one instance restores");
            assertTrue(redis.getExpire(keys.restoreClaim()) <= 1, "the claim expires with the interval");

            // the restorer died: once its claim and the interval are over, another instance takes over
            Thread.sleep(interval.toMillis() + 200);
            assertEquals(1, watches.stream().filter(LiveSetWatch::shouldRestore).count());

            // the set is back: the holder gives the claim back at its next check
            redis.opsForHash().putAll(keys.meta(), Map.of("runId", "20261202T020000.000Z", "codes", "2"));
            redis.opsForSet().add(keys.live(), "AAAAAAAA", "BBBBBBBB");
            assertTrue(Boolean.TRUE.equals(redis.hasKey(keys.restoreClaim())));
            for (LiveSetWatch w : watches) {
                assertFalse(w.shouldRestore());
            }
            assertFalse(Boolean.TRUE.equals(redis.hasKey(keys.restoreClaim())), "the claim is released");
        }
    }

    private static LiveSetWatch watch(StringRedisTemplate redis, LiveSetKeys keys, Duration interval) {
        return new LiveSetWatch(
                new LiveSetInfo(redis, keys),
                new RunCoordinator(Clock.systemUTC(), Duration.ofMinutes(5)),
                interval,
                Clock.systemUTC());
    }
}
