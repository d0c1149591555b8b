package dev.couponpipeline.aggregate;

import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.component.kafka.consumer.errorhandler.KafkaConsumerListener;
import org.apache.camel.component.kafka.consumer.support.ProcessingResult;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs which control partitions Kafka gives this aggregator, each time that changes, and counts them in
 * {@code coupon_aggregator_control_partitions}: an operator sees how the instances share a run. Hooked into the consumer's poll loop; it never pauses the consumer.
 */
final class AssignmentLog extends KafkaConsumerListener {

    private static final Logger LOG = LoggerFactory.getLogger(AssignmentLog.class);

    private final java.util.function.IntConsumer assigned;
    private Set<Integer> last;

    /** {@code assigned} learns how many control partitions this aggregator has, each time that changes. */
    AssignmentLog(java.util.function.IntConsumer assigned) {
        this.assigned = assigned;
    }

    @Override
    public boolean afterConsume(Object consumer) {
        Set<TopicPartition> assignment = ((Consumer<?, ?>) consumer).assignment();
        Set<Integer> partitions = new TreeSet<>();
        assignment.forEach(tp -> partitions.add(tp.partition()));
        if (!partitions.equals(last)) {
            LOG.info(
                    "Kafka assigned control partition(s) {} to this aggregator (before: {}); reading them from the "
                            + "start",
                    partitions,
                    last == null ? "none" : last);
            last = partitions;
            assigned.accept(partitions.size());
        }
        return true;
    }

    @Override
    public boolean afterProcess(ProcessingResult result) {
        return true;
    }
}
