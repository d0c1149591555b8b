package dev.couponpipeline.boot;

import dev.couponpipeline.produce.KafkaReadiness;
import dev.couponpipeline.run.Roles;
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
public final class Infrastructure implements AutoCloseable, KafkaReadiness {

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
    /**
     * Where Kafka and Redis are, as resolved here: the configured ones, or the embedded ones started for empty
     * settings. Keys of their own, which no operator sets: an explicitly empty {@code coupon.redis.host} (as
     * compose files set it) outranks any override in Camel's resolution, so it cannot be overridden in place.
     */
    public static final String KAFKA_BROKERS = "coupon.resolved.kafka-brokers";

    public static final String REDIS_HOST = "coupon.resolved.redis-host";
    public static final String REDIS_PORT = "coupon.resolved.redis-port";

    /** Its name in Camel's registry. */
    public static final String BEAN = KafkaReadiness.BEAN;

    /** The embedded broker, starting in the background while Camel boots (it takes seconds). */
    private java.util.concurrent.CompletableFuture<EmbeddedKafka> kafka;

    private EmbeddedRedis redis;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    public static Infrastructure start(Settings settings) throws IOException {
        Infrastructure infra = new Infrastructure();
        try {
            Roles roles = Roles.parse(settings.get(Roles.KEY));
            if (roles.needsKafka() && settings.get("coupon.kafka.brokers").isEmpty()) {
                Path dir = Path.of(settings.get("coupon.kafka.embedded-dir"));
                int wanted = settings.getInt("coupon.kafka.embedded-port");
                int port = wanted > 0 ? wanted : EmbeddedKafka.freePort();
                int controllerPort = EmbeddedKafka.freePort();
                infra.kafka = new java.util.concurrent.CompletableFuture<>();
                java.util.concurrent.CompletableFuture<EmbeddedKafka> started = infra.kafka;
                Thread t = new Thread(
                        () -> {
                            try {
                                EmbeddedKafka k = EmbeddedKafka.start(dir, port, controllerPort);
                                LOG.info(
                                        "Started the embedded Kafka broker on {}, loopback only, no authentication: for"
                                                + " development, set coupon.kafka.brokers in production (data in {})",
                                        k.bootstrapServers(),
                                        dir);
                                started.complete(k);
                            } catch (IOException | RuntimeException e) {
                                started.completeExceptionally(e);
                            }
                        },
                        "embedded-kafka-start");
                t.setDaemon(true);
                if (settings.getBoolean("coupon.run.low-priority")) {
                    t.setPriority(Thread.MIN_PRIORITY); // the broker's threads inherit it: the API goes first
                }
                t.start();
                infra.overrides.put(KAFKA_BROKERS, "127.0.0.1:" + port);
            }
            if (settings.get("coupon.redis.host").isEmpty()
                    && settings.get("coupon.redis.sentinel.master").isEmpty()) {
                infra.redis = EmbeddedRedis.start(
                        Path.of(settings.get("coupon.redis.embedded-dir")),
                        settings.getInt("coupon.redis.embedded-port"));
                infra.overrides.put(REDIS_HOST, infra.redis.host());
                infra.overrides.put(REDIS_PORT, Integer.toString(infra.redis.port()));
                LOG.info(
                        "Started the embedded redis-server on {}:{}, loopback only, no password: for development,"
                                + " set coupon.redis.host in production (data in {})",
                        infra.redis.host(),
                        infra.redis.port(),
                        settings.get("coupon.redis.embedded-dir"));
            }
            // what was configured, where nothing was started here
            infra.overrides.putIfAbsent(KAFKA_BROKERS, settings.get("coupon.kafka.brokers"));
            infra.overrides.putIfAbsent(REDIS_HOST, settings.get("coupon.redis.host"));
            infra.overrides.putIfAbsent(REDIS_PORT, settings.get("coupon.redis.port"));
            return infra;
        } catch (IOException | RuntimeException e) {
            infra.close();
            throw e;
        }
    }

    /**
     * Waits until the embedded broker (if any) is up; Camel's start-up calls this before it sets up the topics.
     *
     * @throws IllegalStateException when the broker could not start, with the reason
     */
    @Override
    public void awaitKafka() throws InterruptedException {
        if (kafka == null) {
            return;
        }
        try {
            kafka.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getCause(), e.getCause());
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
                kafka.join().close();
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
