package dev.couponpipeline.api;

import java.util.List;

/** {@code POST /coupons/check}: the request and the answer, bound to JSON by Camel's REST binding (Jackson). */
public final class BatchCheck {

    private BatchCheck() {}

    /** {@code {"codes": ["HAPPYHRS", ...]}}: at most {@link #MAX_CODES}. */
    public record Request(List<String> codes) {}

    /** {@code {"results": [{"code": "HAPPYHRS", "valid": true}, ...]}}, in the request's order. */
    public record Response(List<Validity> results) {}

    /** Codes one request may ask about: one SMISMEMBER of at most this many members. */
    public static final int MAX_CODES = 1000;
}
