package dev.couponpipeline.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.fault.FaultHarness.Case;
import dev.couponpipeline.fault.FaultHarness.KafkaNode;
import dev.couponpipeline.fault.FaultHarness.Pipeline;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite on a replicated Kafka: three brokers, each in a JVM of its own, and their KRaft controller in a
 * fourth; source and control topics with replication factor 3, {@code min.insync.replicas=2}, unclean leader
 * election off, the pipeline's clients as the production compose file sets them (every broker listed, acks=all,
 * idempotent producers). Losing one broker is a non-event: the same run publishes. Losing two stops the writes: the
 * run fails within the stated bound, naming Kafka and the missing replicas, and the next run publishes once they
 * are back. Every case ends with the fault suite's checks ({@link Case#assertRecovered}). Times are printed as
 * {@code FAULT cluster ...} lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterFaultIT {

    /** Distinct codes a file set is made of (x3 for most cases); bench/faults.sh runs the class larger. */
    private static final int DISTINCT = Integer.getInteger("fault.distinct", 200_000);

    private static final Duration RUN = FaultHarness.RECOVERY;
    private static final String READ = "coupon_codes_read_total";
    private static final String CONSUMED = "coupon_records_consumed_total";
    private static final String FAILED = "coupon_runs_failed_total";
    /**
     * The producers' bound for the two-brokers-down case: a record Kafka does not acknowledge within
     * delivery.timeout.ms fails its source (production keeps Kafka's 120 s; the README states the bound).
     */
    private static final int DELIVERY_TIMEOUT_MS = 20_000;

    private static final Map<String, String> BOUNDED = Map.of(
            "camel.component.kafka.delivery-timeout-ms",
            Integer.toString(DELIVERY_TIMEOUT_MS),
            "camel.component.kafka.request-timeout-ms",
            "10000",
            "camel.component.kafka.max-block-ms",
            Integer.toString(DELIVERY_TIMEOUT_MS),
            "coupon.run.retry.max-attempts",
            "0");
    /** Small records: the sources take seconds, long enough to kill a broker while they send. */
    private static final Map<String, String> SLOW_SOURCES = Map.of("coupon.kafka.codes-per-record", "5");

    private FaultHarness h;
    /** The run time of an unfaulted run on this cluster (case 1), for the extra time of the faulted ones. */
    private long unfaultedMs = -1;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        assertTrue(Files.isRegularFile(FaultHarness.JAR), "run through mvn verify: the jar is built first");
        h = new FaultHarness(root, 3);
    }

    /** Every case starts on a whole cluster: a broker a case left down is started again. */
    @AfterEach
    void restore() throws Exception {
        h.killPipelines();
        boolean restarted = false;
        for (KafkaNode b : h.kafka.brokers) {
            if (b.process == null || !b.process.isAlive()) {
                b.launch();
                restarted = true;
            }
        }
        if (restarted) {
            h.kafka.awaitUp(3);
        }
    }

    @AfterAll
    void stop() throws Exception {
        h.close();
    }

    private static void report(String line) {
        System.out.println("FAULT cluster " + line);
    }

    /** Waits until every partition of the topics has all three brokers in sync again. */
    private void awaitFullyReplicated(List<String> topics) throws InterruptedException {
        FaultHarness.await("every partition of " + topics + " in sync on three brokers", RUN, () -> {
            Map<String, List<Integer>> isr = h.kafka.inSync(topics);
            return isr.size() == topics.size() * FaultHarness.PARTITIONS
                    && isr.values().stream().allMatch(l -> l.equals(List.of(1, 2, 3)));
        });
    }

    private static List<String> allTopics(Case c) {
        return java.util.stream.Stream.concat(c.topics.stream(), java.util.stream.Stream.of(c.controlTopic))
                .toList();
    }

    /** The published run is the one started: no failure and no second run on the way. */
    private static void assertSameRun(Case c, Pipeline p, String runId, double failedBefore) {
        assertEquals(runId, c.liveRunId(), "the run started is the run published (no re-run): " + p.tail());
        assertEquals(failedBefore, p.metric(FAILED), "no run failed: " + p.tail());
    }

    // --- 1: an unfaulted run, then kill -9 of the broker leading the most source partitions, mid-production ----

    /**
     * One pipeline, three runs: the baseline, an unfaulted run (the time the faulted cases are compared with) and
     * the run whose busiest leader is killed while the sources send.
     */
    @Test
    @Order(1)
    void an_unfaulted_run_publishes_and_the_busiest_leader_killed_mid_production_changes_nothing() throws Exception {
        Case c = h.new Case("cluster-producing");
        TestFiles v1 = c.files(31, 3 * DISTINCT);
        Pipeline p = c.start("p1", SLOW_SOURCES);
        String run1 = c.baseline(p, v1);
        // the topics the pipeline made are those of the production compose file's cluster
        Map<String, List<Integer>> isr = h.kafka.inSync(allTopics(c));
        assertEquals(4 * FaultHarness.PARTITIONS, isr.size(), isr.toString());
        assertTrue(isr.values().stream().allMatch(l -> l.equals(List.of(1, 2, 3))), isr.toString());

        TestFiles v2 = c.files(32, 3 * DISTINCT);
        String run2;
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double failed = p.metric(FAILED);
            long t0 = System.nanoTime();
            run2 = FaultHarness.runIdOf(p.startRun());
            c.awaitPublished(run1, RUN);
            unfaultedMs = (System.nanoTime() - t0) / 1_000_000;
            report("unfaulted run, replication factor 3: started to published in " + unfaultedMs + " ms ("
                    + v2.codesWritten + " codes)");
            assertSameRun(c, p, run2, failed);
            c.assertRecovered(p, v2, prober);
        }

        TestFiles v3 = c.files(34, 3 * DISTINCT);
        try (LiveSetProber prober = c.prober(v2, v3)) {
            double failed = p.metric(FAILED);
            double read = p.metric(READ);
            long t0 = System.nanoTime();
            String runId = FaultHarness.runIdOf(p.startRun());
            p.awaitMetricAbove(READ, read + v3.codesWritten / 10.0);
            KafkaNode victim = h.kafka.busiestLeader(c.topics);
            Map<Integer, Integer> leaders = h.kafka.leaderCounts(c.topics);
            victim.kill9();
            // the files may all be read (the producers buffer them); production ends when Kafka acknowledged it all
            assertFalse(p.sourcesSent(runId), "killed mid-production");
            c.awaitPublished(run2, RUN);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            report("kill -9 of the busiest leader mid-production: started to published in " + ms + " ms ("
                    + (ms - unfaultedMs) + " ms more than unfaulted; broker " + victim.nodeId + ", leader of "
                    + leaders.get(victim.nodeId) + " of " + 3 * FaultHarness.PARTITIONS + " source partitions)");
            assertSameRun(c, p, runId, failed);
            assertTrue(
                    h.kafka.leaderCounts(c.topics).keySet().stream().noneMatch(id -> id == victim.nodeId),
                    "its partitions are led by the other brokers");
            c.assertRecovered(p, v3, prober);
        }
    }

    // --- 2: the same, mid-aggregation: the range reads fail over to the new leaders -----------------------------

    @Test
    @Order(2)
    void the_busiest_leader_killed_mid_aggregation_changes_nothing() throws Exception {
        Case c = h.new Case("cluster-aggregating");
        TestFiles v1 = c.files(35, DISTINCT);
        Pipeline p = c.start("p1", Map.of());
        String run1 = c.baseline(p, v1);
        TestFiles v2 = c.files(36, DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double failed = p.metric(FAILED);
            double consumed = p.metric(CONSUMED);
            long t0 = System.nanoTime();
            String runId = FaultHarness.runIdOf(p.startRun());
            FaultHarness.await("the run's sources all sent", RUN, () -> p.sourcesSent(runId));
            p.awaitMetricAbove(CONSUMED, consumed + 2000);
            assertEquals(run1, c.liveRunId(), "still aggregating");
            KafkaNode victim = h.kafka.busiestLeader(c.topics);
            victim.kill9();
            assertEquals(run1, c.liveRunId(), "killed before the run was published: mid-aggregation");
            c.awaitPublished(run1, RUN);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            report("kill -9 of the busiest leader mid-aggregation: started to published in " + ms + " ms ("
                    + (ms - unfaultedMs) + " ms more than unfaulted; broker " + victim.nodeId + ")");
            assertSameRun(c, p, runId, failed);
            c.assertRecovered(p, v2, prober);
        }
    }

    // --- 3: two brokers down for longer than the producers wait -------------------------------------------------

    @Test
    @Order(3)
    void two_brokers_down_fail_the_run_naming_the_missing_replicas_and_the_next_run_publishes() throws Exception {
        Case c = h.new Case("cluster-two-down");
        TestFiles v1 = c.files(37, 3 * DISTINCT);
        Map<String, String> settings = new java.util.HashMap<>(BOUNDED);
        settings.putAll(SLOW_SOURCES);
        Pipeline p = c.start("p1", settings);
        String run1 = c.baseline(p, v1);
        TestFiles v2 = c.files(38, 3 * DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double failed = p.metric(FAILED);
            double read = p.metric(READ);
            String runId = FaultHarness.runIdOf(p.startRun());
            p.awaitMetricAbove(READ, read + v2.codesWritten / 10.0);
            h.kafka.node(2).kill9();
            h.kafka.node(3).kill9();
            long t0 = System.nanoTime();
            FaultHarness.await("the run to fail", RUN, () -> p.metric(FAILED) > failed);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // the bound: a record's delivery timeout, plus the moment the broker takes to fence the lost ones
            // (broker.session.timeout.ms, 9 s) and the run's own clean-up
            assertTrue(ms < DELIVERY_TIMEOUT_MS + 20_000, "failed after " + ms + " ms");
            report("two of three brokers killed mid-production: kill to run failed in " + ms
                    + " ms (delivery.timeout.ms " + DELIVERY_TIMEOUT_MS + ")");
            String log = p.logText();
            assertTrue(log.contains("Kafka did not take the records of source"), p.tail());
            assertTrue(log.contains("replicas missing: brokers [2, 3]"), p.tail());
            report("two brokers down, the failure logged: "
                    + log.lines()
                            .filter(l -> l.contains("Kafka did not take the records of source"))
                            .findFirst()
                            .orElseThrow());
            assertEquals(v1.valid, c.liveSet(), "the live set stays");
            assertEquals(run1, c.liveRunId(), "run " + runId + " was not published");

            h.kafka.restart(h.kafka.node(2));
            h.kafka.restart(h.kafka.node(3));
            awaitFullyReplicated(allTopics(c));
            // the failed run's slot is free once its sources have stopped (their last sends time out as well)
            String[] next = new String[1];
            FaultHarness.await("POST /runs to start a run", RUN, () -> {
                try {
                    HttpResponse<String> r = p.post("/runs");
                    if (r.statusCode() == 202) {
                        next[0] = FaultHarness.runIdOf(r);
                    }
                    return r.statusCode() == 202;
                } catch (java.io.IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                }
            });
            c.awaitPublished(run1, RUN);
            assertEquals(next[0], c.liveRunId());
            c.assertRecovered(p, v2, prober);
        }
    }

    // --- 4: a broker restarted with an empty log directory during a run -----------------------------------------

    @Test
    @Order(4)
    void a_broker_back_with_an_empty_log_directory_catches_up_and_nothing_is_lost() throws Exception {
        Case c = h.new Case("cluster-empty-disk");
        TestFiles v1 = c.files(39, 3 * DISTINCT);
        Pipeline p = c.start("p1", SLOW_SOURCES);
        String run1 = c.baseline(p, v1);
        TestFiles v2 = c.files(40, 3 * DISTINCT);
        try (LiveSetProber prober = c.prober(v1, v2)) {
            double failed = p.metric(FAILED);
            double read = p.metric(READ);
            String runId = FaultHarness.runIdOf(p.startRun());
            p.awaitMetricAbove(READ, read + v2.codesWritten / 10.0);
            KafkaNode victim = h.kafka.busiestLeader(c.topics);
            victim.kill9();
            victim.wipe();
            long t0 = System.nanoTime();
            victim.launch();
            assertTrue(p.metric(READ) >= 0 && !p.sourcesSent(runId), "restarted while the sources were still sending");
            c.awaitPublished(run1, RUN);
            assertSameRun(c, p, runId, failed);
            h.kafka.awaitUp(3);
            awaitFullyReplicated(allTopics(c));
            report("a broker back with an empty log directory mid-production: restart to in sync on every "
                    + "partition in " + (System.nanoTime() - t0) / 1_000_000 + " ms (broker " + victim.nodeId + ")");
            assertSameReplicas(victim.nodeId, c.topics);
            c.assertRecovered(p, v2, prober);
        }
    }

    /** The broker's copy of every partition is as long as the other brokers' copies and not behind. */
    private void assertSameReplicas(int nodeId, List<String> topics) {
        Map<Integer, Map<String, LogDirDescription>> dirs = h.kafka.admin(
                a -> a.describeLogDirs(List.of(1, 2, 3)).allDescriptions().get(10, TimeUnit.SECONDS));
        assertTrue(dirs != null && dirs.size() == 3, "log directories of three brokers: " + dirs);
        for (String t : topics) {
            for (int part = 0; part < FaultHarness.PARTITIONS; part++) {
                TopicPartition tp = new TopicPartition(t, part);
                long[] sizes = new long[4];
                for (int id = 1; id <= 3; id++) {
                    ReplicaInfo r = dirs.get(id).values().stream()
                            .map(d -> d.replicaInfos().get(tp))
                            .filter(java.util.Objects::nonNull)
                            .findFirst()
                            .orElse(null);
                    assertTrue(r != null, "broker " + id + " holds " + tp);
                    sizes[id] = r.size();
                    if (id == nodeId) {
                        assertEquals(0, r.offsetLag(), "broker " + id + " is not behind on " + tp);
                    }
                }
                assertTrue(sizes[nodeId] > 0, tp + " is not empty on broker " + nodeId);
                assertEquals(sizes[1 + nodeId % 3], sizes[nodeId], "broker " + nodeId + " holds all of " + tp);
            }
        }
    }
}
