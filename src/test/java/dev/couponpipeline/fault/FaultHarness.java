package dev.couponpipeline.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.testing.RedisProcess;
import dev.couponpipeline.testing.TestJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;

/**
 * Real processes for the fault tests, each killable on its own: a Kafka broker (KRaft) in its own JVM, a
 * redis-server, and pipeline JVMs running the packaged jar in any role. Everything listens on loopback only.
 */
final class FaultHarness implements AutoCloseable {

    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path JAR = PROJECT.resolve("target/coupon-pipeline.jar");
    static final String JAVA = TestJvm.JAVA;
    static final List<String> TEST_JVM = TestJvm.FLAGS;
    /** Partitions of every topic a case makes: parts are built one partition at a time, so a kill hits mid-run. */
    static final int PARTITIONS = 4;
    /** How long recovery may take in any case. */
    static final Duration RECOVERY = Duration.ofSeconds(120);

    final Path root;
    final Kafka kafka;
    final RedisServerProcess redis;
    private final List<Pipeline> pipelines = new ArrayList<>();

    /** One Kafka node, and redis-server. */
    FaultHarness(Path root) throws Exception {
        this(root, 1);
    }

    /** With {@code brokers} > 1, a Kafka cluster of that many brokers and a controller ({@link Kafka#cluster}). */
    FaultHarness(Path root, int brokers) throws Exception {
        this.root = root;
        this.kafka = brokers == 1 ? new Kafka(root.resolve("kafka")) : Kafka.cluster(root, brokers);
        this.redis = new RedisServerProcess(root.resolve("redis"));
        kafka.start();
        redis.start(false);
    }

    /** A free port on loopback (the embedded broker's helper). */
    static int freePort() throws java.io.IOException {
        return dev.couponpipeline.boot.EmbeddedKafka.freePort();
    }

    /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Awaitility.await(what)
                .atMost(timeout)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    /** The run id of a {@code POST /runs} answer (202). */
    static String runIdOf(HttpResponse<String> started) {
        assertEquals(202, started.statusCode(), started.body());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"runId\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(started.body());
        assertTrue(m.find(), started.body());
        return m.group(1);
    }

    static void signal(Process p, String signal) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                .inheritIO()
                .start();
        if (k.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /** Stops every pipeline JVM started so far (each case ends with this, so cases never share CPU). */
    void killPipelines() throws InterruptedException {
        for (Pipeline p : pipelines) {
            p.kill9();
        }
        pipelines.clear();
    }

    @Override
    public void close() throws Exception {
        killPipelines();
        kafka.kill9();
        redis.kill9();
    }

    /** One Kafka node (KRaft) in a JVM of its own, on fixed ports, so it can be killed and started again. */
    static final class KafkaNode {
        final Path dir;
        final int nodeId;
        final int port;
        private final List<String> args;
        Process process;

        /** {@code args} follow the jar's EmbeddedKafka main, after the directory. */
        KafkaNode(Path dir, int nodeId, int port, List<String> args) {
            this.dir = dir;
            this.nodeId = nodeId;
            this.port = port;
            this.args = args;
        }

        Path log() {
            return dir.resolveSibling(dir.getFileName() + ".log");
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        /** Starts the JVM; {@link Kafka#awaitUp} waits for the cluster. */
        void launch() throws IOException {
            List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx384m"));
            cmd.addAll(TEST_JVM);
            cmd.addAll(List.of("-cp", JAR.toString(), "dev.couponpipeline.boot.EmbeddedKafka"));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
        }

        boolean ready() {
            return process != null
                    && process.isAlive()
                    && readQuietly(log()).contains("kafka ready on ")
                    && Files.exists(dir.resolve("meta.properties"));
        }

        void kill9() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            // the next start must see "kafka ready" again, so forget the old log lines (of a crash too)
            try {
                Files.deleteIfExists(log());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Deletes the node's whole log directory (data and metadata): a disk replaced. Only while it is down. */
        void wipe() throws IOException {
            if (process != null && process.isAlive()) {
                throw new IllegalStateException("wipe a node only while it is down");
            }
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path f :
                            files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /**
     * The Kafka the pipelines use: one node (broker and controller in one JVM, the single broker of most cases) or
     * a cluster of three brokers, each in a JVM of its own, and their controller in a fourth, configured as the
     * production compose file configures its brokers (replication factor 3, min.insync.replicas 2, no unclean
     * leader election, the internal topics replicated three times).
     */
    static final class Kafka {
        final KafkaNode controller;
        final List<KafkaNode> brokers;

        /**
         * The single node. Its controller keeps the registration of a node killed with -9 until the broker session
         * times out (9 s by default), and the node started again waits that out before it serves: 15 s from start to
         * ready instead of 3. A 2 s session makes a restart take 5 s; with one node, nothing else depends on it.
         */
        Kafka(Path dir) throws IOException {
            this.controller = null;
            int port = freePort();
            this.brokers = List.of(new KafkaNode(
                    dir,
                    1,
                    port,
                    List.of(
                            dir.toString(),
                            Integer.toString(port),
                            Integer.toString(freePort()),
                            "broker.heartbeat.interval.ms=500",
                            "broker.session.timeout.ms=2000")));
        }

        private Kafka(KafkaNode controller, List<KafkaNode> brokers) {
            this.controller = controller;
            this.brokers = brokers;
        }

        static Kafka cluster(Path root, int size) throws IOException {
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            int controllerPort = freePort();
            String voters = "100@127.0.0.1:" + controllerPort;
            KafkaNode controller = new KafkaNode(
                    root.resolve("controller"),
                    100,
                    controllerPort,
                    List.of(
                            "node",
                            root.resolve("controller").toString(),
                            clusterId,
                            "100",
                            "controller",
                            Integer.toString(controllerPort),
                            voters));
            List<KafkaNode> brokers = new ArrayList<>();
            for (int id = 1; id <= size; id++) {
                int port = freePort();
                Path dir = root.resolve("broker" + id);
                brokers.add(new KafkaNode(
                        dir,
                        id,
                        port,
                        List.of(
                                "node",
                                dir.toString(),
                                clusterId,
                                Integer.toString(id),
                                "broker",
                                Integer.toString(port),
                                voters,
                                "default.replication.factor=3",
                                "min.insync.replicas=2",
                                "unclean.leader.election.enable=false",
                                "offsets.topic.replication.factor=3",
                                "transaction.state.log.replication.factor=3",
                                "transaction.state.log.min.isr=2",
                                "message.max.bytes=4194304")));
            }
            return new Kafka(controller, List.copyOf(brokers));
        }

        String bootstrap() {
            return String.join(",", brokers.stream().map(KafkaNode::address).toList());
        }

        /** Starts every node and waits until each broker has registered. */
        void start() throws Exception {
            if (controller != null) {
                controller.launch();
            }
            for (KafkaNode b : brokers) {
                b.launch();
            }
            awaitUp(brokers.size());
        }

        /** Starts a node killed (or wiped) again; waits until it and every live broker have registered. */
        void restart(KafkaNode node) throws Exception {
            node.launch();
            awaitUp((int) brokers.stream()
                    .filter(b -> b.process != null && b.process.isAlive())
                    .count());
        }

        void awaitUp(int registered) throws InterruptedException {
            await(
                    "Kafka to start (" + brokers.get(0).log() + ")",
                    Duration.ofSeconds(90),
                    () -> (controller == null || controller.ready())
                            && brokers.stream()
                                    .filter(b -> b.process != null && b.process.isAlive())
                                    .allMatch(KafkaNode::ready)
                            && Integer.valueOf(registered)
                                    .equals(admin(a -> a.describeCluster()
                                            .nodes()
                                            .get(5, TimeUnit.SECONDS)
                                            .size())));
        }

        /** Kills every node. */
        void kill9() throws InterruptedException {
            for (KafkaNode b : brokers) {
                b.kill9();
            }
            if (controller != null) {
                controller.kill9();
            }
        }

        KafkaNode node(int id) {
            return brokers.stream().filter(b -> b.nodeId == id).findFirst().orElseThrow();
        }

        /** Partition leaders of the topics, by broker id: how many partitions each broker leads. */
        Map<Integer, Integer> leaderCounts(List<String> topics) {
            Map<Integer, Integer> out = new java.util.TreeMap<>();
            describe(topics)
                    .values()
                    .forEach(d -> d.partitions().forEach(pi -> {
                        if (pi.leader() != null) {
                            out.merge(pi.leader().id(), 1, Integer::sum);
                        }
                    }));
            return out;
        }

        /** The broker that leads the most partitions of the topics. */
        KafkaNode busiestLeader(List<String> topics) {
            Map<Integer, Integer> counts = leaderCounts(topics);
            int id = counts.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .orElseThrow()
                    .getKey();
            return node(id);
        }

        /** In-sync replicas of every partition of the topics, by "topic-partition". */
        Map<String, List<Integer>> inSync(List<String> topics) {
            Map<String, List<Integer>> out = new java.util.TreeMap<>();
            describe(topics)
                    .values()
                    .forEach(d -> d.partitions()
                            .forEach(pi -> out.put(
                                    d.name() + "-" + pi.partition(),
                                    pi.isr().stream()
                                            .map(org.apache.kafka.common.Node::id)
                                            .sorted()
                                            .toList())));
            return out;
        }

        private Map<String, org.apache.kafka.clients.admin.TopicDescription> describe(List<String> topics) {
            Map<String, org.apache.kafka.clients.admin.TopicDescription> m =
                    admin(a -> a.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS));
            return m == null ? Map.of() : m;
        }

        interface AdminCall<T> {
            T call(Admin admin) throws Exception;
        }

        <T> T admin(AdminCall<T> call) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
            try (Admin admin = Admin.create(p)) {
                return call.call(admin);
            } catch (Exception e) {
                return null;
            }
        }

        /** Committed offsets of a consumer group, by "topic-partition". */
        Map<String, Long> committed(String group) {
            Map<TopicPartition, OffsetAndMetadata> m = admin(a -> a.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS));
            return m == null
                    ? Map.of()
                    : m.entrySet().stream()
                            .filter(e -> e.getValue() != null)
                            .collect(Collectors.toMap(
                                    e -> e.getKey().toString(),
                                    e -> e.getValue().offset()));
        }

        /** Members of a consumer group as its coordinator sees them, or -1 when the broker does not answer. */
        int groupMembers(String group) {
            Integer n = admin(a -> a.describeConsumerGroups(List.of(group))
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .get(group)
                    .members()
                    .size());
            return n == null ? -1 : n;
        }

        /** Every record on a control topic, read from the start: what a run is made of. */
        List<dev.couponpipeline.records.ControlRecord> controlRecords(String topic) {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap());
            List<dev.couponpipeline.records.ControlRecord> out = new ArrayList<>();
            try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c =
                    new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                            p,
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                List<TopicPartition> tps = c.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition()))
                        .toList();
                c.assign(tps);
                c.seekToBeginning(tps);
                Map<TopicPartition, Long> end = c.endOffsets(tps);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200))
                            .forEach(r -> out.add(dev.couponpipeline.records.ControlRecord.parse(r.value())));
                }
            }
            return out;
        }

        /** End offsets of partition 0 of the topics, by "topic-0". */
        Map<String, Long> endOffsets(List<String> topics) {
            return endOffsets(topics, 1);
        }

        /** End offsets of partitions 0..partitions-1 of the topics, by "topic-partition". */
        Map<String, Long> endOffsets(List<String> topics, int partitions) {
            Map<TopicPartition, OffsetSpec> req = new LinkedHashMap<>();
            for (String t : topics) {
                for (int p = 0; p < partitions; p++) {
                    req.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            Map<String, Long> out = admin(a -> a.listOffsets(req).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(
                            e -> e.getKey().toString(), e -> e.getValue().offset())));
            return out == null ? Map.of() : out;
        }
    }

    /** redis-server (the binary embedded-redis ships) as a process the test starts and kills itself. */
    static final class RedisServerProcess {
        final Path dir;
        final int port;
        Process process;

        RedisServerProcess(Path dir) throws IOException {
            this.dir = dir;
            this.port = freePort();
        }

        /** With {@code persistent}, an append-only file brings the data back after a kill; without, it is lost. */
        void start(boolean persistent) throws Exception {
            Files.createDirectories(dir);
            Path binary = RedisProcess.binary(dir.getParent());
            List<String> cmd = new ArrayList<>(List.of(
                    binary.toString(),
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    dir.toString(),
                    "--save",
                    "",
                    "--lazyfree-lazy-user-del",
                    "yes"));
            cmd.addAll(
                    persistent
                            ? List.of("--appendonly", "yes", "--appendfsync", "always")
                            : List.of("--appendonly", "no"));
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolveSibling("redis.log").toFile()))
                    .start();
            await("redis-server to answer", Duration.ofSeconds(20), () -> {
                try (Jedis j = new Jedis("127.0.0.1", port, 500)) {
                    return "PONG".equals(j.ping());
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }

        void kill9() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        Jedis jedis() {
            return new Jedis("127.0.0.1", port, 5000);
        }
    }

    /** One test case's own input files, topics, consumer group and Redis key. */
    final class Case {
        final String id;
        final Path dir;
        final Path input;
        final Path routes;
        final String key;
        final String group;
        final List<String> topics;
        final String controlTopic;
        /** The redis-server this case publishes to, and the port the pipelines use (a proxy's, or its own). */
        RedisServerProcess server = redis;

        int redisPort = redis.port;

        Case(String id) throws IOException {
            this.id = id;
            this.dir = Files.createDirectories(root.resolve(id));
            this.input = dir.resolve("input");
            this.routes = dir.resolve("routes");
            this.key = "coupons:" + id;
            this.group = "group-" + id;
            this.topics = TestFiles.NAMES.stream().map(n -> id + "." + n).toList();
            this.controlTopic = id + ".control";
            TestFiles.writeRoutes(routes, id);
        }

        /** Replaces the input files with a new known set. */
        TestFiles files(long seed, int distinct) throws IOException {
            return TestFiles.write(input, seed, distinct);
        }

        Map<String, String> settings() {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("coupon.kafka.brokers", kafka.bootstrap());
            s.put("coupon.redis.host", "127.0.0.1");
            s.put("coupon.redis.port", Integer.toString(redisPort));
            s.put("coupon.redis.timeout-ms", "2000");
            s.put("coupon.redis.key", key);
            s.put("coupon.input-dir", input.toString());
            s.put("coupon.routes-dir", routes.toString());
            s.put("coupon.sample.generate-if-empty", "false");
            // the files are written whole before a run starts: nothing to wait for (the readiness tests wait)
            s.put("coupon.input.stable-seconds", "0");
            s.put("coupon.input.wait-minutes", "0");
            s.put("coupon.kafka.group-id", group);
            s.put("coupon.schedule.enabled", "false");
            s.put("coupon.schedule.run-on-start", "true");
            s.put("coupon.progress.interval-seconds", "600");
            // small records: a run of a few hundred thousand codes lasts seconds, long enough to hit
            s.put("coupon.kafka.codes-per-record", "20");
            s.put("coupon.kafka.partitions", Integer.toString(PARTITIONS));
            // as the production compose file sets it: every partition on every broker of a cluster
            s.put("coupon.kafka.replication-factor", Integer.toString(Math.min(3, kafka.brokers.size())));
            s.put("coupon.kafka.control-topic", controlTopic);
            s.put("coupon.aggregator.completion-timeout-ms", "120000");
            s.put("coupon.live-set.check-interval-seconds", "2");
            // consecutive variants are unrelated data sets (about half the valid codes change from one to the
            // next), so the guard before the swap is off here; OperationsEndToEndIT proves the guard
            s.put("coupon.publish.max-removed-percent", "100");
            s.put("coupon.publish.retry-delay-ms", "500");
            s.put("coupon.publish.max-retry-delay-ms", "2000");
            s.put("coupon.publish.max-retries", "20");
            s.put("coupon.run.retry.delay-seconds", "2");
            return s;
        }

        Pipeline start(String name, Map<String, String> more, String... jvmOptions) throws Exception {
            Map<String, String> all = settings();
            all.putAll(more);
            Pipeline p = new Pipeline(this, name, all, List.of(jvmOptions));
            pipelines.add(p);
            return p;
        }

        Set<String> liveSet() {
            try (Jedis j = server.jedis()) {
                return j.smembers(key);
            }
        }

        Map<String, String> meta() {
            try (Jedis j = server.jedis()) {
                return j.hgetAll(key + ":meta");
            } catch (RuntimeException e) {
                return Map.of();
            }
        }

        String liveRunId() {
            return meta().get("runId");
        }

        Set<String> stagingKeys() {
            try (Jedis j = server.jedis()) {
                return j.keys(key + ":staging:*");
            }
        }

        /** Keys of runs in progress: staging sets, parts records, failures. None is left once a run is live. */
        Set<String> runKeys() {
            try (Jedis j = server.jedis()) {
                Set<String> keys = new java.util.TreeSet<>(j.keys(key + ":staging:*"));
                keys.addAll(j.keys(key + ":parts:*"));
                return keys;
            }
        }

        /** Waits for the first run (the files {@code v1}) to be published by {@code p}; returns its id. */
        String baseline(Pipeline p, TestFiles v1) throws InterruptedException {
            String run1 = awaitPublished(null, RECOVERY);
            assertEquals(v1.valid, liveSet(), p.tail());
            return run1;
        }

        /** A prober of this case's live set that allows the sizes of the two known sets. */
        LiveSetProber prober(TestFiles v1, TestFiles v2) {
            return new LiveSetProber(
                    "127.0.0.1",
                    server.port,
                    key,
                    v1.core.subList(0, 100),
                    new java.util.HashSet<>(List.of((long) v1.valid.size(), (long) v2.valid.size())));
        }

        /**
         * The invariants every case ends with, once recovery is over: no staging or parts key left, no consumer
         * offset committed, no table held by {@code aggregator}, the live set exactly {@code expected}, and the
         * prober never saw a partial or missing set.
         */
        void assertRecovered(Pipeline aggregator, TestFiles expected, LiveSetProber prober) throws Exception {
            await("no staging or parts key left", RECOVERY, () -> runKeys().isEmpty());
            assertEquals(Map.of(), kafka.committed(group), "progress lives in Redis, never in consumer offsets");
            await(
                    "the aggregator to hold no table",
                    RECOVERY,
                    () -> aggregator.metric("coupon_aggregator_open_runs") == 0
                            && aggregator.metric("coupon_table_bytes") == 0);
            assertEquals(expected.valid, liveSet(), aggregator.tail());
            assertEquals(Set.of(), stagingKeys());
            assertEquals(List.of(), prober.violations(), "the API saw a partial or missing set");
            assertTrue(prober.probes() > 50, "the prober ran");
        }

        /** Waits until a run other than {@code previousRunId} is live; returns its id. */
        String awaitPublished(String previousRunId, Duration timeout) throws InterruptedException {
            await("a run after " + previousRunId + " to be published to " + key, timeout, () -> {
                String now = liveRunId();
                return now != null && !now.equals(previousRunId);
            });
            return liveRunId();
        }
    }

    /** A pipeline JVM running the packaged jar, its log in the case directory. */
    static final class Pipeline {
        final String name;
        final Path log;
        final int httpPort;
        final Process process;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Pipeline(Case c, String name, Map<String, String> settings, List<String> jvmOptions) throws Exception {
            this.name = name;
            this.httpPort = freePort();
            this.log = c.dir.resolve(name + ".log");
            List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx512m"));
            cmd.addAll(TEST_JVM);
            cmd.addAll(jvmOptions);
            settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.add("-Dcoupon.http.port=" + httpPort);
            cmd.addAll(List.of("-jar", JAR.toString()));
            process = new ProcessBuilder(cmd)
                    .directory(c.dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        }

        String logText() {
            return readQuietly(log);
        }

        /** The last lines of the log, for assertion messages. */
        String tail() {
            String[] lines = logText().split("\n");
            return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
        }

        /** True once the run history says every source of {@code runId} is in Kafka (a produce time is known). */
        boolean sourcesSent(String runId) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/runs/" + runId))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains("\"produceSeconds\"");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Waits until {@code metric} is above {@code value} on this process. */
        void awaitMetricAbove(String metric, double value) throws InterruptedException {
            await(metric + " > " + value + " in " + name, RECOVERY, () -> metric(metric) > value);
        }

        /** Sum of a Prometheus metric's samples (all tags), or -1 when the process does not answer. */
        double metric(String name) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/observe/metrics"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                double sum = 0;
                boolean found = false;
                for (String line : r.body().split("\n")) {
                    if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        found = true;
                    }
                }
                return found ? sum : 0;
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** POST /runs, retried while the REST routes are still starting (404) or the port is not open yet. */
        HttpResponse<String> startRun() throws InterruptedException {
            HttpResponse<String>[] last = new HttpResponse[1];
            await(name + " to accept POST /runs", Duration.ofSeconds(60), () -> {
                try {
                    last[0] = post("/runs");
                    return last[0].statusCode() != 404;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                }
            });
            return last[0];
        }

        HttpResponse<String> post(String path) throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        void kill9() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        void awaitUp() throws InterruptedException {
            await(
                    name + " to serve metrics (" + log + ")",
                    Duration.ofSeconds(60),
                    () -> metric("coupon_runs_published_total") >= 0);
        }
    }

    static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
