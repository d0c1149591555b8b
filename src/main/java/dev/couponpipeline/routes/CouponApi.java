package dev.couponpipeline.routes;

import dev.couponpipeline.codes.CodePattern;
import dev.couponpipeline.redis.LiveSetKeys;
import dev.couponpipeline.run.RunCoordinator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The validation API's answers: code checks, live-set metadata, run triggers. */
public final class CouponApi {

    private final CodePattern pattern;
    private final StringRedisTemplate redis;
    private final LiveSetKeys keys;
    private final RunCoordinator coordinator;

    public CouponApi(CodePattern pattern, StringRedisTemplate redis, LiveSetKeys keys, RunCoordinator coordinator) {
        this.pattern = pattern;
        this.redis = redis;
        this.keys = keys;
        this.coordinator = coordinator;
    }

    /** True when the path's code is something the pattern could produce (else it can never be valid: 400). */
    public boolean isProducible(Exchange exchange) {
        return pattern.canProduce(exchange.getMessage().getHeader("code", String.class));
    }

    /** Turns the SISMEMBER answer into {@code {"code":"…","valid":true}}. */
    public void validity(Exchange exchange) {
        Message m = exchange.getMessage();
        boolean valid = Boolean.TRUE.equals(m.getBody(Boolean.class));
        json(m, 200, Json.object(ordered("code", m.getHeader("code", String.class), "valid", valid)));
    }

    public void badCode(Exchange exchange) {
        Message m = exchange.getMessage();
        String code = m.getHeader("code", String.class);
        json(m, 400, Json.object(ordered("code", code, "error",
                "not a code: the pattern " + pattern.source() + " can never produce it")));
    }

    /**
     * {@code POST /coupons/check}: every code's validity from one SMISMEMBER (one Redis round trip); a code the
     * pattern can never produce is answered without asking Redis. More than {@link CodeCheck#MAX_CODES} codes, or
     * no list at all, is a 400.
     */
    public void checkMany(Exchange exchange) {
        Message m = exchange.getMessage();
        CodeCheck.Request request = m.getBody(CodeCheck.Request.class);
        List<String> codes = request == null ? null : request.codes();
        if (codes == null || codes.size() > CodeCheck.MAX_CODES || codes.contains(null)) {
            json(m, 400, Json.object(ordered("error", "send {\"codes\": [...]} with 1 to " + CodeCheck.MAX_CODES
                    + " codes, none null")));
            return;
        }
        List<String> asked = codes.stream().filter(pattern::canProduce).distinct().toList();
        Map<Object, Boolean> members = asked.isEmpty() ? Map.of()
                : redis.opsForSet().isMember(keys.live(), asked.toArray());
        List<CodeCheck.Result> results = new java.util.ArrayList<>(codes.size());
        for (String code : codes) {
            results.add(new CodeCheck.Result(code, Boolean.TRUE.equals(members.get(code))));
        }
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setBody(new CodeCheck.Response(results));
    }

    /** {@code GET /coupons}: the live set's metadata (run id, codes, per-source counts, published at). */
    public void liveSet(Exchange exchange) {
        Map<Object, Object> raw = redis.opsForHash().entries(keys.meta());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", keys.live());
        if (raw.isEmpty()) {
            out.put("runId", null);
            out.put("codes", 0);
            out.put("note", "no run has been published yet");
        } else {
            Map<String, Object> perSource = new TreeMap<>();
            out.put("runId", raw.get("runId"));
            out.put("codes", Long.parseLong((String) raw.get("codes")));
            out.put("distinctCodes", Long.parseLong((String) raw.getOrDefault("distinctCodes", "0")));
            out.put("publishedAt", raw.get("publishedAt"));
            raw.forEach((k, v) -> {
                String key = (String) k;
                if (key.startsWith("source.") && key.endsWith(".codes")) {
                    perSource.put(key.substring(7, key.length() - 6), Long.parseLong((String) v));
                }
            });
            out.put("sources", perSource);
        }
        coordinator.activeRunId().ifPresent(id -> out.put("runInFlight", id));
        json(exchange.getMessage(), 200, Json.object(out));
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
            json(m, 200, Json.object(ordered("status", "skipped", "reason", skipped, "hint",
                    "POST /runs?force=true runs anyway")));
        } else if (runId != null) {
            json(m, 202, Json.object(ordered("runId", runId, "status", "started")));
        } else {
            json(m, 409, Json.object(ordered("error", "a run is already in flight",
                    "runInFlight", coordinator.activeRunId().orElse(null))));
        }
    }

    /** {@code POST /runs} on an instance without the producer role. */
    public void noProducer(Exchange exchange) {
        json(exchange.getMessage(), 503, Json.object(ordered("error",
                "this instance does not start runs (coupon.role has no producer); ask a producer instance")));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void json(Message m, int status, String body) {
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body);
    }
}
