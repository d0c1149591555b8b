package dev.couponpipeline.publish;

import dev.couponpipeline.boot.EmbeddedRedis;
import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The pipeline's own client, pooled, to a test's redis-server on loopback: no user, no password, no TLS. */
final class LocalRedis {

    private LocalRedis() {}

    static StringRedisTemplate template(EmbeddedRedis server, int poolSize) {
        return new RedisClientSettings(
                        server.host(),
                        server.port(),
                        "",
                        "",
                        0,
                        false,
                        "",
                        "",
                        "PKCS12",
                        true,
                        "",
                        "",
                        "",
                        Duration.ofSeconds(10),
                        poolSize)
                .template();
    }
}
