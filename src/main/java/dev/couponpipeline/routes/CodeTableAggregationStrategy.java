package dev.couponpipeline.routes;

import dev.couponpipeline.config.CouponHeaders;
import dev.couponpipeline.metrics.PipelineMetrics;
import dev.couponpipeline.run.RecordKind;
import dev.couponpipeline.run.RunSequencer;
import dev.couponpipeline.run.RunState;
import dev.couponpipeline.source.SourceRegistry;
import dev.couponpipeline.table.CodeTable;
import java.time.Clock;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Predicate;
import org.apache.camel.Service;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Folds a run's Kafka records into its {@link RunState} (code → bitmask of sources). One aggregation group per
 * run id; the state is the aggregated exchange's body, so nothing outlives the run.
 */
public final class CodeTableAggregationStrategy implements AggregationStrategy, Service {

    private static final int GAUGE_EVERY = 200;

    private final SourceRegistry sources;
    private final int minSources;
    private final java.util.function.LongSupplier expectedCodes;
    private final PipelineMetrics metrics;
    private final Clock clock;

    private final CodeTable.Helper helper;
    private final RunSequencer sequencer;
    private final int expectedPartitions;
    /** Records folded since the table gauges were refreshed; only the consumer thread aggregates. */
    private int recordsSinceGauge;

    public CodeTableAggregationStrategy(SourceRegistry sources, int minSources, long expectedCodes,
            PipelineMetrics metrics, Clock clock) {
        this(sources, minSources, () -> expectedCodes, 1, 1, new RunSequencer(), metrics, clock);
    }

    /**
     * {@code insertThreads} 2 gives the tables a helper thread; 1 inserts on the consumer thread only. A run's
     * tables are presized for {@code expectedCodes} over {@code expectedPartitions}, unless another run is still
     * open (after a crash, a replayed run and a new one): then they grow as needed, so two presized tables never
     * share the heap.
     */
    public CodeTableAggregationStrategy(SourceRegistry sources, int minSources,
            java.util.function.LongSupplier expectedCodes, int expectedPartitions, int insertThreads,
            RunSequencer sequencer, PipelineMetrics metrics, Clock clock) {
        this.helper = insertThreads > 1 ? new CodeTable.Helper() : null;
        this.sequencer = sequencer;
        this.expectedPartitions = expectedPartitions;
        this.sources = sources;
        this.minSources = minSources;
        this.expectedCodes = expectedCodes;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Message in = newExchange.getMessage();
        if (oldExchange == null) {
            long expected = sequencer.openRuns() == 0 ? expectedCodes.getAsLong() : 0;
            RunState state = new RunState(in.getHeader(CouponHeaders.RUN_ID, String.class), sources.ids(),
                    minSources, expected, expectedPartitions, helper, clock.instant());
            state.countOnly(sequencer.countedFor(state.runId()));
            sequencer.opened(state);
            metrics.openRuns(sequencer.openRuns());
            fold(state, in);
            in.setBody(state);
            return newExchange;
        }
        fold(oldExchange.getMessage().getBody(RunState.class), in);
        return oldExchange;
    }

    private void fold(RunState state, Message in) {
        String source = in.getHeader(CouponHeaders.SOURCE, String.class);
        RecordKind kind;
        try {
            kind = RecordKind.parse(in.getHeader(CouponHeaders.KIND, String.class));
        } catch (IllegalArgumentException e) {
            state.fail("malformed record from source " + source + ": " + e.getMessage());
            return;
        }
        switch (kind) {
            case DATA -> state.acceptData(source, partitionOf(in), offsetOf(in), in.getBody(byte[].class));
            case END -> state.acceptEnd(source, in.getHeader(CouponHeaders.PARTITION, Integer.class), offsetOf(in),
                    in.getHeader(CouponHeaders.PARTITIONS, Integer.class),
                    in.getHeader(CouponHeaders.CODES, Long.class));
            case ABORT -> state.acceptAbort(source, in.getHeader(CouponHeaders.REASON, String.class));
        }
        metrics.recordConsumed(source);
        if (kind != RecordKind.DATA || ++recordsSinceGauge >= GAUGE_EVERY) {
            // reading the table waits for the helper thread, so the gauges are refreshed every so often only
            recordsSinceGauge = 0;
            metrics.table(state.tableSize(), state.tableBytes());
        }
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        long offset = offsetOf(in);
        if (topic != null && offset >= 0) {
            state.rememberOffset(topic, partitionOf(in), offset);
        }
    }

    private static int partitionOf(Message in) {
        Integer p = in.getHeader(KafkaConstants.PARTITION, Integer.class);
        return p == null ? 0 : p;
    }

    static long offsetOf(Message in) {
        Long o = in.getHeader(KafkaConstants.OFFSET, Long.class);
        return o == null ? -1 : o;
    }

    /** The run is closed (complete, failed, timed out or forced): it no longer counts as open. */
    @Override
    public void onCompletion(Exchange exchange) {
        RunState state = exchange.getMessage().getBody(RunState.class);
        if (state != null) {
            // from now on, records of the run (late, or replayed) are dropped: its parts are being published here,
            // or it failed for good
            state.freezeCountedParts();
            if (state.isComplete()) {
                sequencer.published(state.runId(), state.countedParts());
            } else {
                sequencer.failedForGood(state.runId());
            }
            sequencer.closed(state.runId());
            metrics.openRuns(sequencer.openRuns());
        }
    }

    @Override
    public void start() {
        // the helper thread starts with the first record
    }

    /** The aggregator stops: the helper thread goes with it. */
    @Override
    public void stop() {
        if (helper != null) {
            helper.close();
        }
    }

    /** Completion predicate: the run is complete, or has failed and can be closed now. */
    public Predicate runFinished() {
        return exchange -> exchange.getMessage().getBody(RunState.class).isFinished();
    }
}
