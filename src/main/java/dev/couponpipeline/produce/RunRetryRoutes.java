package dev.couponpipeline.produce;

import dev.couponpipeline.run.Roles;
import dev.couponpipeline.run.RunCoordinator;
import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;

/**
 * A run that failed for a reason outside its input (Kafka or Redis away, records lost, the aggregator stalled)
 * runs again: after {@code coupon.run.retry.delay-seconds}, then twice, four times that long (at most 10
 * minutes), up to {@code coupon.run.retry.max-attempts} runs in a row, by Camel's redelivery. A published run or
 * a bad file ends the chain; when every attempt failed, the next trigger runs again.
 */
public class RunRetryRoutes extends RouteBuilder {

    static final long MAX_DELAY_MS = 10 * 60 * 1000;

    @BeanInject("roles")
    Roles roles;

    @BeanInject("runCoordinator")
    RunCoordinator coordinator;

    @PropertyInject("coupon.run.retry.max-attempts")
    int maxAttempts;

    @PropertyInject("coupon.run.retry.delay-seconds")
    long delaySeconds;

    /** The delay unit; seconds in production, shorter in a test. */
    long delayUnitMs = 1000;

    @Override
    public void configure() {
        if (!roles.producer() || maxAttempts <= 0) {
            return;
        }
        long delayMs = Math.min(delaySeconds * delayUnitMs, MAX_DELAY_MS);
        bindToRegistry("runRetry", new RunRetry(coordinator, getContext().createProducerTemplate()));
        var template = getContext().createFluentProducerTemplate();
        coordinator.onRetryWanted(failedRunId ->
                template.to("seda:run-retry").withBody(failedRunId).send());
        // spotless:off
        from("seda:run-retry")
                .routeId("run-retry")
                .onException(RunRetry.Failed.class)
                    .maximumRedeliveries(maxAttempts - 1)
                    .redeliveryDelay(Math.min(2 * delayMs, MAX_DELAY_MS))
                    .useExponentialBackOff()
                    .backOffMultiplier(2)
                    .maximumRedeliveryDelay(MAX_DELAY_MS)
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .logRetryAttempted(true)
                    .logStackTrace(false)
                    .handled(true)
                    .log(LoggingLevel.ERROR, "Run ${body} and its " + maxAttempts + " retries failed for reasons outside "
                            + "their input: ${exception.message}; no retry left: the next trigger runs again")
                    .bean("runCoordinator", "retryChainEnded")
                .end()
                .log(LoggingLevel.WARN, "Run ${body} failed for a reason outside its input: retry in "
                        + delayMs / 1000.0 + " s")
                .delay(delayMs)
                .bean("runRetry", "attempt");
        // spotless:on
    }
}
