package dev.couponpipeline.produce;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.files.Source;
import dev.couponpipeline.files.SourceException;
import dev.couponpipeline.files.SourceRegistry;
import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.publish.RunHistory;
import dev.couponpipeline.records.CodeRecord;
import dev.couponpipeline.records.ControlRecord;
import dev.couponpipeline.records.SourceReader;
import dev.couponpipeline.run.CouponHeaders;
import dev.couponpipeline.run.RunCoordinator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a source route, each one line in the route: send every code of the file to the source's topic,
 * then the control records that say where they are (one per partition), or abort records when the source failed.
 */
public final class SourceSender {

    private static final Logger LOG = LoggerFactory.getLogger(SourceSender.class);
    /** Exchange property: the {@link SentRanges} of the source's records. */
    static final String RANGES = "couponSentRanges";
    /**
     * A data record holds up to {@code coupon.kafka.codes-per-record} codes (80 KB at the default); batches of a
     * few records keep the broker's per-request work low without holding much memory per partition.
     */
    private static final int BATCH_BYTES = 256 * 1024;
    /**
     * The data records are a bulk transfer: waiting up to 100 ms lets each request carry records of many
     * partitions, and the broker's and the client's work is mostly per request (measured: 8 % less CPU than 5 ms).
     */
    private static final int LINGER_MS = 100;

    private final CodePattern pattern;
    private final Path inputDir;
    private final int partitions;
    private final int codesPerRecord;
    private final boolean isal;
    private final SourceRegistry sources;
    private final KafkaClients kafka;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;
    private final RunHistory history;

    public SourceSender(
            CodePattern pattern,
            Path inputDir,
            int partitions,
            int codesPerRecord,
            boolean isal,
            SourceRegistry sources,
            KafkaClients kafka,
            RunCoordinator coordinator,
            PipelineMetrics metrics,
            RunHistory history) {
        this.history = history;
        this.pattern = pattern;
        this.inputDir = inputDir;
        this.partitions = partitions;
        this.codesPerRecord = codesPerRecord;
        this.isal = isal;
        this.sources = sources;
        this.kafka = kafka;
        this.coordinator = coordinator;
        this.metrics = metrics;
    }

    /**
     * Streams the source file through the code extractor into records on the source's topic and returns once
     * the broker has acknowledged every one of them; a read or send failure is thrown (the route then aborts).
     */
    public void send(Exchange exchange) {
        Message m = exchange.getMessage();
        String source = m.getHeader(CouponHeaders.SOURCE, String.class);
        String runId = m.getHeader(CouponHeaders.RUN_ID, String.class);
        Source s = sources.byId(source);
        Path path = inputDir.resolve(s.file());
        SentRanges ranges = new SentRanges(partitions);
        exchange.setProperty(RANGES, ranges);
        try (SourceReader reader = SourceReader.open(
                path, pattern, partitions, codesPerRecord, isal, () -> coordinator.isCancelled(runId))) {
            metrics.sourceOpened(source, reader);
            history.sourceOpened(runId, source, path.toString(), reader.fileSize());
            LOG.info(
                    "Run {}: reading source {} from {} ({} bytes) into topic {}",
                    runId,
                    source,
                    path,
                    reader.fileSize(),
                    s.topic());
            List<Header> headers = List.of(
                    new RecordHeader(CouponHeaders.RUN_ID, runId.getBytes(StandardCharsets.UTF_8)),
                    new RecordHeader(CouponHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8)));
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    kafka.producer(Map.of(
                            ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES,
                            ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
                            ProducerConfig.CLIENT_ID_CONFIG, "coupon-source-" + source)),
                    new ByteArraySerializer(),
                    new ByteArraySerializer());
            boolean sent = false;
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            try {
                while (ranges.failure() == null && reader.hasNext()) {
                    CodeRecord r = reader.next();
                    int p = r.partition();
                    ranges.sending(p, r.codes());
                    try {
                        producer.send(new ProducerRecord<>(s.topic(), p, null, null, r.value(), headers), (meta, e) -> {
                            ranges.acknowledged(p, meta == null ? -1 : meta.offset(), e);
                            if (e != null && closed.compareAndSet(false, true)) {
                                // the source has failed: drop what is still buffered now, which also
                                // frees a send() waiting for buffer memory (up to max.block.ms)
                                producer.close(Duration.ZERO);
                            }
                        });
                    } catch (RuntimeException e) {
                        if (ranges.failure() != null) {
                            break; // closed by the failure above: that failure is the reason
                        }
                        throw e;
                    }
                    metrics.recordProduced(source, r.codes());
                }
                if (ranges.failure() == null) {
                    producer.flush();
                    sent = ranges.failure() == null;
                }
            } finally {
                // a failed source stops at once; a sent one has nothing in flight any more
                producer.close(sent ? Duration.ofSeconds(30) : Duration.ZERO);
            }
            if (ranges.failure() != null) {
                throw new IllegalStateException(
                        "Kafka did not take the records of source " + source + " (topic "
                                + s.topic() + "): " + ranges.failure() + "; "
                                + dev.couponpipeline.produce.TopicSetup.replicaReport(kafka, s.topic(), 5000),
                        ranges.failure());
            }
            if (ranges.pending() != 0) {
                throw new IllegalStateException("Kafka acknowledged only part of the records of source " + source);
            }
            history.sourceSent(
                    runId,
                    source,
                    reader.compressedBytesRead(),
                    reader.codes(),
                    dev.couponpipeline.files.FileFingerprint.of(path, reader.checksum())
                            .toString());
            exchange.setProperty(
                    "couponSourceSummary",
                    String.format(
                            java.util.Locale.ROOT,
                            "%d codes in %d records (%d decompressed bytes, %d gzip member(s))",
                            reader.codes(),
                            totalRecords(ranges),
                            reader.decompressedBytes(),
                            reader.gzipMembers()));
        } catch (java.io.IOException e) {
            throw new SourceException(path.toString(), "cannot be closed: " + e, e);
        }
    }

    private static long totalRecords(SentRanges ranges) {
        long n = 0;
        for (int p = 0; p < ranges.partitions(); p++) {
            n += ranges.records(p);
        }
        return n;
    }

    /** One control record per partition: where this source's records are and how many codes they hold. */
    public List<Message> endRecords(Exchange exchange) {
        SentRanges ranges = exchange.getProperty(RANGES, SentRanges.class);
        Message in = exchange.getMessage();
        String source = in.getHeader(CouponHeaders.SOURCE, String.class);
        String runId = in.getHeader(CouponHeaders.RUN_ID, String.class);
        String topic = sources.byId(source).topic();
        return controlMessages(
                in,
                p -> ControlRecord.ended(
                        runId,
                        source,
                        p,
                        partitions,
                        topic,
                        ranges.first(p),
                        ranges.last(p),
                        ranges.records(p),
                        ranges.codes(p)));
    }

    /** The source has told the aggregator where its codes are: logs what was sent. */
    public void finished(Exchange exchange) {
        Message m = exchange.getMessage();
        metrics.sourceFinished(m.getHeader(CouponHeaders.SOURCE, String.class));
        LOG.info(
                "Run {}: source {} sent {}",
                m.getHeader(CouponHeaders.RUN_ID),
                m.getHeader(CouponHeaders.SOURCE),
                exchange.getProperty("couponSourceSummary"));
    }

    /**
     * Turns the exchange into abort records after a failure, one per control partition (every aggregator
     * instance learns the run failed), and tells the coordinator, which fails the run and stops the other
     * sources.
     */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Message m = exchange.getMessage();
        String source = m.getHeader(CouponHeaders.SOURCE, String.class);
        String runId = m.getHeader(CouponHeaders.RUN_ID, String.class);
        String reason = reasonOf(e);
        exchange.setProperty(CouponHeaders.SOURCE_FAILURE, "source " + source + ": " + reason);
        if (coordinator.isCancelled(runId)) {
            LOG.info("Run {}: source {} stopped: {}", runId, source, reason);
        } else {
            // a bad file stays bad until someone replaces it; anything else (Kafka down, say) is worth a retry
            coordinator.sourceFailed(runId, "source " + source + ": " + reason, isInputProblem(e));
        }
        metrics.sourceFailed(source);
        history.sourceFailed(runId, source);
        m.setBody(controlMessages(m, p -> ControlRecord.aborted(runId, source, p, partitions, reason)));
    }

    /** One message per control partition p, holding {@code recordOf(p)}, bound for control partition p. */
    private List<Message> controlMessages(Message template, java.util.function.IntFunction<ControlRecord> recordOf) {
        List<Message> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            Message c = template.copy();
            c.removeHeaders("*");
            c.setBody(recordOf.apply(p).toBytes());
            c.setHeader(KafkaConstants.PARTITION_KEY, p);
            out.add(c);
        }
        return out;
    }

    static boolean isInputProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException) {
                return true;
            }
        }
        return false;
    }

    static String reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException se) {
                return se.getMessage();
            }
            if (t instanceof VirtualMachineError vme) {
                return "the JVM failed reading it: " + vme;
            }
        }
        return e == null ? "unknown error" : e.toString();
    }
}
