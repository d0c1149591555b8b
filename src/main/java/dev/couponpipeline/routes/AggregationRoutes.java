package dev.couponpipeline.routes;

import static dev.couponpipeline.config.CouponHeaders.RUN_ID;
import static dev.couponpipeline.config.CouponHeaders.SOURCE;

import dev.couponpipeline.run.RunSequencer;

import dev.couponpipeline.config.Roles;
import dev.couponpipeline.source.SourceRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.processor.aggregate.AggregateController;
import org.apache.camel.processor.aggregate.DefaultAggregateController;
import org.apache.camel.builder.RouteBuilder;

/**
 * The long-running aggregator: one consumer group on every source topic, one aggregation group per run. Offsets
 * are committed by hand, and only after the run they belong to has been published (or has failed for good), so a
 * crash replays the run. Each record first passes the {@link RunSequencer}, which closes runs that it proves
 * can never complete and rebuilds partitions that Kafka rewinds.
 */
public class AggregationRoutes extends RouteBuilder {

    @BeanInject("sources")
    SourceRegistry sources;

    @BeanInject("roles")
    Roles roles;

    @BeanInject("codeTableStrategy")
    CodeTableAggregationStrategy strategy;

    @BeanInject("runSequencer")
    RunSequencer sequencer;

    @BeanInject("offsetCommitter")
    OffsetCommitter committer;

    private final AggregateController controller = new DefaultAggregateController();

    @Override
    public void configure() throws Exception {
        getContext().getPropertiesComponent().addPropertiesFunction(new SourceTopicsFunction(sources));
        if (!roles.aggregator()) {
            return;
        }

        from("kafka:{{sources:topics}}"
                + "?groupId={{coupon.kafka.group-id}}"
                + "&autoOffsetReset=earliest"
                + "&autoCommitEnable=false"
                + "&maxPollRecords={{coupon.kafka.max-poll-records}}"
                + "&pollTimeoutMs=500"
                // partition i of every source topic to the same instance (co-partitioned), after every rebalance
                + "&partitionAssignor=org.apache.kafka.clients.consumer.RangeAssignor"
                + "&headerDeserializer=#couponHeaderDeserializer")
                .routeId("aggregator")
                // hooks the offset committer into the consumer's poll loop; it never pauses the consumer
                .pausable(committer, anything -> true)
                .filter(this::sequence)
                    .aggregate(header(RUN_ID), strategy)
                        .aggregateController(controller)
                        .completionPredicate(strategy.runFinished())
                        .completionTimeout("{{coupon.aggregator.completion-timeout-ms}}")
                        .ignoreInvalidCorrelationKeys()
                        .to("seda:publish?waitForTaskToComplete=Never");

        // runs staged here wait for the other instances' parts: commit their offsets once they are live
        from("timer:publish-watch?period=1000")
                .routeId("publish-watch")
                .bean("runPublication", "checkWaiting");
    }

    /**
     * Closes the runs this record proves dead (superseded, or rewound inside their records), then says whether
     * the record counts: not when it is a replay of a run already live, failed, or whose part was published here.
     */
    private boolean sequence(Exchange exchange) {
        Message in = exchange.getMessage();
        Integer p = in.getHeader(KafkaConstants.PARTITION, Integer.class);
        int partition = p == null ? 0 : p;
        String runId = in.getHeader(RUN_ID, String.class);
        for (String dead : sequencer.onRecord(runId, in.getHeader(SOURCE, String.class), partition,
                CodeTableAggregationStrategy.offsetOf(in))) {
            controller.forceCompletionOfGroup(dead);
        }
        return sequencer.accept(runId, partition);
    }
}
