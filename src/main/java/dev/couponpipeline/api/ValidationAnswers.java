package dev.couponpipeline.api;

import static dev.couponpipeline.api.HttpAnswer.answer;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.produce.RunRoutes;
import dev.couponpipeline.publish.LiveSetInfo;
import dev.couponpipeline.publish.LiveSetKeys;
import dev.couponpipeline.publish.LiveSetMeta;
import dev.couponpipeline.run.RunCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The validation API's answers: code checks, live-set metadata, run triggers. Bodies for the REST binding. */
public final class ValidationAnswers {

    private final CodePattern pattern;
    private final CodeLookup lookup;
    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final RunCoordinator coordinator;

    public ValidationAnswers(
            CodePattern pattern,
            CodeLookup lookup,
            StringRedisTemplate redis,
            LiveSetKeys keys,
            RunCoordinator coordinator) {
        this.pattern = pattern;
        this.lookup = lookup;
        this.redis = redis;
        this.keys = keys;
        this.coordinator = coordinator;
    }

    /**
     * {@code GET /coupons/{code}} when the event-loop handler ({@code CodeCheckHandler}) is not in front: the same
     * answers, {@code {"code":"…","valid":true}}, or 400 for a string the pattern can never produce.
     */
    public void checkOne(Exchange exchange) {
        Message m = exchange.getMessage();
        String code = m.getHeader("code", String.class);
        if (!pattern.canProduce(code)) {
            answer(m, 400, Problem.notACode(code, pattern.source()));
            return;
        }
        boolean valid;
        try {
            valid = lookup.valid(code);
        } catch (RuntimeException e) {
            answer(m, 503, Problem.redisUnavailable(dev.couponpipeline.run.Errors.rootMessage(e)));
            return;
        }
        answer(m, 200, new Validity(code, valid));
    }

    /**
     * {@code POST /coupons/check}: every code's validity from one SMISMEMBER (one Redis round trip); a code the
     * pattern can never produce is answered without asking Redis. More than {@link BatchCheck#MAX_CODES} codes, or
     * no list at all, is a 400.
     */
    public void checkMany(Exchange exchange) {
        Message m = exchange.getMessage();
        BatchCheck.Request request = m.getBody(BatchCheck.Request.class);
        List<String> codes = request == null ? null : request.codes();
        if (codes == null || codes.size() > BatchCheck.MAX_CODES || codes.contains(null)) {
            answer(
                    m,
                    400,
                    Problem.of(
                            400,
                            "bad-basket",
                            "Not a basket of codes",
                            "send {\"codes\": [...]} with 1 to " + BatchCheck.MAX_CODES + " codes, none null",
                            "maxCodes",
                            BatchCheck.MAX_CODES));
            return;
        }
        List<String> asked =
                codes.stream().filter(pattern::canProduce).distinct().toList();
        Map<Object, Boolean> members =
                asked.isEmpty() ? Map.of() : redis.opsForSet().isMember(keys.live(), asked.toArray());
        List<Validity> results = new ArrayList<>(codes.size());
        for (String code : codes) {
            results.add(new Validity(code, Boolean.TRUE.equals(members.get(code))));
        }
        answer(m, 200, new BatchCheck.Response(results));
    }

    /** {@code GET /coupons}: the live set's metadata (run id, codes, per-source counts, published at). */
    public void liveSet(Exchange exchange) {
        LiveSetMeta meta = new LiveSetInfo(redis, keys).metadata();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", keys.live());
        if (meta.isEmpty()) {
            out.put("runId", null);
            out.put("codes", 0);
            out.put("note", "no run has been published yet");
        } else {
            out.put("runId", meta.runId());
            out.put("codes", meta.count("codes", 0));
            out.put("distinctCodes", meta.count("distinctCodes", 0));
            out.put("publishedAt", meta.publishedAt());
            out.put("sources", meta.codesPerSource());
        }
        coordinator.activeRunId().ifPresent(id -> out.put("runInFlight", id));
        answer(exchange.getMessage(), 200, out);
    }

    /**
     * {@code POST /runs}: 202 with the new run id, 200 "skipped" when the inputs are those of the live run (unless
     * {@code force=true}), or 409 while a run is in flight.
     */
    public void runStarted(Exchange exchange) {
        Message m = exchange.getMessage();
        String runId = m.getBody(String.class);
        String skipped = m.getHeader(RunRoutes.SKIPPED, String.class);
        if (skipped != null) {
            answer(
                    m,
                    200,
                    ordered("status", "skipped", "reason", skipped, "hint", "POST /runs?force=true runs anyway"));
        } else if (runId != null) {
            answer(m, 202, ordered("runId", runId, "status", "started"));
        } else {
            answer(
                    m,
                    409,
                    Problem.of(
                            409,
                            "run-in-flight",
                            "A run is in flight",
                            "a run is already in flight",
                            "runInFlight",
                            coordinator.activeRunId().orElse(null)));
        }
    }

    /** {@code POST /runs} on an instance without the producer role. */
    public void noProducer(Exchange exchange) {
        answer(
                exchange.getMessage(),
                503,
                Problem.of(
                        503,
                        "not-a-producer",
                        "This instance does not start runs",
                        "coupon.role has no producer here; ask a producer instance"));
    }

    /** Any API route whose Redis call failed: 503, the client may retry. */
    public void redisUnavailable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        answer(
                exchange.getMessage(),
                503,
                Problem.redisUnavailable(e == null ? "no answer" : dev.couponpipeline.run.Errors.rootMessage(e)));
    }

    /** A request body that is not the JSON the endpoint takes: 400. */
    public void notJson(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                ? j.getOriginalMessage()
                : String.valueOf(e);
        answer(exchange.getMessage(), 400, Problem.of(400, "not-json", "Not the JSON this endpoint takes", why));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
