package dev.couponpipeline.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.fault.FaultHarness.Case;
import dev.couponpipeline.fault.FaultHarness.Pipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The fault suite: real processes (the packaged jar, a Kafka broker in its own JVM, redis-server) killed, stopped
 * and cut off at chosen moments. After every case: the live set equals what a clean run gives, a prober never saw
 * a partial or missing set, no staging or parts key is left, the aggregator's group never committed an offset and
 * the aggregator holds no table. Each case has its own files, topics, consumer group and Redis key. Recovery times
 * are printed as {@code FAULT <case>: ...} lines (the README quotes them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FaultToleranceIT {

    private static final int DISTINCT = 200_000;
    private static final Duration RUN = Duration.ofSeconds(120);
    private static final String CONSUMED = "coupon_records_consumed_total";

    private FaultHarness h;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        assertTrue(Files.isRegularFile(FaultHarness.JAR), "run through mvn verify: the jar is built first");
        h = new FaultHarness(root);
    }

    @AfterEach
    void killPipelines() throws InterruptedException {
        h.killPipelines();
    }

    @AfterAll
    void stop() throws Exception {
        h.close();
    }

    private static void report(String line) {
        System.out.println("FAULT " + line);
    }

    /**
     * The run in flight is all in Kafka: every source ended every partition, so it can be rebuilt from the
     * control records and the ranges they name, whatever happened to the process building it.
     */
    private void assertReplayable(Case c, String live) {
        Map<String, Long> ends = new java.util.HashMap<>();
        for (dev.couponpipeline.records.ControlRecord r : h.kafka.controlRecords(c.controlTopic)) {
            if (r.run().compareTo(live) > 0 && !r.isAbort()) {
                ends.merge(r.run(), 1L, Long::sum);
            }
        }
        assertEquals(
                Map.of(),
                ends.entrySet().stream()
                        .filter(e -> e.getValue() != 3L * FaultHarness.PARTITIONS)
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                "every source ended every partition of the runs newer than the live one");
        assertEquals(1, ends.size(), "one run in flight: " + ends);
    }

    // --- 1: kill -9 of the aggregator's JVM mid-aggregation -----------------------------------------------------

    @Test
    void aggregator_killed_mid_aggregation_replays_the_run_from_kafka() throws Exception {
        Case c = h.new Case("kill9-aggregating");
        TestFiles v1 = c.files(1, DISTINCT);
        Pipeline p1 = c.start("p1", Map.of());
        String run1 = c.baseline(p1, v1);
        TestFiles v2 = c.files(2, DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double before = p1.metric(CONSUMED);
            assertEquals(202, p1.startRun().statusCode());
            p1.awaitMetricAbove(CONSUMED, before + 2000);
            p1.kill9();
            assertEquals(run1, c.liveRunId(), "killed before its publish");
            assertReplayable(c, run1);

            long t0 = System.nanoTime();
            Pipeline p2 = c.start("p2", Map.of());
            c.awaitPublished(run1, RUN);
            report("kill -9 mid-aggregation: restart to published in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            c.assertRecovered(p2, v2, prober);
        }
    }

    // --- 2: kill -9 between the last staging SADD and the swap ---------------------------------------------------

    @Test
    void aggregator_killed_between_staging_and_swap_leaves_the_old_set_and_no_key() throws Exception {
        Case c = h.new Case("kill9-before-swap");
        try (TcpProxy proxy = new TcpProxy(h.redis.port)) {
            c.redisPort = proxy.port();
            TestFiles v1 = c.files(3, DISTINCT);
            Pipeline p1 = c.start("p1", Map.of());
            String run1 = c.baseline(p1, v1);
            TestFiles v2 = c.files(4, DISTINCT);
            try (LiveSetProber prober = c.prober(v1, v2)) {
                // every part marks itself done with the swap script; the last one swaps: freeze that one (by the
                // script's SHA-1: the run history and the preflight send scripts of their own)
                proxy.freezeOn(dev.couponpipeline.publish.LiveSetPublisher.publishScriptSha(), FaultHarness.PARTITIONS);
                assertEquals(202, p1.startRun().statusCode());
                assertTrue(proxy.awaitFrozen(RUN.toMillis()), "the swap script was sent");
                Set<String> staging = c.stagingKeys();
                assertEquals(1, staging.size(), staging.toString());
                try (Jedis j = h.redis.jedis()) {
                    String key = staging.iterator().next();
                    assertEquals(v2.valid, j.smembers(key), "every valid code is staged before the swap");
                    long ttl = j.ttl(key);
                    assertTrue(ttl > 0 && ttl <= 86_400, "a staging key always expires: ttl " + ttl);
                }
                p1.kill9();
                proxy.thaw();
                assertEquals(v1.valid, c.liveSet());
                assertEquals(run1, c.liveRunId());
                assertReplayable(c, run1);

                long t0 = System.nanoTime();
                Pipeline p2 = c.start("p2", Map.of());
                c.awaitPublished(run1, RUN);
                report("kill -9 between staging and swap: restart to published in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                c.assertRecovered(p2, v2, prober);
            }
        }
    }

    // --- 3: kill -9 of the producer mid-file (producer and aggregator in separate JVMs) --------------------------

    @Test
    void producer_killed_mid_file_is_superseded_by_the_next_run() throws Exception {
        Case c = h.new Case("kill9-producer");
        Map<String, String> producer = Map.of("coupon.role", "producer,api", "coupon.kafka.codes-per-record", "5");
        Map<String, String> aggregator = Map.of("coupon.role", "aggregator,api");
        TestFiles v1 = c.files(5, 3 * DISTINCT);
        Pipeline agg = c.start("aggregator", aggregator);
        Pipeline prod1 = c.start("producer1", producer);
        String run1 = c.baseline(agg, v1);
        TestFiles v2 = c.files(6, 3 * DISTINCT);
        Map<String, Long> runStart = h.kafka.endOffsets(c.topics, FaultHarness.PARTITIONS);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double read = prod1.metric("coupon_codes_read_total");
            assertEquals(202, prod1.startRun().statusCode());
            prod1.awaitMetricAbove("coupon_codes_read_total", read + v2.codesWritten / 10.0);
            prod1.kill9();
            assertTrue(
                    h.kafka.endOffsets(c.topics, FaultHarness.PARTITIONS).values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum()
                            > runStart.values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum(),
                    "part of the run is in Kafka");
            // a run no source finished costs the aggregator nothing: no control record, nothing held
            assertEquals(0, agg.metric("coupon_aggregator_open_runs"));
            assertTrue(
                    h.kafka.controlRecords(c.controlTopic).stream()
                            .noneMatch(r -> r.run().compareTo(run1) > 0),
                    "no source of the killed run ended a partition");
            assertEquals(run1, c.liveRunId());

            long t0 = System.nanoTime();
            c.start("producer2", producer); // run-on-start re-reads the files
            c.awaitPublished(run1, RUN);
            report("kill -9 of the producer mid-file: producer restart to published in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            c.assertRecovered(agg, v2, prober);
        }
    }

    // --- 4: the Kafka broker killed and restarted, during production and during consumption ----------------------

    private void restartBroker() throws Exception {
        h.kafka.kill9();
        Thread.sleep(3000);
        h.kafka.start();
    }

    @Test
    void broker_killed_during_production_and_restarted_loses_nothing() throws Exception {
        Case c = h.new Case("broker-producing");
        Map<String, String> slowProducer = Map.of("coupon.kafka.codes-per-record", "5");
        TestFiles v1 = c.files(17, 3 * DISTINCT);
        Pipeline p1 = c.start("p1", slowProducer);
        String run1 = c.baseline(p1, v1);
        TestFiles v2 = c.files(18, 3 * DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double read = p1.metric("coupon_codes_read_total");
            assertEquals(202, p1.startRun().statusCode());
            p1.awaitMetricAbove("coupon_codes_read_total", read + v2.codesWritten / 10.0);
            assertTrue(p1.metric("coupon_codes_read_total") < read + v2.codesWritten, "still producing");
            long t0 = System.nanoTime();
            restartBroker();
            c.awaitPublished(run1, RUN);
            report("broker kill -9 + 3 s down during production: kill to published in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            c.assertRecovered(p1, v2, prober);
        }
    }

    @Test
    void broker_killed_during_consumption_and_restarted_loses_nothing() throws Exception {
        Case c = h.new Case("broker-consuming");
        TestFiles v1 = c.files(19, DISTINCT);
        Pipeline p1 = c.start("p1", Map.of());
        String run1 = c.baseline(p1, v1);
        TestFiles v2 = c.files(20, DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double before = p1.metric(CONSUMED);
            String runId = FaultHarness.runIdOf(p1.startRun());
            FaultHarness.await("the run's sources all sent", RUN, () -> p1.sourcesSent(runId));
            p1.awaitMetricAbove(CONSUMED, before + 2000);
            assertEquals(run1, c.liveRunId(), "still consuming");
            long t0 = System.nanoTime();
            restartBroker();
            c.awaitPublished(run1, RUN);
            report("broker kill -9 + 3 s down during consumption: kill to published in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            c.assertRecovered(p1, v2, prober);
        }
    }

    // --- 5: redis-server killed during the staging writes and restarted with its data ---------------------------

    @Test
    void redis_killed_during_staging_writes_is_retried_after_it_is_back() throws Exception {
        Case c = h.new Case("redis-killed-staging");
        FaultHarness.RedisServerProcess own = new FaultHarness.RedisServerProcess(c.dir.resolve("redis"));
        own.start(true);
        c.server = own;
        try (TcpProxy proxy = new TcpProxy(own.port)) {
            c.redisPort = proxy.port();
            TestFiles v1 = c.files(21, DISTINCT);
            Pipeline p1 = c.start("p1", Map.of());
            String run1 = c.baseline(p1, v1);
            TestFiles v2 = c.files(22, DISTINCT);
            proxy.freezeOn("SADD");
            assertEquals(202, p1.startRun().statusCode());
            assertTrue(proxy.awaitFrozen(RUN.toMillis()), "the staging writes began");
            own.kill9();
            proxy.thaw();
            Thread.sleep(2000);
            long t0 = System.nanoTime();
            own.start(true); // the append-only file brings back the live set, not a swap in between
            assertEquals(run1, c.liveRunId());
            assertEquals(v1.valid, c.liveSet());
            try (LiveSetProber prober = c.prober(v1, v2)) {
                c.awaitPublished(run1, RUN);
                report("redis-server kill -9 during staging writes, back after 2 s: back to published in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                c.assertRecovered(p1, v2, prober);
            }
        } finally {
            own.kill9();
        }
    }

    // --- 7: SIGSTOP of the consumer past max.poll.interval.ms, then SIGCONT -------------------------------------

    @Test
    void consumer_paused_past_the_poll_interval_rebuilds_the_run_after_the_rebalance() throws Exception {
        Case c = h.new Case("sigstop-consumer");
        Map<String, String> aggregator = Map.of(
                "coupon.role",
                "aggregator,api",
                "camel.component.kafka.session-timeout-ms",
                "6000",
                "camel.component.kafka.heartbeat-interval-ms",
                "1000",
                "camel.component.kafka.max-poll-interval-ms",
                "6000");
        TestFiles v1 = c.files(7, DISTINCT);
        Pipeline agg = c.start("aggregator", aggregator);
        Pipeline prod = c.start("producer", Map.of("coupon.role", "producer,api"));
        String run1 = c.baseline(agg, v1);
        TestFiles v2 = c.files(8, DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double before = agg.metric(CONSUMED);
            assertEquals(202, prod.startRun().statusCode());
            agg.awaitMetricAbove(CONSUMED, before + 2000);
            assertEquals(1, h.kafka.groupMembers(c.group), "the aggregator is the group's one member");
            long stopped = System.nanoTime();
            FaultHarness.signal(agg.process, "STOP");
            // until past session.timeout.ms and max.poll.interval.ms (6 s): the group drops the member
            FaultHarness.await("the group to drop the stopped member", RUN, () -> h.kafka.groupMembers(c.group) == 0);
            long pausedMs = (System.nanoTime() - stopped) / 1_000_000;
            // the 6 s run from the member's last heartbeat, sent up to 1 s (heartbeat.interval.ms) before the stop
            assertTrue(pausedMs >= 4500, "dropped by the session timeout, not before: " + pausedMs + " ms");
            assertEquals(run1, c.liveRunId(), "nothing published while stopped");
            FaultHarness.signal(agg.process, "CONT");
            long t0 = System.nanoTime();
            c.awaitPublished(run1, RUN);
            report("SIGSTOP mid-consume, " + pausedMs
                    + " ms until the group dropped the member: SIGCONT to published in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            c.assertRecovered(agg, v2, prober);
        }
    }

    // --- 8: SIGTERM mid-run ---------------------------------------------------------------------------------------

    @Test
    void sigterm_mid_run_stops_gracefully_without_publishing() throws Exception {
        Case c = h.new Case("sigterm");
        TestFiles v1 = c.files(9, DISTINCT);
        Pipeline p1 = c.start("p1", Map.of());
        String run1 = c.baseline(p1, v1);
        TestFiles v2 = c.files(10, DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double before = p1.metric(CONSUMED);
            assertEquals(202, p1.startRun().statusCode());
            p1.awaitMetricAbove(CONSUMED, before + 2000);
            long t0 = System.nanoTime();
            FaultHarness.signal(p1.process, "TERM");
            assertTrue(p1.process.waitFor(60, TimeUnit.SECONDS), "stopped within the shutdown timeout");
            report("SIGTERM mid-run: stopped in " + (System.nanoTime() - t0) / 1_000_000 + " ms, exit code "
                    + p1.process.exitValue());
            // a graceful stop may finish the parts in hand; whatever it did, the live set is one whole run
            String live = c.liveRunId();
            assertEquals(live.equals(run1) ? v1.valid : v2.valid, c.liveSet(), "no partial publish");
            if (live.equals(run1)) {
                assertReplayable(c, run1);
            }

            Pipeline p2 = c.start("p2", Map.of());
            c.awaitPublished(run1, RUN);
            c.assertRecovered(p2, v2, prober);
        }
    }

    // --- 5: redis-server restarted empty after the swap -----------------------------------------------------------

    @Test
    void redis_back_empty_gets_the_set_again_from_a_new_run() throws Exception {
        Case c = h.new Case("redis-empty");
        FaultHarness.RedisServerProcess own = new FaultHarness.RedisServerProcess(c.dir.resolve("redis"));
        own.start(false);
        c.server = own;
        c.redisPort = own.port;
        try {
            TestFiles v1 = c.files(11, DISTINCT);
            Pipeline p1 = c.start("p1", Map.of());
            String run1 = c.baseline(p1, v1);
            own.kill9();
            own.start(false);
            long t0 = System.nanoTime();
            assertEquals(Map.of(), c.meta(), "a redis-server without persistence comes back empty");
            c.awaitPublished(run1, RUN);
            report("redis-server back empty after the swap: set restored in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms (check interval 2 s)");
            assertTrue(p1.logText().contains("The live set is gone from Redis"), p1.tail());
            try (LiveSetProber prober = c.prober(v1, v1)) {
                Thread.sleep(200);
                c.assertRecovered(p1, v1, prober);
            }
        } finally {
            own.kill9();
        }
    }

    // --- 5 and 6: Redis down during the staging writes, then back; Redis slow -----------------------------------

    @Test
    void redis_unreachable_during_publish_is_retried_and_never_half_swapped() throws Exception {
        Case c = h.new Case("redis-down-publish");
        try (TcpProxy proxy = new TcpProxy(h.redis.port)) {
            c.redisPort = proxy.port();
            TestFiles v1 = c.files(12, DISTINCT);
            Pipeline p1 = c.start("p1", Map.of());
            String run1 = c.baseline(p1, v1);
            TestFiles v2 = c.files(13, DISTINCT);
            try (LiveSetProber prober = c.prober(v1, v2)) {
                proxy.freezeOn("SADD");
                assertEquals(202, p1.startRun().statusCode());
                assertTrue(proxy.awaitFrozen(RUN.toMillis()), "the staging writes began");
                proxy.mode(TcpProxy.Mode.DROP); // every connection cut, new ones refused
                proxy.thaw();
                p1.awaitMetricAbove("coupon_publish_retries_total", 2);
                assertEquals(run1, c.liveRunId());
                assertEquals(v1.valid, c.liveSet());
                long t0 = System.nanoTime();
                proxy.delay(20); // back, but slow
                proxy.mode(TcpProxy.Mode.PASS);
                c.awaitPublished(run1, RUN);
                report("Redis unreachable during publish: back to published in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms, "
                        + (long) p1.metric("coupon_publish_retries_total") + " retries");
                proxy.delay(0);
                assertTrue(p1.logText().contains("WARN"), p1.tail());
                c.assertRecovered(p1, v2, prober);
            }
        }
    }

    @Test
    void redis_down_past_the_retries_fails_the_run_and_the_next_run_publishes() throws Exception {
        Case c = h.new Case("redis-down-long");
        try (TcpProxy proxy = new TcpProxy(h.redis.port)) {
            c.redisPort = proxy.port();
            TestFiles v1 = c.files(14, DISTINCT);
            Pipeline p1 = c.start(
                    "p1",
                    Map.of(
                            "coupon.publish.max-retries",
                            "2",
                            "coupon.publish.retry-delay-ms",
                            "200",
                            "coupon.publish.max-retry-delay-ms",
                            "400"));
            String run1 = c.baseline(p1, v1);
            TestFiles v2 = c.files(15, DISTINCT);
            try (LiveSetProber prober = c.prober(v1, v2)) {
                proxy.freezeOn("SADD");
                double failed = p1.metric("coupon_runs_failed_total");
                assertEquals(202, p1.startRun().statusCode());
                assertTrue(proxy.awaitFrozen(RUN.toMillis()));
                proxy.mode(TcpProxy.Mode.DROP);
                proxy.thaw();
                p1.awaitMetricAbove("coupon_runs_failed_total", failed);
                assertTrue(p1.logText().contains("publishing to Redis failed"), p1.tail());
                assertEquals(run1, c.liveRunId());
                proxy.mode(TcpProxy.Mode.PASS);
                FaultHarness.await("a new run to be accepted", RUN, () -> {
                    try {
                        return p1.post("/runs").statusCode() == 202;
                    } catch (Exception e) {
                        return false;
                    }
                });
                c.awaitPublished(run1, RUN);
                c.assertRecovered(p1, v2, prober);
            }
        }
    }

    // --- 10: bad input under a small heap -------------------------------------------------------------------------

    @Test
    void bad_inputs_fail_with_the_file_and_reason_under_a_small_heap() throws Exception {
        Case c = h.new Case("bad-input");
        TestFiles v1 = c.files(16, DISTINCT / 4);
        Pipeline p1 = c.start("p1", Map.of());
        String run1 = c.baseline(p1, v1);
        p1.kill9();

        // each bad file in an input directory of its own, beside good copies of the other two sources; the four
        // --once processes run at the same time, each with its own topics, control topic and group (not its own
        // Redis key: none of them may touch the live set)
        byte[] junk = new byte[1 << 20];
        new java.util.Random(3).nextBytes(junk);
        junk[0] = 'x';
        byte[] magicJunk = junk.clone();
        magicJunk[0] = 0x1f;
        magicJunk[1] = (byte) 0x8b; // a gzip magic number in front does not make junk a gzip file
        Map<String, BadFile> cases = new java.util.LinkedHashMap<>();
        cases.put("is a directory", Files::createDirectories);
        cases.put("longer than", f -> writeNoNewline(f, 2L << 30));
        cases.put("not gzip data", f -> Files.write(f, junk));
        cases.put("unsupported gzip compression method", f -> Files.write(f, magicJunk));
        List<OnceRun> runs = new java.util.ArrayList<>();
        int i = 0;
        for (Map.Entry<String, BadFile> e : cases.entrySet()) {
            Path dir = Files.createDirectories(c.dir.resolve("bad-" + ++i));
            Path input = Files.createDirectories(dir.resolve("input"));
            for (String good : List.of("couponbase1.gz", "couponbase3.gz")) {
                Files.copy(c.input.resolve(good), input.resolve(good));
            }
            e.getValue().write(input.resolve("couponbase2.gz"));
            TestFiles.writeRoutes(dir.resolve("routes"), c.id + "-" + i);
            Map<String, String> s = c.settings();
            s.put("coupon.input-dir", input.toString());
            s.put("coupon.routes-dir", dir.resolve("routes").toString());
            s.put("coupon.kafka.control-topic", c.id + "-" + i + ".control");
            s.put("coupon.kafka.group-id", c.group + "-" + i);
            runs.add(new OnceRun(dir, e.getKey(), s));
        }
        try {
            for (OnceRun r : runs) {
                r.start();
            }
            for (OnceRun r : runs) {
                r.assertFailed("couponbase2.gz");
            }
        } finally {
            for (OnceRun r : runs) {
                if (r.process != null) {
                    r.process.destroyForcibly();
                }
            }
        }

        assertEquals(run1, c.liveRunId());
        assertEquals(v1.valid, c.liveSet());
        assertEquals(Set.of(), c.stagingKeys());
    }

    private interface BadFile {
        void write(Path file) throws IOException;
    }

    /** One {@code --once} process under {@code -Xmx160m}, expected to exit 1 naming a file and a reason. */
    private static final class OnceRun {
        final Path dir;
        final String reason;
        final Map<String, String> settings;
        Process process;
        long started;

        OnceRun(Path dir, String reason, Map<String, String> settings) {
            this.dir = dir;
            this.reason = reason;
            this.settings = settings;
        }

        void start() throws IOException {
            List<String> cmd = new java.util.ArrayList<>(List.of(FaultHarness.JAVA, "-Xmx160m"));
            cmd.addAll(FaultHarness.TEST_JVM);
            settings.put("coupon.aggregator.completion-timeout-ms", "20000");
            settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-jar", FaultHarness.JAR.toString(), "--once"));
            started = System.nanoTime();
            process = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectOutput(dir.resolve("once-out.txt").toFile())
                    .redirectError(dir.resolve("once-err.txt").toFile())
                    .start();
        }

        void assertFailed(String file) throws Exception {
            boolean done = process.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly();
            }
            assertTrue(done, "--once finished: " + reason);
            String[] lines =
                    Files.readString(dir.resolve("once-err.txt")).strip().split("\n");
            String last = lines[lines.length - 1];
            report("bad input " + reason + ": exit " + process.exitValue() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms under -Xmx160m (4 at once): " + last);
            assertEquals(1, process.exitValue(), last);
            assertTrue(last.contains(file) && last.contains(reason), last);
        }
    }

    /** A gzip file of {@code bytes} bytes of text with no newline, written in seconds: one member repeated. */
    private static void writeNoNewline(Path file, long bytes) throws IOException {
        byte[] chunk = "HAPPYHRS ".repeat((1 << 20) / 9).getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream member = new java.io.ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(member)) {
            gz.write(chunk);
        }
        byte[] m = member.toByteArray();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long n = 0; n < bytes; n += chunk.length) {
                out.write(m);
            }
        }
    }
}
