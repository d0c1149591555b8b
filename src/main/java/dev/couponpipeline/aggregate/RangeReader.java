package dev.couponpipeline.aggregate;

import dev.couponpipeline.run.CouponHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Reads exact offset ranges of source topics with a plain consumer that belongs to no group: assign, seek to each
 * range's first offset, poll until each has passed its last. Values reach the caller as slices of the fetched
 * bytes, never copied. One reader per worker thread, reused from part to part.
 */
public final class RangeReader implements RangeSource, AutoCloseable {

    /** The records of one source at offsets {@code first..last} of {@code topic}'s {@code partition}. */
    public record Range(int source, String topic, int partition, long first, long last) {}

    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final Duration stallTimeout;

    public RangeReader(Properties consumerProperties, Duration stallTimeout) {
        this.consumer =
                new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(), new ByteBufferDeserializer());
        this.stallTimeout = stallTimeout;
    }

    /**
     * Reads every range and hands the records of {@code runId} to {@code sink}; records of another run inside a
     * range (two producers writing at once) are skipped. Returns the records handed over, per source index.
     *
     * @throws PartFailedException when a range is gone from Kafka (past retention): no retry can read it
     * @throws RangeStalledException when no record arrives for the stall timeout (Kafka unreachable): worth a retry
     */
    @Override
    public long[] read(String runId, List<Range> ranges, int sources, RecordSink sink) {
        byte[] run = runId.getBytes(StandardCharsets.UTF_8);
        long[] records = new long[sources];
        Map<TopicPartition, Range> open = new HashMap<>();
        for (Range r : ranges) {
            if (r.first() >= 0 && r.last() >= r.first()) {
                open.put(new TopicPartition(r.topic(), r.partition()), r);
            }
        }
        if (open.isEmpty()) {
            return records;
        }
        List<TopicPartition> assigned = new ArrayList<>(open.keySet());
        consumer.assign(assigned);
        open.forEach((tp, r) -> consumer.seek(tp, r.first()));
        long lastProgress = System.nanoTime();
        try {
            while (!open.isEmpty()) {
                boolean progress = false;
                for (ConsumerRecord<byte[], ByteBuffer> rec : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                    Range r = open.get(tp);
                    if (r == null || rec.offset() > r.last()) {
                        continue; // past the range, or a range already done
                    }
                    progress = true;
                    if (rec.offset() >= r.first() && isRun(rec, run)) {
                        records[r.source()]++;
                        sink.record(r.source(), rec.value());
                    }
                }
                for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (consumer.position(e.getKey()) > e.getValue().last()) {
                        consumer.pause(List.of(e.getKey()));
                        it.remove();
                        progress = true;
                    }
                }
                if (progress) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                    throw new RangeStalledException("no record of " + open.keySet() + " arrived from Kafka within "
                            + stallTimeout.toSeconds() + " s");
                }
            }
        } catch (OffsetOutOfRangeException e) {
            throw new PartFailedException(
                    "the records of run " + runId + " at " + e.offsetOutOfRangePartitions()
                            + " are no longer in Kafka (past the topic's retention): the run cannot be read back",
                    e);
        } finally {
            consumer.assign(List.of());
        }
        return records;
    }

    private static boolean isRun(ConsumerRecord<?, ?> rec, byte[] run) {
        Header h = rec.headers().lastHeader(CouponHeaders.RUN_ID);
        return h != null && Arrays.equals(h.value(), run);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
