package dev.couponpipeline.infra;

import dev.couponpipeline.config.Roles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded Kafka broker and redis-server that the settings ask for (none when external ones are
 * configured) and tells Camel where they are, through override properties.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    private EmbeddedKafka kafka;
    private EmbeddedRedis redis;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    public static Infrastructure start(Settings settings) throws IOException {
        Infrastructure infra = new Infrastructure();
        try {
            Roles roles = Roles.parse(settings.get(Roles.KEY));
            if (roles.needsKafka() && settings.get("coupon.kafka.brokers").isEmpty()) {
                infra.kafka = EmbeddedKafka.start(Path.of(settings.get("coupon.kafka.embedded-dir")),
                        settings.getInt("coupon.kafka.embedded-port"));
                infra.overrides.put("coupon.kafka.brokers", infra.kafka.bootstrapServers());
                LOG.info("Started the embedded Kafka broker on {} (data in {})", infra.kafka.bootstrapServers(),
                        settings.get("coupon.kafka.embedded-dir"));
            }
            if (settings.get("coupon.redis.host").isEmpty()) {
                infra.redis = EmbeddedRedis.start(Path.of(settings.get("coupon.redis.embedded-dir")),
                        settings.getInt("coupon.redis.embedded-port"));
                infra.overrides.put("coupon.redis.host", infra.redis.host());
                infra.overrides.put("coupon.redis.port", Integer.toString(infra.redis.port()));
                LOG.info("Started the embedded redis-server on {}:{} (data in {})", infra.redis.host(),
                        infra.redis.port(), settings.get("coupon.redis.embedded-dir"));
            }
            return infra;
        } catch (IOException | RuntimeException e) {
            infra.close();
            throw e;
        }
    }

    /** Properties that point Camel at what was started here. */
    public Map<String, String> overrides() {
        return overrides;
    }

    @Override
    public void close() {
        if (kafka != null) {
            try {
                kafka.close();
            } catch (RuntimeException e) {
                LOG.warn("Embedded Kafka did not stop cleanly: {}", e.toString());
            }
            kafka = null;
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Embedded redis-server did not stop cleanly: {}", e.toString());
            }
            redis = null;
        }
    }
}
