package dev.couponpipeline.aggregate;

import dev.couponpipeline.produce.KafkaClients;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.run.RunCoordinator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run rebuilt from Kafka alone, without its files: its end records are read back from the control topic and sent
 * again under a new run id (each naming the old run as the one whose records to read), and the aggregator builds
 * the new run from exactly the old run's offset ranges, checks every count, and swaps it in as any run.
 *
 * <p>A run can be replayed while the brokers still hold every one of its ranges: every source ended every
 * partition, no source aborted, and no range starts before its partition's first retained offset. Otherwise
 * {@link Plan#refusal} says why, and the caller reads the files instead.
 */
public final class RunReplay {

    private static final Logger LOG = LoggerFactory.getLogger(RunReplay.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** What a replay of run {@code runId} would send; {@code refusal} is why it cannot, or null. */
    public record Plan(String runId, List<ControlRecord> ends, String refusal) {
        public boolean replayable() {
            return refusal == null;
        }

        /** Nothing of the run is on the control topic (an unknown id, or long past retention). */
        public boolean unknown() {
            return ends.isEmpty() && refusal != null && refusal.startsWith("no control record");
        }

        /** Codes per source, all partitions together. */
        public Map<String, Long> codesPerSource() {
            Map<String, Long> out = new TreeMap<>();
            ends.forEach(e -> out.merge(e.source(), e.codes(), Long::sum));
            return out;
        }
    }

    private final KafkaClients kafka;
    private final String controlTopic;
    private final Supplier<List<String>> sources;
    private final RunCoordinator coordinator;
    private final RunHistory history;

    public RunReplay(
            KafkaClients kafka,
            String controlTopic,
            Supplier<List<String>> sources,
            RunCoordinator coordinator,
            RunHistory history) {
        this.kafka = kafka;
        this.controlTopic = controlTopic;
        this.sources = sources;
        this.coordinator = coordinator;
        this.history = history;
    }

    /** The plan to replay {@code runId}; with null, the newest run on the control topic that every source ended. */
    public Plan plan(String runId) {
        Map<String, List<ControlRecord>> byRun = readControlTopic();
        if (runId == null) {
            List<String> complete = new ArrayList<>();
            for (String run : byRun.keySet()) {
                if (missing(byRun.get(run)) == null) {
                    complete.add(run);
                }
            }
            if (complete.isEmpty()) {
                return new Plan(
                        null,
                        List.of(),
                        "no run on the control topic " + controlTopic
                                + " has an end record from every source for every partition");
            }
            runId = complete.get(complete.size() - 1);
        }
        List<ControlRecord> records = byRun.get(runId);
        if (records == null) {
            return new Plan(
                    runId,
                    List.of(),
                    "no control record of run " + runId + " is on " + controlTopic
                            + " (past its retention, or the run is from another cluster)");
        }
        String missing = missing(records);
        if (missing != null) {
            return new Plan(runId, List.of(), "run " + runId + " cannot be replayed: " + missing);
        }
        List<ControlRecord> ends = ends(records);
        String expired = pastRetention(ends);
        return new Plan(runId, ends, expired == null ? null : "run " + runId + " cannot be replayed: " + expired);
    }

    /**
     * Starts the replay: a new run whose end records are the plan's. Returns the new run's id, or null when a run
     * is in flight.
     */
    public String start(Plan plan, String trigger) {
        if (!plan.replayable()) {
            throw new IllegalArgumentException(plan.refusal());
        }
        String runId = coordinator.tryStartReplay(trigger);
        if (runId == null) {
            return null;
        }
        history.started(runId, trigger, sources.get());
        history.replayOf(runId, plan.runId());
        try {
            send(runId, plan.ends());
        } catch (RuntimeException e) {
            coordinator.abandon(
                    runId,
                    "the replay of run " + plan.runId() + " could not send its control records: " + e.getMessage());
            throw e;
        }
        plan.codesPerSource().forEach((source, codes) -> history.sourceSent(runId, source, 0, codes, ""));
        history.sourcesSent(runId);
        LOG.info(
                "Run {} replays run {} from Kafka: {} ranges, {} codes, no file read",
                runId,
                plan.runId(),
                plan.ends().size(),
                plan.codesPerSource().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        coordinator.sourcesStopped(runId, true);
        return runId;
    }

    private void send(String runId, List<ControlRecord> ends) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(settings));
        boolean sentAll = false;
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ControlRecord end : ends) {
                sent.add(producer.send(new ProducerRecord<>(
                        controlTopic,
                        end.partition(),
                        null,
                        end.replayedAs(runId).toBytes())));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            sentAll = true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the control records: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending the control records", e);
        } finally {
            // not sent in time: drop what is still queued rather than deliver it late
            producer.close(sentAll ? WAIT : Duration.ZERO);
        }
    }

    /** Every end and abort record on the control topic, by run, runs in id order (oldest first). */
    private Map<String, List<ControlRecord>> readControlTopic() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, List<ControlRecord>> byRun = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer(settings))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(controlTopic, WAIT)) {
                partitions.add(new TopicPartition(controlTopic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, WAIT) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the control topic " + controlTopic + " took longer than "
                            + WAIT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        ControlRecord c = ControlRecord.parse(r.value());
                        byRun.computeIfAbsent(c.run(), k -> new ArrayList<>()).add(c);
                    } catch (IllegalArgumentException notOurs) {
                        // the aggregator warns about it already
                    }
                }
            }
        }
        return byRun;
    }

    /** Why the records do not make a whole run (an abort, a part a source did not end), or null. */
    private String missing(List<ControlRecord> records) {
        for (ControlRecord r : records) {
            if (r.isAbort()) {
                return "source " + r.source() + " failed in it: " + r.reason();
            }
        }
        Map<String, ControlRecord> ends = new HashMap<>();
        records.forEach(r -> ends.put(r.source() + "/" + r.partition(), r));
        int partitions = records.get(0).partitions();
        for (String source : sources.get()) {
            for (int p = 0; p < partitions; p++) {
                if (!ends.containsKey(source + "/" + p)) {
                    return "source " + source + " never ended partition " + p + " (the run did not complete)";
                }
            }
        }
        return null;
    }

    /** One end record per source and partition (a record sent twice counts once). */
    private List<ControlRecord> ends(List<ControlRecord> records) {
        Map<String, ControlRecord> ends = new LinkedHashMap<>();
        for (ControlRecord r : records) {
            if (sources.get().contains(r.source())) {
                ends.put(r.source() + "/" + r.partition(), r);
            }
        }
        return List.copyOf(ends.values());
    }

    /** The first range Kafka no longer holds whole, described, or null when all are there. */
    private String pastRetention(List<ControlRecord> ends) {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (ControlRecord e : ends) {
            if (!e.isEmpty()) {
                ask.put(new TopicPartition(e.topic(), e.partition()), OffsetSpec.earliest());
            }
        }
        Map<TopicPartition, Long> earliest = new HashMap<>();
        Map<TopicPartition, Long> latest = new HashMap<>();
        try (Admin admin = kafka.admin()) {
            admin.listOffsets(ask)
                    .all()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .forEach((tp, info) -> earliest.put(tp, info.offset()));
            Map<TopicPartition, OffsetSpec> askLatest = new HashMap<>();
            ask.keySet().forEach(tp -> askLatest.put(tp, OffsetSpec.latest()));
            admin.listOffsets(askLatest)
                    .all()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .forEach((tp, info) -> latest.put(tp, info.offset()));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the first offsets of the source topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        for (ControlRecord e : ends) {
            if (e.isEmpty()) {
                continue;
            }
            TopicPartition tp = new TopicPartition(e.topic(), e.partition());
            long first = earliest.get(tp);
            if (latest.get(tp) <= e.last()) {
                return "partition " + e.partition() + " of " + e.topic() + " ends at offset " + latest.get(tp)
                        + ", before the records of source " + e.source() + " (offsets " + e.first() + ".." + e.last()
                        + "): the topic was recreated or truncated";
            }
            if (first > e.first()) {
                return "the records of source " + e.source() + " in partition " + e.partition() + " of " + e.topic()
                        + " (offsets " + e.first() + ".." + e.last() + ") are past retention: the partition starts at"
                        + " offset " + first + " now";
            }
        }
        return null;
    }
}
