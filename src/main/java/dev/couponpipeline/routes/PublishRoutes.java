package dev.couponpipeline.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Publishing a closed run: complete runs replace the live Redis set (retried a few times if Redis fails),
 * incomplete ones are reported and change nothing.
 */
public class PublishRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("seda:publish")
                .routeId("publish")
                .onException(Exception.class)
                    .maximumRedeliveries(3)
                    .redeliveryDelay(2000)
                    .handled(true)
                    .bean("runPublication", "publishFailed")
                .end()
                .choice()
                    .when(method("runPublication", "isComplete"))
                        .bean("runPublication", "publish")
                    .otherwise()
                        .bean("runPublication", "incomplete")
                .end();

        // staging keys of runs that crashed mid-publish would otherwise linger until they expire
        from("timer:staging-sweep?repeatCount=1")
                .routeId("staging-sweep")
                .bean("validSetPublisher", "removeStaleStagingKeys")
                .log("Removed ${body} stale staging key(s)");
    }
}
