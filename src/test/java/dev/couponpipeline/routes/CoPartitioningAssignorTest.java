package dev.couponpipeline.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Proves the assignor the aggregator is configured with (Kafka's range assignor) gives partition i of every
 * source topic to the same instance, for any number of instances and partitions, and again after an instance
 * leaves or joins (every rebalance is a fresh assignment).
 */
class CoPartitioningAssignorTest {

    private static final List<String> TOPICS = List.of("couponbase1.gz", "couponbase2.gz", "couponbase3.gz");

    @SuppressWarnings("deprecation")
    private static Map<String, List<TopicPartition>> assign(int instances, int partitions) {
        Map<String, Integer> partitionsPerTopic = new HashMap<>();
        TOPICS.forEach(t -> partitionsPerTopic.put(t, partitions));
        Map<String, Subscription> members = new HashMap<>();
        for (int i = 0; i < instances; i++) {
            members.put("aggregator-" + i, new Subscription(TOPICS));
        }
        return new RangeAssignor().assign(partitionsPerTopic, members);
    }

    @Test
    void should_give_partition_i_of_every_topic_to_one_instance() {
        for (int instances = 1; instances <= 5; instances++) {
            for (int partitions = 1; partitions <= 8; partitions++) {
                Map<String, List<TopicPartition>> assignment = assign(instances, partitions);
                Set<Integer> seen = new TreeSet<>();
                for (List<TopicPartition> owned : assignment.values()) {
                    Set<Integer> numbers = new TreeSet<>();
                    owned.forEach(tp -> numbers.add(tp.partition()));
                    for (int p : numbers) {
                        for (String topic : TOPICS) {
                            assertTrue(owned.contains(new TopicPartition(topic, p)),
                                    instances + " instances, " + partitions + " partitions: " + owned);
                        }
                        assertTrue(seen.add(p), "partition " + p + " owned twice");
                    }
                }
                assertEquals(partitions, seen.size(), "every partition owned");
            }
        }
    }

    @Test
    void should_split_four_partitions_two_and_two_and_give_all_to_the_survivor() {
        Map<String, List<TopicPartition>> two = assign(2, 4);
        two.values().forEach(owned -> assertEquals(2 * TOPICS.size(), owned.size(), owned.toString()));
        Map<String, List<TopicPartition>> one = assign(1, 4);
        assertEquals(4 * TOPICS.size(), one.get("aggregator-0").size());
    }
}
