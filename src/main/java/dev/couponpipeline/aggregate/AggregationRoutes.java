package dev.couponpipeline.aggregate;

import dev.couponpipeline.ops.PipelineMetrics;
import dev.couponpipeline.run.Roles;
import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * The long-running aggregator. One consumer group reads the control topic; the aggregate EIP folds each part's
 * control records ("source S ended partition p of run R") into one group per run and partition, and a part whose
 * sources have all ended goes to a worker that reads exactly its ranges back from the source topics, builds it
 * and publishes it to Redis.
 *
 * <p>The group's offsets are never committed: on every assignment the consumer starts again at the beginning of
 * its control partitions ({@code seekTo=BEGINNING}), and records of runs that are settled (live, older than live,
 * their part done) are dropped. Kafka thus moves partitions between instances, and Redis says what is done: no
 * progress is kept in memory or in consumer offsets, so a crash or a rebalance at any moment loses nothing.
 */
public class AggregationRoutes extends RouteBuilder {

    @BeanInject("roles")
    Roles roles;

    @BeanInject("partEndsStrategy")
    PartEndsStrategy strategy;

    @BeanInject("partAggregation")
    PartAggregation aggregation;

    @BeanInject("pipelineMetrics")
    PipelineMetrics metrics;

    @Override
    public void configure() throws Exception {
        // spotless:off
        if (!roles.aggregator()) {
            return;
        }
        getContext().addService(aggregation, true);

        from("kafka:{{coupon.kafka.control-topic}}"
                + "?groupId={{coupon.kafka.group-id}}"
                + "&autoCommitEnable=false"
                + "&seekTo=BEGINNING&autoOffsetReset=earliest"
                + "&maxPollRecords=500"
                + "&pollTimeoutMs=500")
                .routeId("aggregator")
                .pausable(new AssignmentLog(metrics::controlPartitions), anything -> true)
                .setBody(method("partAggregation", "parse"))
                .filter(method("partAggregation", "isOpen"))
                    .aggregate(method(PartEndsStrategy.class, "groupOf"), strategy)
                        .completionPredicate(strategy.partFinished())
                        .completionTimeout("{{coupon.aggregator.completion-timeout-ms}}")
                        .to("seda:build-part?waitForTaskToComplete=Never");

        // a part that fails for a reason outside it (Redis or Kafka away) is built again with a growing delay
        from("seda:build-part?concurrentConsumers={{coupon.aggregator.workers}}")
                .routeId("build-part")
                .onException(Exception.class)
                    .maximumRedeliveries("{{coupon.publish.max-retries}}")
                    .redeliveryDelay("{{coupon.publish.retry-delay-ms}}")
                    .useExponentialBackOff()
                    .backOffMultiplier(2)
                    .maximumRedeliveryDelay("{{coupon.publish.max-retry-delay-ms}}")
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .onRedelivery(exchange -> metrics.publishRetried())
                    .handled(true)
                    .bean("partAggregation", "gaveUp")
                .end()
                .bean("partAggregation", "process");

        from("timer:aggregator-idle?period=1000")
                .routeId("aggregator-idle")
                .bean("partAggregation", "releaseIdle");

        // staging keys of runs older than the live one, left by a crash mid-publish
        from("timer:staging-sweep?repeatCount=1")
                .routeId("staging-sweep")
                .bean("liveSetPublisher", "removeStaleStagingKeys");
        // spotless:on
    }
}
