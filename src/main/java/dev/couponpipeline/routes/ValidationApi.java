package dev.couponpipeline.routes;

import static dev.couponpipeline.config.CouponHeaders.TRIGGER;

import dev.couponpipeline.config.Roles;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

/**
 * The HTTP API on the camel-main server: {@code GET /coupons/{code}} (SISMEMBER on the live set),
 * {@code POST /coupons/check} (many codes, one SMISMEMBER), {@code GET /coupons} (live set metadata) and
 * {@code POST /runs} (start a run now; with {@code coupon.http.token} set, only with that bearer token), the run
 * history ({@code GET /runs}, {@code GET /runs/{id}}), a held run's fate ({@code POST /runs/{id}/publish},
 * {@code DELETE /runs/{id}}, token-protected) and the status page ({@code GET /}).
 */
public class ValidationApi extends RouteBuilder {

    @BeanInject("roles")
    Roles roles;

    @BeanInject("httpAccess")
    HttpAccess access;

    @PropertyInject("coupon.http.host")
    String host;

    @Override
    public void configure() {
        if (!roles.api()) {
            return;
        }
        HttpAccess.checkExposure(host, roles.producer(), access.required());
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

        rest("/coupons")
                .post("/check").consumes("application/json").produces("application/json")
                    .bindingMode(RestBindingMode.json).type(CodeCheck.Request.class)
                    .outType(CodeCheck.Response.class).to("direct:check-codes")
                .get("/{code}").produces("application/json").to("direct:check-code")
                .get().produces("application/json").to("direct:live-set");
        rest("/runs")
                .post().produces("application/json").to("direct:http-start-run")
                // maps in, JSON out (also for 4xx: the binding skips error codes by default)
                .get().produces("application/json").bindingMode(RestBindingMode.json).skipBindingOnErrorCode(false)
                    .to("direct:run-history")
                .get("/{id}").produces("application/json").bindingMode(RestBindingMode.json)
                    .skipBindingOnErrorCode(false).to("direct:run")
                .post("/{id}/publish").produces("application/json").bindingMode(RestBindingMode.json)
                    .skipBindingOnErrorCode(false).to("direct:publish-held")
                .delete("/{id}").produces("application/json").bindingMode(RestBindingMode.json)
                    .skipBindingOnErrorCode(false).to("direct:discard-held");

        // the status page: live set, the run in flight, the history (plain HTML and JavaScript, read-only)
        from("platform-http:/?httpMethodRestrict=GET")
                .routeId("status-page").routePolicyRef("apiTimer")
                .setHeader(Exchange.CONTENT_TYPE, constant("text/html; charset=utf-8"))
                .setBody(constant(StatusPage.html()));

        from("direct:run-history")
                .routeId("run-history").routePolicyRef("apiTimer")
                .bean("runsApi", "list");

        from("direct:run")
                .routeId("run").routePolicyRef("apiTimer")
                .bean("runsApi", "get");

        // both change what the API answers: with coupon.http.token set, only with that bearer token
        from("direct:publish-held")
                .routeId("publish-held").routePolicyRef("apiTimer")
                .choice()
                    .when(method("httpAccess", "allows"))
                        .bean("runsApi", "publish")
                    .otherwise()
                        .bean("httpAccess", "refuse")
                .end();

        from("direct:discard-held")
                .routeId("discard-held").routePolicyRef("apiTimer")
                .choice()
                    .when(method("httpAccess", "allows"))
                        .bean("runsApi", "discard")
                    .otherwise()
                        .bean("httpAccess", "refuse")
                .end();

        // the hot path: no onException here (even a handled one made every request 20-40 % dearer); a Redis that
        // does not answer gives a 500, and the pool never hands out a broken connection twice (RedisSharingTest)
        from("direct:check-code")
                .routeId("check-code").routePolicyRef("apiTimer")
                .choice()
                    .when(method("couponApi", "isProducible"))
                        .setHeader("CamelRedis.Key", constant("{{coupon.redis.key}}"))
                        .setHeader("CamelRedis.Value", header("code"))
                        .to("spring-redis://live-set?redisTemplate=#couponRedisTemplate&command=SISMEMBER")
                        .bean("couponApi", "validity")
                    .otherwise()
                        .bean("couponApi", "badCode")
                .end();

        // many codes, one Redis round trip (SMISMEMBER): for a basket, a batch job
        from("direct:check-codes")
                .routeId("check-codes").routePolicyRef("apiTimer")
                .bean("couponApi", "checkMany");

        from("direct:live-set")
                .routeId("live-set").routePolicyRef("apiTimer")
                .bean("couponApi", "liveSet");

        if (roles.producer()) {
            // a refused or second request costs a hash and a lock: a flood changes nothing
            from("direct:http-start-run")
                    .routeId("http-start-run").routePolicyRef("apiTimer")
                    .choice()
                        .when(method("httpAccess", "allows"))
                            .removeHeader("Authorization")
                            .setHeader(TRIGGER, constant("http"))
                            .to("direct:start-run")
                            .bean("couponApi", "runStarted")
                        .otherwise()
                            .bean("httpAccess", "refuse")
                            .marshal().json()
                    .end();
        } else {
            from("direct:http-start-run")
                    .routeId("http-start-run").routePolicyRef("apiTimer")
                    .bean("couponApi", "noProducer");
        }
    }
}
