package dev.couponpipeline.api;

import static dev.couponpipeline.run.CouponHeaders.TRIGGER;

import dev.couponpipeline.run.Roles;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on the camel-main server: {@code GET /coupons/{code}} (SISMEMBER on the live set),
 * {@code POST /coupons/check} (many codes, one SMISMEMBER), {@code GET /coupons} (live set metadata) and
 * {@code POST /runs} (start a run now; with {@code coupon.http.token} set, only with that bearer token), the run
 * history ({@code GET /runs}, {@code GET /runs/{id}}), a held run's fate ({@code POST /runs/{id}/publish},
 * {@code DELETE /runs/{id}}, token-protected) and the status page ({@code GET /}).
 */
public class ValidationApi extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ValidationApi.class);

    @BeanInject("roles")
    Roles roles;

    @BeanInject("httpAccess")
    HttpAccess access;

    @PropertyInject("coupon.http.host")
    String host;

    @PropertyInject(value = "coupon.api.fast-path", defaultValue = "true")
    boolean fastPath;

    @PropertyInject("coupon.http.port")
    int port;

    private boolean fastPathMounted;

    @Override
    public void configure() throws Exception {
        // spotless:off
        if (!roles.api()) {
            return;
        }
        HttpAccess.checkExposure(host, roles.producer(), access.required());
        // answers as problem details when Redis does not answer (503) or a body is not the JSON asked for (400);
        // GET /coupons/{code} is answered by the event-loop handler, which does the same on its own
        onException(org.springframework.dao.DataAccessException.class).handled(true)
                .bean("validationAnswers", "redisUnavailable");
        onException(com.fasterxml.jackson.core.JsonProcessingException.class).handled(true)
                .bean("validationAnswers", "notJson");
        // JSON both ways through the REST binding (Jackson); the OpenAPI document of all of it at /api-doc
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.json).skipBindingOnErrorCode(false)
                // the beans set the type (application/problem+json from 400 on); Jackson would overwrite it
                .dataFormatProperty("contentTypeHeader", "false")
                .apiContextPath("/api-doc")
                .apiProperty("api.title", "coupon-pipeline validation API")
                .apiProperty("api.version", "1")
                .apiProperty("api.description", "Is a promo code valid? Answers from the live set in Redis, which"
                        + " each published run replaces at once. Errors are RFC 9457 problem details"
                        + " (application/problem+json).");

        rest("/coupons").description("Codes and the live set")
                .securityDefinitions().bearerToken("token", "coupon.http.token, when set: changes of state need it")
                .end()
                .get("/{code}").id("check-code-rest").produces("application/json").outType(Validity.class)
                    .description("Whether one code is valid (in the live set)")
                    .param().name("code").type(RestParamType.path).description("the code, as the files hold it")
                        .endParam()
                    .responseMessage().code(200).message("the code's validity").responseModel(Validity.class)
                        .endResponseMessage()
                    .responseMessage().code(400).message("not a code: the pattern can never produce it")
                        .contentType(Problem.MEDIA_TYPE).endResponseMessage()
                    .responseMessage().code(503).message("Redis unavailable").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:check-code")
                .post("/check").id("check-codes-rest").consumes("application/json").produces("application/json")
                    .type(BatchCheck.Request.class).outType(BatchCheck.Response.class)
                    .description("Many codes at once (up to 1000), one Redis round trip; answers in the request's"
                            + " order")
                    .responseMessage().code(200).message("each code's validity")
                        .endResponseMessage()
                    .responseMessage().code(400).message("no list, a null, or more than 1000 codes")
                        .contentType(Problem.MEDIA_TYPE).endResponseMessage()
                    .to("direct:check-codes")
                .get().id("live-set-rest").produces("application/json")
                    .description("The live set: its run id, codes, per-source counts, when it was published")
                    .to("direct:live-set");
        rest("/runs").description("Runs: start one, the history, a held run's fate")
                .post().id("start-run-rest").produces("application/json").security("token")
                    .description("Start a run now (202); 200 skipped when the files are those of the live run")
                    .param().name("force").type(RestParamType.query).dataType("boolean").required(false)
                        .description("run even when the files are unchanged").endParam()
                    .responseMessage().code(202).message("started").endResponseMessage()
                    .responseMessage().code(200).message("skipped: the files are those of the live run")
                        .endResponseMessage()
                    .responseMessage().code(401).message("no token").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .responseMessage().code(403).message("wrong token").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .responseMessage().code(409).message("a run is in flight").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:http-start-run")
                .get().id("run-history-rest").produces("application/json")
                    .description("The newest runs first (coupon.runs.history at most)")
                    .param().name("limit").type(RestParamType.query).dataType("integer").required(false)
                        .description("how many").endParam()
                    .to("direct:run-history")
                .get("/{id}").id("run-rest").produces("application/json")
                    .description("One run: sources, counts, phases, parts")
                    .param().name("id").type(RestParamType.path).description("the run id").endParam()
                    .responseMessage().code(404).message("not in the history").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:run")
                .post("/{id}/publish").id("publish-held-rest").produces("application/json").security("token")
                    .description("Swap the held run in (it must still be the newest complete run)")
                    .param().name("id").type(RestParamType.path).description("the held run's id").endParam()
                    .responseMessage().code(409).message("not the held run").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:publish-held")
                .post("/{id}/replay").id("replay-run-rest").produces("application/json").security("token")
                    .description("Rebuild a run from Kafka alone (its offset ranges), without its files, and swap it"
                            + " in; when Kafka no longer holds all of it, run on the files instead (\"from\" says"
                            + " which, \"reason\" why)")
                    .param().name("id").type(RestParamType.path).description("the run to rebuild").endParam()
                    .responseMessage().code(202).message("started, from kafka or from files").endResponseMessage()
                    .responseMessage().code(409).message("a run is in flight").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:replay-run")
                .delete("/{id}").id("discard-held-rest").produces("application/json").security("token")
                    .description("Discard the held run and its staged set")
                    .param().name("id").type(RestParamType.path).description("the held run's id").endParam()
                    .responseMessage().code(409).message("not the held run").contentType(Problem.MEDIA_TYPE)
                        .endResponseMessage()
                    .to("direct:discard-held");

        if (fastPath) {
            // GET /coupons/{code} answered on the event loop, in front of the route below (which answers the same
            // way, and still does when coupon.api.fast-path=false)
            getCamelContext().addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                    mountFastPath(context);
                }
            });
        }

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
        // does not answer gives a 503, and the pool never hands out a broken connection twice (RedisSharingIT)
        from("direct:check-code")
                .routeId("check-code").routePolicyRef("apiTimer")
                .bean("validationAnswers", "checkOne");

        // many codes, one Redis round trip (SMISMEMBER): for a basket, a batch job
        from("direct:check-codes")
                .routeId("check-codes").routePolicyRef("apiTimer")
                .bean("validationAnswers", "checkMany");

        from("direct:live-set")
                .routeId("live-set").routePolicyRef("apiTimer")
                .bean("validationAnswers", "liveSet");

        if (roles.producer()) {
            // a refused or second request costs a hash and a lock: a flood changes nothing
            from("direct:http-start-run")
                    .routeId("http-start-run").routePolicyRef("apiTimer")
                    .choice()
                        .when(method("httpAccess", "allows"))
                            .removeHeader("Authorization")
                            .setHeader(TRIGGER, constant("http"))
                            .to("direct:start-run")
                            .bean("validationAnswers", "runStarted")
                        .otherwise()
                            .bean("httpAccess", "refuse")
                    .end();
            // from Kafka, or from the files when Kafka no longer holds the whole run (token-protected)
            from("direct:replay-run")
                    .routeId("replay-run").routePolicyRef("apiTimer")
                    .choice()
                        .when(method("httpAccess", "allows"))
                            .removeHeader("Authorization")
                            .bean("replayApi", "replay")
                            .filter(header(ReplayApi.FALLBACK).isNotNull())
                                .setHeader(TRIGGER, constant("replay-from-files"))
                                .setHeader("force", constant("true"))
                                .to("direct:start-run")
                                .bean("replayApi", "fellBack")
                            .end()
                        .endChoice()
                        .otherwise()
                            .bean("httpAccess", "refuse")
                    .end();
        } else {
            from("direct:http-start-run")
                    .routeId("http-start-run").routePolicyRef("apiTimer")
                    .bean("validationAnswers", "noProducer");
            from("direct:replay-run")
                    .routeId("replay-run").routePolicyRef("apiTimer")
                    .bean("validationAnswers", "noProducer");
        }
        // spotless:on
    }

    /**
     * Puts {@link CodeCheckHandler} on the API server's router, ahead of the REST route of the same path. The
     * server registers its router under its configured port (0 included); without it start-up fails, rather than
     * answering slower than configured.
     */
    private void mountFastPath(CamelContext context) {
        if (fastPathMounted) {
            return; // a restart of the context: the router still has it
        }
        VertxPlatformHttpRouter router =
                VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("no HTTP router for coupon.http.port " + port + ": cannot answer GET"
                    + " /coupons/{code} on the event loop (set coupon.api.fast-path=false to use the Camel route)");
        }
        CodeCheckHandler handler =
                context.getRegistry().lookupByNameAndType("codeCheckHandler", CodeCheckHandler.class);
        router.get("/coupons/:code").order(-1).handler(handler);
        fastPathMounted = true;
        LOG.info(
                "GET /coupons/{code} is answered on the HTTP event loop (near cache: {})",
                context.getRegistry()
                        .lookupByNameAndType("codeLookup", CodeLookup.class)
                        .describe());
    }
}
