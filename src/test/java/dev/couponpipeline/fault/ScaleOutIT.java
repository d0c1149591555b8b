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
 * Several aggregator instances share a run: topics with 4 partitions, a producer JVM and aggregator JVMs in one
 * consumer group on the control topic. One instance alone, then two (each given two control partitions, building
 * only those parts), then one of the two killed mid-run, then a new one joining mid-run: every run publishes
 * exactly the known answer, swapped once.
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

    private void assertPublished(Case c, TestFiles files, LiveSetProber prober) throws Exception {
        assertEquals(files.valid, c.liveSet());
        FaultHarness.await(
                "no staging or parts key left", RUN, () -> c.runKeys().isEmpty());
        assertEquals(Map.of(), h.kafka.committed(c.group), "progress lives in Redis, never in consumer offsets");
        try (Jedis j = h.redis.jedis()) {
            assertEquals(Set.of(), j.keys(c.key + ":parts:*"), "the parts record goes with the swap");
            assertEquals(Long.toString(files.valid.size()), j.hget(c.key + ":meta", "codes"));
        }
        if (prober != null) {
            assertEquals(List.of(), prober.violations());
        }
    }

    private static final String PARTITIONS = "coupon_aggregator_control_partitions";

    /** Control partitions Kafka gives {@code p} now, as its metric says. */
    private static int partitions(Pipeline p) {
        return (int) p.metric(PARTITIONS);
    }

    private static void awaitPartitions(Pipeline p, java.util.function.IntPredicate expected)
            throws InterruptedException {
        FaultHarness.await(p.name + "'s control partitions", RUN, () -> expected.test(partitions(p)));
    }

    @Test
    void two_aggregators_share_a_run_and_one_survives_the_other_dying_mid_run() throws Exception {
        Case c = h.new Case("scale-out");
        Map<String, String> partitions = Map.of("coupon.kafka.partitions", Integer.toString(FaultHarness.PARTITIONS));
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
        awaitPartitions(a1, n -> n == 4);
        prod.awaitUp();
        assertEquals(202, prod.startRun().statusCode());
        String run1 = c.awaitPublished(null, RUN);
        assertPublished(c, v1, null);
        assertEquals(4, built(a1), a1.tail());

        // a second instance joins: each gets two control partitions, and builds those parts of every run
        Pipeline a2 = c.start("aggregator2", aggregator);
        awaitPartitions(a2, n -> n > 0);
        awaitPartitions(a1, n -> n < 4);
        assertEquals(4, partitions(a1) + partitions(a2), "the two share the four control partitions");
        TestFiles v2 = c.files(32, 200_000);
        try (LiveSetProber prober = new LiveSetProber(
                "127.0.0.1",
                h.redis.port,
                c.key,
                v1.core.subList(0, 100),
                new HashSet<>(List.of((long) v1.valid.size(), (long) v2.valid.size())))) {
            double a1Before = built(a1);
            assertEquals(202, prod.startRun().statusCode());
            String run2 = c.awaitPublished(run1, RUN);
            assertPublished(c, v2, prober);
            double by1 = built(a1) - a1Before;
            double by2 = built(a2);
            assertEquals(List.of(2.0, 2.0), List.of(by1, by2), "each instance built its own two parts, once");
            System.out.println("SCALE-OUT two instances: parts built " + by1 + " / " + by2);

            // one of the two dies mid-run: the survivor gets its partitions and rebuilds them from Kafka
            TestFiles v3 = c.files(33, 200_000);
            try (LiveSetProber prober3 = new LiveSetProber(
                    "127.0.0.1",
                    h.redis.port,
                    c.key,
                    v2.core.subList(0, 100),
                    new HashSet<>(List.of((long) v2.valid.size(), (long) v3.valid.size())))) {
                double before = a2.metric("coupon_records_consumed_total");
                assertEquals(202, prod.startRun().statusCode());
                FaultHarness.await(
                        "aggregator2 mid-run", RUN, () -> a2.metric("coupon_records_consumed_total") > before + 1000);
                a2.kill9();
                long t0 = System.nanoTime();
                String run3 = c.awaitPublished(run2, RUN);
                System.out.println("SCALE-OUT kill -9 of one of two aggregators mid-run: published "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms after the kill");
                assertPublished(c, v3, prober3);
                assertEquals(4, partitions(a1), "the survivor has every control partition: " + a1.tail());
                assertTrue(run3.compareTo(run2) > 0);
            }

            // a new instance joins mid-run: the survivor hands it two control partitions; the joiner reads them
            // from the start and builds those parts of the run
            TestFiles v4 = c.files(34, 600_000);
            try (LiveSetProber prober4 = new LiveSetProber(
                    "127.0.0.1",
                    h.redis.port,
                    c.key,
                    v3.core.subList(0, 100),
                    new HashSet<>(List.of((long) v3.valid.size(), (long) v4.valid.size())))) {
                String run3 = c.liveRunId();
                double read = prod.metric("coupon_codes_read_total");
                assertEquals(202, prod.startRun().statusCode());
                FaultHarness.await(
                        "the producer mid-file",
                        RUN,
                        () -> prod.metric("coupon_codes_read_total") > read + v4.codesWritten / 10.0);
                // hold the run open (its producer paused mid-file) until the new instance has its partitions
                FaultHarness.signal(prod.process, "STOP");
                double a1Before4 = built(a1);
                Pipeline a3 = c.start("aggregator3", aggregator);
                awaitPartitions(a3, n -> n > 0);
                FaultHarness.signal(prod.process, "CONT");
                String run4 = c.awaitPublished(run3, RUN);
                assertPublished(c, v4, prober4);
                double joined1 = built(a1) - a1Before4;
                double joined3 = built(a3);
                System.out.println("SCALE-OUT an instance joining mid-run: parts built " + joined1 + " / " + joined3);
                assertTrue(
                        joined3 >= 1 && joined1 >= 1 && joined1 + joined3 == 4,
                        "the joiner took parts mid-run: " + joined1 + " / " + joined3);
            }
        }
    }

    /** Parts an instance has built so far, whatever their outcome. */
    private static double built(Pipeline p) {
        return p.metric("coupon_aggregator_parts_total");
    }
}
