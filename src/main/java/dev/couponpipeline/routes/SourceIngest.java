package dev.couponpipeline.routes;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.config.CouponHeaders;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.run.RecordKind;
import dev.couponpipeline.run.RunCoordinator;
import dev.couponpipeline.source.CodeRecord;
import dev.couponpipeline.source.SourceException;
import dev.couponpipeline.source.SourceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a source route, each one line in the route: open the file, hand out its records, then the
 * end-of-source records (one per partition, with its count), or an abort record when the source failed.
 */
public final class SourceIngest {

    private static final Logger LOG = LoggerFactory.getLogger(SourceIngest.class);

    private final CodePattern pattern;
    private final Path inputDir;
    private final int partitions;
    private final int codesPerRecord;
    private final RunCoordinator coordinator;
    private final PipelineMetrics metrics;

    public SourceIngest(CodePattern pattern, Path inputDir, int partitions, int codesPerRecord,
            RunCoordinator coordinator, PipelineMetrics metrics) {
        this.pattern = pattern;
        this.inputDir = inputDir;
        this.partitions = partitions;
        this.codesPerRecord = codesPerRecord;
        this.coordinator = coordinator;
        this.metrics = metrics;
    }

    /** Opens the source file; the reader is kept as an exchange property for the following steps. */
    public void open(Exchange exchange) {
        String source = exchange.getMessage().getHeader(CouponHeaders.SOURCE, String.class);
        String file = exchange.getProperty("couponSourceFile", String.class);
        String runId = exchange.getMessage().getHeader(CouponHeaders.RUN_ID, String.class);
        Path path = inputDir.resolve(file);
        SourceReader reader = SourceReader.open(path, pattern, partitions, codesPerRecord,
                () -> coordinator.isCancelled(runId));
        exchange.setProperty(CouponHeaders.READER, reader);
        metrics.sourceOpened(source, reader);
        LOG.info("Run {}: reading source {} from {} ({} bytes)", runId, source, path, reader.fileSize());
    }

    /**
     * The records of the open source, one message each, pulled by the Kafka producer as fast as it can send
     * them (its buffer is the back-pressure). A read failure ends the iteration quietly, so records already in
     * flight settle normally; {@link #checkRead} raises it once the send is over.
     */
    public Iterator<Message> records(Exchange exchange) {
        SourceReader reader = exchange.getProperty(CouponHeaders.READER, SourceReader.class);
        String source = exchange.getMessage().getHeader(CouponHeaders.SOURCE, String.class);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return reader.hasNext();
                } catch (SourceException e) {
                    return false; // the reader keeps the failure for checkRead
                }
            }

            @Override
            public Message next() {
                CodeRecord record = reader.next();
                Message m = exchange.getMessage().copy();
                m.setBody(record.value());
                m.setHeader(CouponHeaders.KIND, RecordKind.DATA.wire());
                m.setHeader(KafkaConstants.PARTITION_KEY, record.partition());
                metrics.recordProduced(source, record.codes());
                return m;
            }
        };
    }

    /** Raises the failure that ended the read early, if any: the source then aborts instead of ending. */
    public void checkRead(Exchange exchange) {
        SourceException failure = exchange.getProperty(CouponHeaders.READER, SourceReader.class).failure();
        if (failure != null) {
            throw failure;
        }
    }

    /** One end-of-source record per partition, each carrying the number of codes sent to that partition. */
    public List<Message> endRecords(Exchange exchange) {
        SourceReader reader = exchange.getProperty(CouponHeaders.READER, SourceReader.class);
        List<Message> ends = new ArrayList<>(reader.partitions());
        for (int p = 0; p < reader.partitions(); p++) {
            Message m = exchange.getMessage().copy();
            m.setBody(new byte[0]);
            m.setHeader(CouponHeaders.KIND, RecordKind.END.wire());
            m.setHeader(CouponHeaders.PARTITION, Integer.toString(p));
            m.setHeader(CouponHeaders.PARTITIONS, Integer.toString(reader.partitions()));
            m.setHeader(CouponHeaders.CODES, Long.toString(reader.codesInPartition(p)));
            m.setHeader(KafkaConstants.PARTITION_KEY, p);
            ends.add(m);
        }
        return ends;
    }

    /** Closes the file and logs what was sent. */
    public void finished(Exchange exchange) throws Exception {
        SourceReader reader = exchange.getProperty(CouponHeaders.READER, SourceReader.class);
        reader.close();
        metrics.sourceFinished(exchange.getMessage().getHeader(CouponHeaders.SOURCE, String.class));
        LOG.info("Run {}: source {} sent {} codes ({} decompressed bytes, {} gzip member(s))",
                exchange.getMessage().getHeader(CouponHeaders.RUN_ID), exchange.getMessage().getHeader(CouponHeaders.SOURCE),
                reader.codes(), reader.decompressedBytes(), reader.gzipMembers());
    }

    /**
     * Turns the exchange into abort records after a failure, one per partition (every aggregator instance learns
     * the run failed), and tells the coordinator, which fails the run and stops the other sources.
     */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Message m = exchange.getMessage();
        String source = m.getHeader(CouponHeaders.SOURCE, String.class);
        String runId = m.getHeader(CouponHeaders.RUN_ID, String.class);
        String reason = reasonOf(e);
        SourceReader reader = exchange.getProperty(CouponHeaders.READER, SourceReader.class);
        if (reader != null) {
            try {
                reader.close();
            } catch (Exception ignored) {
                // the read already failed; that is the error worth reporting
            }
        }
        exchange.setProperty(CouponHeaders.SOURCE_FAILURE, "source " + source + ": " + reason);
        if (coordinator.isCancelled(runId)) {
            LOG.info("Run {}: source {} stopped: {}", runId, source, reason);
        } else {
            // a bad file stays bad until someone replaces it; anything else (Kafka down, say) is worth a retry
            coordinator.sourceFailed(runId, "source " + source + ": " + reason, isInputProblem(e));
        }
        metrics.sourceFailed(source);
        List<Message> aborts = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            Message abort = m.copy();
            abort.setBody(new byte[0]);
            abort.setHeader(CouponHeaders.KIND, RecordKind.ABORT.wire());
            abort.setHeader(CouponHeaders.REASON, reason);
            abort.setHeader(KafkaConstants.PARTITION_KEY, p);
            aborts.add(abort);
        }
        m.setBody(aborts);
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
        }
        return e == null ? "unknown error" : e.toString();
    }
}
