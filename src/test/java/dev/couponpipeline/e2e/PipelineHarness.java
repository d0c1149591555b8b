package dev.couponpipeline.e2e;

import dev.couponpipeline.boot.EmbeddedKafka;
import dev.couponpipeline.boot.EmbeddedRedis;
import dev.couponpipeline.boot.Launcher;
import dev.couponpipeline.testing.SourcesYaml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.camel.main.Main;
import redis.clients.jedis.Jedis;

/**
 * One real Kafka broker (KRaft, in-process) and one real redis-server for a test class, and a fresh pipeline
 * setup (input dir, routes, topics, consumer group, Redis key) per scenario, so scenarios never see each other.
 */
final class PipelineHarness implements AutoCloseable {

    private final Path root;
    private final EmbeddedKafka kafka;
    private final EmbeddedRedis redis;
    private final AtomicInteger scenarios = new AtomicInteger();

    PipelineHarness(Path root) throws IOException {
        this.root = root;
        this.kafka = EmbeddedKafka.start(root.resolve("kafka"), 0);
        this.redis = EmbeddedRedis.start(root.resolve("redis"), 0);
    }

    Scenario scenario(String name, List<String> sourceNames) throws IOException {
        return new Scenario(name + "-" + scenarios.incrementAndGet(), sourceNames);
    }

    /** A scenario whose sources read the files named here ({@code a → a.zip}). */
    Scenario scenario(String name, Map<String, String> sourceFiles) throws IOException {
        Scenario s = new Scenario(name + "-" + scenarios.incrementAndGet(), List.copyOf(sourceFiles.keySet()));
        SourcesYaml.write(s.routes, sourceFiles, s.id);
        return s;
    }

    Jedis jedis() {
        return new Jedis(redis.host(), redis.port());
    }

    @Override
    public void close() throws IOException {
        kafka.close();
        redis.close();
    }

    /** Stops a service started with {@link Scenario#startService}: once its Camel Main exists, completes it. */
    static void stopService(java.util.concurrent.atomic.AtomicReference<Main> main, Thread service)
            throws InterruptedException {
        try {
            org.awaitility.Awaitility.await("the service's Camel Main")
                    .atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(50))
                    .until(() -> main.get() != null || !service.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // a service that never got as far as its Main: nothing to complete, join it below
        }
        if (main.get() != null) {
            main.get().completed();
        }
        service.join(60_000);
    }

    /** The outcome of one {@code --once} run. */
    record Outcome(int exitCode, String out, String err) {}

    final class Scenario {
        final String id;
        final Path input;
        final Path routes;
        final String key;
        final Map<String, String> settings = new LinkedHashMap<>();

        Scenario(String id, List<String> sourceNames) throws IOException {
            this.id = id;
            this.input = Files.createDirectories(root.resolve(id).resolve("input"));
            this.routes = Files.createDirectories(root.resolve(id).resolve("routes"));
            this.key = "coupons:" + id;
            SourcesYaml.write(routes, sourceNames, id);
            settings.put("coupon.kafka.brokers", kafka.bootstrapServers());
            settings.put("coupon.redis.host", redis.host());
            settings.put("coupon.redis.port", Integer.toString(redis.port()));
            settings.put("coupon.input-dir", input.toString());
            settings.put("coupon.routes-dir", routes.toString());
            settings.put("coupon.sample.generate-if-empty", "false");
            // the files are written whole before a run starts: nothing to wait for, and a missing one fails at once
            // (the readiness tests set their own)
            settings.put("coupon.input.stable-seconds", "0");
            settings.put("coupon.input.wait-minutes", "0");
            settings.put("coupon.redis.key", key);
            settings.put("coupon.kafka.group-id", "group-" + id);
            settings.put("coupon.kafka.control-topic", id + ".control");
            settings.put("coupon.kafka.partitions", "4");
            settings.put("coupon.aggregator.completion-timeout-ms", "30000");
            settings.put("coupon.progress.interval-seconds", "60");
        }

        Path file(String source) {
            return input.resolve(source + ".gz");
        }

        Outcome runOnce() throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = Launcher.launch(new String[] {"--once"}, settings, o, e, main -> {});
            }
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        /** Starts the service in the background; the consumer gets the Camel Main once it exists. */
        Thread startService(Map<String, String> more, Consumer<Main> main) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(more);
            Thread t = new Thread(
                    () -> {
                        try {
                            Launcher.launch(new String[0], all, System.out, System.err, main);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "service-" + id);
            t.start();
            return t;
        }

        Set<String> liveSet() {
            try (Jedis j = jedis()) {
                return j.smembers(key);
            }
        }

        Map<String, String> meta() {
            try (Jedis j = jedis()) {
                return j.hgetAll(key + ":meta");
            }
        }

        Set<String> stagingKeys() {
            try (Jedis j = jedis()) {
                return j.keys(key + ":staging:*");
            }
        }
    }
}
