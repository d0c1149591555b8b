package dev.couponpipeline.routes;

import dev.couponpipeline.config.Roles;
import dev.couponpipeline.metrics.PipelineMetrics;
import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Publishing a closed run: complete runs replace the live Redis set, incomplete ones are reported and change
 * nothing. A publish that fails (Redis down, slow or dropping connections) is retried with a growing delay for a
 * bounded time, each attempt logged as a warning and counted; the swap is one Lua script, so Redis never holds
 * half a swap whatever fails when.
 */
public class PublishRoutes extends RouteBuilder {

    @BeanInject("pipelineMetrics")
    PipelineMetrics metrics;

    @BeanInject("roles")
    Roles roles;

    @Override
    public void configure() {
        if (!roles.aggregator()) {
            return;
        }
        from("seda:publish")
                .routeId("publish")
                .onException(Exception.class)
                    .maximumRedeliveries("{{coupon.publish.max-retries}}")
                    .redeliveryDelay("{{coupon.publish.retry-delay-ms}}")
                    .useExponentialBackOff()
                    .backOffMultiplier(2)
                    .maximumRedeliveryDelay("{{coupon.publish.max-retry-delay-ms}}")
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .onRedelivery(exchange -> metrics.publishRetried())
                    .handled(true)
                    .bean("runPublication", "publishFailed")
                .end()
                .choice()
                    .when(method("runPublication", "isComplete"))
                        .bean("runPublication", "publish")
                    .otherwise()
                        .bean("runPublication", "incomplete")
                .end();

        // staging keys of runs older than the live one, left by a crash mid-publish
        from("timer:staging-sweep?repeatCount=1")
                .routeId("staging-sweep")
                .bean("validSetPublisher", "removeStaleStagingKeys");
    }
}
