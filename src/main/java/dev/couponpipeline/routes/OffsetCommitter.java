package dev.couponpipeline.routes;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import dev.couponpipeline.run.RunSequencer;
import org.apache.camel.component.kafka.consumer.errorhandler.KafkaConsumerListener;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the aggregator's Kafka offsets, and nothing else does: only at the end of a run (after its publish, or
 * once it failed for good), and never past a record of a run still open.
 *
 * <p>Why not Camel's manual commit: camel-kafka 4.17's streaming consumer records the offset of every record it
 * processes and commits it after each poll batch and on every partition revocation, whatever the route's manual
 * commits do; an aggregator crash would then skip the records of the run in flight. Here the endpoint has
 * {@code autoCommitEnable=false} and no manual commit (so Camel commits nothing), and this listener, hooked into
 * the consumer's poll loop, commits what the publish route asked for: on the consumer thread, the only thread
 * allowed to touch the Kafka consumer, after every poll (at least every {@code pollTimeoutMs}).
 */
public final class OffsetCommitter extends KafkaConsumerListener {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    private final ConcurrentLinkedQueue<Map<TopicPartition, Long>> requests = new ConcurrentLinkedQueue<>();
    private final RunSequencer sequencer;
    private java.util.Set<TopicPartition> lastAssignment;

    public OffsetCommitter(RunSequencer sequencer) {
        this.sequencer = sequencer;
    }

    /** Asks for a commit after the given records: offsets of the last record of a run, by topic and partition. */
    public void commitAfter(Map<String, Map<Integer, Long>> lastOffsets) {
        Map<TopicPartition, Long> next = new HashMap<>();
        lastOffsets.forEach((topic, partitions) -> partitions.forEach((partition, offset) ->
                next.put(new TopicPartition(topic, partition), offset + 1)));
        if (!next.isEmpty()) {
            requests.add(next);
        }
    }

    @Override
    public boolean afterConsume(Object consumer) {
        Consumer<?, ?> kafka = (Consumer<?, ?>) consumer;
        java.util.Set<TopicPartition> assignment = kafka.assignment();
        if (!assignment.equals(lastAssignment)) {
            // a rebalance: tell the sequencer which partition numbers are ours now (the same for every source
            // topic with the range assignor)
            lastAssignment = java.util.Set.copyOf(assignment);
            java.util.Set<Integer> numbers = new java.util.TreeSet<>();
            assignment.forEach(tp -> numbers.add(tp.partition()));
            sequencer.assigned(numbers);
        }
        if (requests.isEmpty()) {
            return true;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, Long> r;
        while ((r = requests.poll()) != null) {
            r.forEach((tp, offset) -> {
                // a partition that moved to another instance is that instance's to commit
                if (assignment.contains(tp)) {
                    offsets.merge(tp, new OffsetAndMetadata(offset), (a, b) -> a.offset() >= b.offset() ? a : b);
                }
            });
        }
        if (offsets.isEmpty()) {
            return true;
        }
        try {
            kafka.commitSync(offsets, Duration.ofSeconds(30));
            LOG.debug("Committed {}", offsets);
        } catch (RuntimeException e) {
            // a rebalance or a broker outage: the run is replayed from the older offsets after a restart and
            // published again (an identical set), or dropped as older than the live run
            LOG.warn("Could not commit offsets {}: {}", offsets, e.toString());
        }
        return true;
    }

    /** Never pauses the consumer. */
    @Override
    public boolean afterProcess(org.apache.camel.component.kafka.consumer.support.ProcessingResult result) {
        return true;
    }
}
