package dev.couponpipeline.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.couponpipeline.fault.FaultHarness.Case;
import dev.couponpipeline.fault.FaultHarness.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Several aggregator instances share a run: source topics with 4 partitions, a producer JVM and aggregator JVMs in
 * one consumer group. One instance alone, then two (each owning two partitions of every topic and publishing only
 * those parts), then one of the two killed mid-run, then a new one joining mid-run: every run publishes exactly
 * the known answer, swapped once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ScaleOutIT {

    private static final Duration RUN = Duration.ofSeconds(120);
    private FaultHarness h;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        assertTrue(Files.isRegularFile(FaultHarness.JAR), "run through mvn verify: the jar is built first");
        h = new FaultHarness(root);
    }

    @AfterAll
    void stop() throws Exception {
        h.close();
    }

    private void awaitCommittedToEnd(Case c) throws InterruptedException {
        FaultHarness.await("offsets committed to the end", RUN, () -> {
            Map<String, Long> end = h.broker.endOffsets(c.topics, 4);
            return end.size() == 12 && end.equals(h.broker.committed(c.group));
        });
    }

    private void assertPublished(Case c, TestFiles files, LiveSetProber prober) throws Exception {
        assertEquals(files.valid, c.liveSet());
        awaitCommittedToEnd(c);
        assertEquals(Set.of(), c.stagingKeys());
        try (Jedis j = h.redis.jedis()) {
            assertEquals(Set.of(), j.keys(c.key + ":parts:*"), "the parts record goes with the swap");
            assertEquals(Long.toString(files.valid.size()), j.hget(c.key + ":meta", "codes"));
        }
        if (prober != null) {
            assertEquals(List.of(), prober.violations());
        }
    }

    @Test
    void two_aggregators_share_a_run_and_one_survives_the_other_dying_mid_run() throws Exception {
        Case c = h.new Case("scale-out");
        Map<String, String> partitions = Map.of("coupon.kafka.partitions", "4");
        Map<String, String> aggregator = new java.util.HashMap<>(partitions);
        aggregator.put("coupon.role", "aggregator,api");
        Map<String, String> producer = new java.util.HashMap<>(partitions);
        producer.put("coupon.role", "producer,api");
        producer.put("coupon.schedule.run-on-start", "false");
        producer.put("coupon.kafka.codes-per-record", "5"); // slower, so a test can pause it mid-file

        // one aggregator instance owns all four partitions
        TestFiles v1 = c.files(31, 200_000);
        Pipeline a1 = c.start("aggregator1", aggregator);
        Pipeline prod = c.start("producer", producer);
        a1.awaitLog("assigned partition(s) [0, 1, 2, 3]", RUN);
        prod.awaitUp();
        assertEquals(202, prod.startRun().statusCode());
        String run1 = c.awaitPublished(null, RUN);
        assertPublished(c, v1, null);
        assertTrue(a1.logText().contains("complete here (partition(s) [0, 1, 2, 3] of 4)"), a1.tail());

        // a second instance joins: each owns two partitions of every topic
        Pipeline a2 = c.start("aggregator2", aggregator);
        a2.awaitLog("assigned partition(s) [", RUN);
        a1.awaitLog("(before: [0, 1, 2, 3])", RUN);
        TestFiles v2 = c.files(32, 200_000);
        try (LiveSetProber prober = new LiveSetProber("127.0.0.1", h.redis.port, c.key, v1.core.subList(0, 100),
                new HashSet<>(List.of((long) v1.valid.size(), (long) v2.valid.size())))) {
            assertEquals(202, prod.startRun().statusCode());
            String run2 = c.awaitPublished(run1, RUN);
            assertPublished(c, v2, prober);
            String a1Parts = partsLine(a1, run2);
            String a2Parts = partsLine(a2, run2);
            assertTrue(a1Parts.contains("of 4") && a2Parts.contains("of 4"), a1Parts + " / " + a2Parts);
            assertTrue(!a1Parts.contains("[0, 1, 2, 3]") && !a2Parts.contains("[0, 1, 2, 3]"),
                    "each instance published only its own partitions: " + a1Parts + " / " + a2Parts);
            System.out.println("SCALE-OUT two instances: " + a1Parts + " / " + a2Parts);

            // one of the two dies mid-run: the survivor gets its partitions and rebuilds them from Kafka
            TestFiles v3 = c.files(33, 200_000);
            try (LiveSetProber prober3 = new LiveSetProber("127.0.0.1", h.redis.port, c.key,
                    v2.core.subList(0, 100),
                    new HashSet<>(List.of((long) v2.valid.size(), (long) v3.valid.size())))) {
                double before = a2.metric("coupon_records_consumed_total");
                assertEquals(202, prod.startRun().statusCode());
                FaultHarness.await("aggregator2 mid-run", RUN,
                        () -> a2.metric("coupon_records_consumed_total") > before + 1000);
                a2.kill9();
                long t0 = System.nanoTime();
                String run3 = c.awaitPublished(run2, RUN);
                System.out.println("SCALE-OUT kill -9 of one of two aggregators mid-run: published "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms after the kill");
                assertPublished(c, v3, prober3);
                assertTrue(a1.logText().contains("assigned partition(s) [0, 1, 2, 3]"), a1.tail());
                assertTrue(run3.compareTo(run2) > 0);
            }

            // a new instance joins mid-run: the survivor hands it two partitions and forgets them, and rebuilds
            // its own two from the committed offsets (the range assignor reassigns everything); the joiner builds
            // the two it got from Kafka
            TestFiles v4 = c.files(34, 600_000);
            try (LiveSetProber prober4 = new LiveSetProber("127.0.0.1", h.redis.port, c.key,
                    v3.core.subList(0, 100),
                    new HashSet<>(List.of((long) v3.valid.size(), (long) v4.valid.size())))) {
                String run3 = c.liveRunId();
                double read = prod.metric("coupon_codes_read_total");
                assertEquals(202, prod.startRun().statusCode());
                FaultHarness.await("the producer mid-file", RUN,
                        () -> prod.metric("coupon_codes_read_total") > read + v4.codesWritten / 10.0);
                // hold the run open (its producer paused mid-file) until the new instance has its partitions
                FaultHarness.signal(prod.process, "STOP");
                Pipeline a3 = c.start("aggregator3", aggregator);
                FaultHarness.await("aggregator3 to get partitions", RUN,
                        () -> a3.logText().matches("(?s).*assigned partition\\(s\\) \\[\\d.*"));
                FaultHarness.signal(prod.process, "CONT");
                String run4 = c.awaitPublished(run3, RUN);
                assertPublished(c, v4, prober4);
                String joined1 = partsLine(a1, run4);
                String joined3 = partsLine(a3, run4);
                System.out.println("SCALE-OUT an instance joining mid-run: " + joined1 + " / " + joined3);
                assertTrue(!joined1.contains("[0, 1, 2, 3]") && !joined3.contains("[0, 1, 2, 3]"),
                        "the joiner took partitions mid-run: " + joined1 + " / " + joined3);
            }
        }
    }

    private static String partsLine(Pipeline p, String runId) {
        for (String line : p.logText().split("\n")) {
            if (line.contains("Run " + runId + " complete here")) {
                return line.substring(line.indexOf("complete here"));
            }
        }
        throw new AssertionError(p.name + " never completed its part of " + runId + "\n" + p.tail());
    }
}
