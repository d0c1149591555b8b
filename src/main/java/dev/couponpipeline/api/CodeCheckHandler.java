package dev.couponpipeline.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.couponpipeline.run.Errors;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * {@code GET /coupons/{code}} straight on the HTTP server's event loop: a cached answer is written without leaving
 * it, a Redis read runs on a worker thread. The same answers, statuses and meter as the Camel route
 * {@code check-code} behind it, for a fraction of the cost a request (no exchange, no header copies, no thread
 * hand-off when the near cache answers).
 */
public final class CodeCheckHandler implements Handler<RoutingContext> {

    /** Where each answer's time goes: {@code (status class, nanoseconds)}. */
    public interface Timing {
        void record(String status, long nanos);
    }

    private static final String JSON = "application/json";

    private final CodeLookup lookup;
    private final Predicate<String> producible;
    private final String patternSource;
    private final Timing timing;
    private final ObjectMapper json = new ObjectMapper();
    /** Redis reads queued or running at most: beyond, a miss is answered 503 at once rather than queued. */
    private final Semaphore pending;

    private final int maxPending;

    public CodeCheckHandler(
            CodeLookup lookup, Predicate<String> producible, String patternSource, Timing timing, int maxPending) {
        this.pending = new Semaphore(maxPending);
        this.maxPending = maxPending;
        this.lookup = lookup;
        this.producible = producible;
        this.patternSource = patternSource;
        this.timing = timing;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long started = System.nanoTime();
        String code = ctx.pathParam("code");
        if (code == null || !producible.test(code)) {
            answer(ctx, 400, Problem.MEDIA_TYPE, Problem.notACode(code, patternSource), started);
            return;
        }
        Boolean cached = lookup.cached(code);
        if (cached != null) {
            answer(ctx, 200, JSON, new Validity(code, cached), started);
            return;
        }
        if (!pending.tryAcquire()) {
            answer(
                    ctx,
                    503,
                    Problem.MEDIA_TYPE,
                    Problem.of(
                            503,
                            "busy",
                            "Too many checks waiting for Redis",
                            "more than " + maxPending + " code checks are waiting for Redis; retry"),
                    started);
            return;
        }
        ctx.vertx().executeBlocking(() -> lookup.fromRedis(code), false).onComplete(result -> {
            pending.release();
            if (result.succeeded()) {
                answer(ctx, 200, JSON, new Validity(code, result.result()), started);
            } else {
                answer(
                        ctx,
                        503,
                        Problem.MEDIA_TYPE,
                        Problem.redisUnavailable(Errors.rootMessage(result.cause())),
                        started);
            }
        });
    }

    private void answer(RoutingContext ctx, int status, String type, Object body, long started) {
        if (ctx.response().closed()) {
            return; // the client went away while Redis answered
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            ctx.fail(e);
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, type)
                .end(Buffer.buffer(bytes));
        timing.record(status / 100 + "xx", System.nanoTime() - started);
    }
}
