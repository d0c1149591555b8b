package dev.couponpipeline.routes;

import static dev.couponpipeline.config.CouponHeaders.TRIGGER;

import dev.couponpipeline.config.Roles;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

/**
 * The HTTP API on the camel-main server: {@code GET /coupons/{code}} (SISMEMBER on the live set),
 * {@code GET /coupons} (live set metadata) and {@code POST /runs} (start a run now).
 */
public class ValidationApi extends RouteBuilder {

    @BeanInject("roles")
    Roles roles;

    @Override
    public void configure() {
        if (!roles.api()) {
            return;
        }
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

        rest("/coupons")
                .get("/{code}").produces("application/json").to("direct:check-code")
                .get().produces("application/json").to("direct:live-set");
        rest("/runs")
                .post().produces("application/json").to("direct:http-start-run");

        from("direct:check-code")
                .routeId("check-code")
                .choice()
                    .when(method("couponApi", "isProducible"))
                        .setHeader("CamelRedis.Key", constant("{{coupon.redis.key}}"))
                        .setHeader("CamelRedis.Value", header("code"))
                        .to("spring-redis://{{coupon.redis.host}}:{{coupon.redis.port}}"
                                + "?redisTemplate=#couponRedisTemplate&command=SISMEMBER")
                        .bean("couponApi", "validity")
                    .otherwise()
                        .bean("couponApi", "badCode")
                .end();

        from("direct:live-set")
                .routeId("live-set")
                .bean("couponApi", "liveSet");

        if (roles.producer()) {
            from("direct:http-start-run")
                    .routeId("http-start-run")
                    .setHeader(TRIGGER, constant("http"))
                    .to("direct:start-run")
                    .bean("couponApi", "runStarted");
        } else {
            from("direct:http-start-run")
                    .routeId("http-start-run")
                    .bean("couponApi", "noProducer");
        }
    }
}
