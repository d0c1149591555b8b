package dev.couponpipeline.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/** An existing topic as an operator may have made it: what start-up refuses, naming the topic and the setting. */
class TopicChecksTest {

    private static final long DAY = 86_400_000L;
    // 4 partitions, replication factor 3, a run may take 5 minutes
    private final TopicSetup setup = new TopicSetup(null, "control", 4, 3, 3 * DAY, 1 << 20, 300_000);

    private static TopicDescription topic(int partitions, int replicas) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            nodes.add(new Node(i, "broker" + i, 9092));
        }
        List<TopicPartitionInfo> ps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ps.add(new TopicPartitionInfo(p, nodes.get(0), nodes, nodes));
        }
        return new TopicDescription("couponbase1.gz", false, ps);
    }

    private static Config config(Map<String, String> entries) {
        return new Config(entries.entrySet().stream()
                .map(e -> new ConfigEntry(e.getKey(), e.getValue()))
                .toList());
    }

    private String refusal(TopicDescription d, Map<String, String> entries) {
        return assertThrows(IllegalStateException.class, () -> setup.check(d, config(entries)))
                .getMessage();
    }

    @Test
    void a_topic_as_the_pipeline_creates_it_passes() {
        setup.check(
                topic(4, 3),
                config(Map.of(
                        "min.insync.replicas",
                        "2",
                        "cleanup.policy",
                        "delete",
                        "retention.ms",
                        Long.toString(3 * DAY))));
        setup.check(topic(8, 3), config(Map.of("retention.ms", "-1"))); // more partitions, keep forever
    }

    @Test
    void fewer_partitions_than_the_setting_fail() {
        String m = refusal(topic(2, 3), Map.of());
        assertTrue(m.contains("topic couponbase1.gz has 2 partition(s) but coupon.kafka.partitions is 4"), m);
    }

    @Test
    void fewer_replicas_than_min_insync_replicas_fail() {
        String m = refusal(topic(4, 1), Map.of("min.insync.replicas", "2"));
        assertEquals(
                "topic couponbase1.gz has replication factor 1 but its min.insync.replicas is 2: Kafka would"
                        + " refuse every record the pipeline sends (acks=all); add replicas to the topic or lower its"
                        + " min.insync.replicas",
                m);
        setup.check(topic(4, 2), config(Map.of("min.insync.replicas", "2"))); // below the setting only warns
    }

    @Test
    void a_retention_shorter_than_a_run_fails() {
        String m = refusal(topic(4, 3), Map.of("retention.ms", "60000"));
        assertTrue(
                m.startsWith("topic couponbase1.gz keeps records for retention.ms=60000, shorter than a run may"
                        + " take (coupon.aggregator.completion-timeout-ms=300000)"),
                m);
        setup.check(topic(4, 3), config(Map.of("retention.ms", "300000")));
    }

    @Test
    void a_compacted_topic_fails() {
        String m = refusal(topic(4, 3), Map.of("cleanup.policy", "compact,delete"));
        assertTrue(m.contains("cleanup.policy=compact,delete") && m.contains("set cleanup.policy=delete"), m);
    }
}
