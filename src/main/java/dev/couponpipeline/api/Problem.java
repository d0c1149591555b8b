package dev.couponpipeline.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer as RFC 9457 "problem details" ({@code application/problem+json}): {@code type} (a URN naming the
 * kind of problem, stable for clients to switch on), {@code title} (the kind in words), {@code status}, {@code detail}
 * (this occurrence), then any extension members. A map, so Camel's REST binding (Jackson) writes it in this order.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problem() {}

    public static Map<String, Object> of(int status, String kind, String title, String detail) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "urn:coupon-pipeline:problem:" + kind);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        return p;
    }

    /** The same with extension members, as key, value pairs. */
    public static Map<String, Object> of(int status, String kind, String title, String detail, Object... members) {
        Map<String, Object> p = of(status, kind, title, detail);
        for (int i = 0; i + 1 < members.length; i += 2) {
            p.put((String) members[i], members[i + 1]);
        }
        return p;
    }

    /** A code no pattern match can produce (400): it can never be valid, so Redis is not asked. */
    public static Map<String, Object> notACode(String code, String pattern) {
        return of(400, "not-a-code", "Not a code", "the pattern " + pattern + " can never produce it", "code", code);
    }

    /** Redis did not answer (503): the client may retry; the detail says what failed, never a secret. */
    public static Map<String, Object> redisUnavailable(String reason) {
        return of(503, "redis-unavailable", "Redis unavailable", "the live set could not be read: " + reason);
    }
}
