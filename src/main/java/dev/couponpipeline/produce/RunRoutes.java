package dev.couponpipeline.produce;

import static dev.couponpipeline.run.CouponHeaders.RUN_ID;
import static dev.couponpipeline.run.CouponHeaders.SOURCE_FAILURE;
import static dev.couponpipeline.run.CouponHeaders.TRIGGER;

import dev.couponpipeline.run.Roles;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Starting runs: the schedule, the start-up run and the run itself (every source route in parallel), plus the
 * watchdog that fails a run the aggregator never finishes and the periodic progress line.
 */
public class RunRoutes extends RouteBuilder {

    /** Header: why a trigger was skipped because its inputs are those of the live run (body null then). */
    public static final String SKIPPED = "couponSkipped";

    @BeanInject("roles")
    Roles roles;

    @Override
    public void configure() {
        // spotless:off
        if (!roles.producer()) {
            return;
        }
        from("quartz://coupon/schedule?cron=RAW({{coupon.schedule.cron}})"
                + "&trigger.timeZone={{coupon.schedule.time-zone}}&trigger.misfireInstruction=2")
                .routeId("schedule")
                .autoStartup("{{coupon.schedule.enabled}}")
                .setHeader(TRIGGER, constant("schedule"))
                .to("direct:start-run");

        from("timer:run-on-start?repeatCount=1&delay=500")
                .routeId("run-on-start")
                .autoStartup("{{coupon.schedule.run-on-start}}")
                .setHeader(TRIGGER, constant("startup"))
                .to("direct:start-run");

        // body out: the new run id, or null when the trigger is skipped: a run is in flight, or (header SKIPPED)
        // the input files are those of the live run
        from("direct:start-run")
                .routeId("start-run")
                .setHeader(SKIPPED, method("unchangedInputs", "skipReason(${header." + TRIGGER + "}, ${header.force})"))
                .setBody(constant(null))
                .filter(header(SKIPPED).isNull())
                    .setBody(method("runCoordinator", "tryStart(${header." + TRIGGER + "})"))
                    .choice()
                        .when(body().isNotNull())
                            .setHeader(RUN_ID, body())
                            .bean("runRecorder", "started(${body}, ${header." + TRIGGER + "})")
                            .to("seda:run-sources?waitForTaskToComplete=Never")
                        .otherwise()
                            .bean("runRecorder", "skipped(${header." + TRIGGER + "})")
                    .end()
                .end();

        // camel.component.seda.default-poll-timeout (100 ms): the consumer sleeps that long between looks while
        // Camel is still starting, and --once starts its run right then (the default, 1 s, was a second lost on
        // every --once run, and up to another second at every stop)
        from("seda:run-sources")
                .routeId("run-sources")
                // anything the sources' own handling does not catch (the preflight's Redis client cannot be made)
                .onException(Exception.class)
                    .handled(true)
                    .bean("runCoordinator", "abandon(${header." + RUN_ID + "}, ${exception.message})")
                .end()
                // Redis refusing or away fails the run now, not after the files were read
                .filter(method("runPreflight", "passes"))
                // a file still being written (or missing) is waited for, up to coupon.input.wait-minutes
                .filter(method("inputWait", "passes"))
                .recipientList(method("sources", "endpoints")).parallelProcessing()
                    .aggregationStrategy(new KeepFirstFailure())
                .end()
                .choice()
                    .when(exchangeProperty(SOURCE_FAILURE).isNull())
                        .bean("runHistory", "sourcesSent(${header." + RUN_ID + "})")
                        .bean("runCoordinator", "sourcesStopped(${header." + RUN_ID + "}, true)")
                    .otherwise()
                        .bean("runCoordinator", "sourcesStopped(${header." + RUN_ID + "}, false)")
                .end();

        // how the run in flight ended, when another process's aggregator ended it; or its deadline
        from("timer:run-watchdog?period=1000")
                .routeId("run-watchdog")
                .bean("runOutcomeWatch", "check")
                .bean("runCoordinator", "checkDeadline");

        // a run that failed for a reason outside its input runs again: RunRetryRoutes

        // a Redis that restarted empty (or lost the key) gets the set again from a new run, without waiting a day:
        // a replay of the newest run Kafka holds whole, or a run on the files
        from("timer:live-set-watch?delay={{coupon.live-set.check-interval-seconds}}s"
                + "&period={{coupon.live-set.check-interval-seconds}}s")
                .routeId("live-set-watch")
                .filter(method("liveSetWatch", "shouldRestore"))
                    // from Kafka when it still holds the newest run, else from the files
                    .filter(method("replayApi", "restoreNeedsFiles"))
                        .setHeader(TRIGGER, constant("live-set-missing"))
                        .to("direct:start-run")
                    .end()
                .end();

        from("timer:progress?period={{coupon.progress.interval-seconds}}s")
                .routeId("progress")
                .bean("pipelineMetrics", "logProgress");

        // the run history shows each source's progress while it reads (the status page's bars)
        from("timer:history-progress?period=2000")
                .routeId("history-progress")
                .bean("runRecorder", "progress");
        // spotless:on
    }

    /** Merges the source routes' results, keeping the first failure (an exception counts as one). */
    static final class KeepFirstFailure implements AggregationStrategy {
        @Override
        public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
            if (newExchange.getException() != null && newExchange.getProperty(SOURCE_FAILURE) == null) {
                newExchange.setProperty(
                        SOURCE_FAILURE, newExchange.getException().getMessage());
            }
            newExchange.setException(null);
            if (oldExchange == null || oldExchange.getProperty(SOURCE_FAILURE) == null) {
                return newExchange;
            }
            return oldExchange;
        }
    }
}
