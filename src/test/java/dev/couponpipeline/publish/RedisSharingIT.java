package dev.couponpipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.couponpipeline.boot.EmbeddedRedis;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The pooled template is shared by the API, the publisher and its key sweep: under concurrent use every answer
 * stays the right one. (A SCAN cursor closed inside a callback once gave its connection back to the pool twice,
 * so two threads shared a socket: "Socket closed" in the API, replies of one command read by another.)
 */
class RedisSharingIT {

    @Test
    void should_answer_every_check_right_while_the_sweep_and_preflight_run(@TempDir Path dir) throws Exception {
        try (EmbeddedRedis server = EmbeddedRedis.start(dir, 0)) {
            StringRedisTemplate redis = LocalRedis.template(server, 16);
            LiveSetKeys keys = new LiveSetKeys("coupons:shared");
            LiveSetPublisher publisher = new LiveSetPublisher(redis, keys, 100, 2, Clock.systemUTC());
            redis.opsForSet().add(keys.live(), "VALID0001");
            redis.opsForHash().put(keys.meta(), "runId", "20260101T000000000Z");
            AtomicLong wrong = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                // one sweeper (two would take each other's stale keys), the rest checks and preflights
                int kind = t == 1 ? 1 : t % 2 == 0 ? 0 : 2;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 1500; i++) {
                        try {
                            switch (kind) {
                                case 0 -> {
                                    if (!Boolean.TRUE.equals(redis.opsForSet().isMember(keys.live(), "VALID0001"))
                                            || Boolean.TRUE.equals(
                                                    redis.opsForSet().isMember(keys.live(), "NOPE0001"))) {
                                        wrong.incrementAndGet();
                                    }
                                }
                                case 1 -> {
                                    // a stale key left by an older run: the sweep must find and remove it (a
                                    // sweep that failed inside returns 0)
                                    redis.opsForValue().set(keys.staging("20000101T000000000Z"), "x");
                                    if (publisher.removeStaleStagingKeys() != 1) {
                                        failed.incrementAndGet();
                                    }
                                }
                                default -> publisher.preflight("r" + i, "test Redis", Duration.ZERO);
                            }
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(0, failed.get(), "commands that failed");
            assertEquals(0, wrong.get(), "checks that gave the wrong answer");
        }
    }
}
