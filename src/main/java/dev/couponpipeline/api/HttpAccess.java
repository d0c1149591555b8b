package dev.couponpipeline.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Who may change state over HTTP ({@code POST /runs}): with {@code coupon.http.token} set, only a request with
 * {@code Authorization: Bearer <token>}. The comparison takes the same time whatever the guess (both sides are
 * hashed, then compared with {@link MessageDigest#isEqual}), so a wrong token tells nothing about the right one.
 */
public final class HttpAccess {

    private static final String BEARER = "Bearer ";

    /** SHA-256 of the token, or null when none is set (state changes are open, as on a developer's machine). */
    private final byte[] expected;

    public HttpAccess(String token) {
        this.expected = token == null || token.isEmpty() ? null : sha256(token);
    }

    /** True when a token is required. */
    public boolean required() {
        return expected != null;
    }

    /**
     * The HTTP status to refuse a request with: 0 when it may go on, 401 without a bearer token, 403 with a wrong
     * one.
     */
    public int refusal(String authorization) {
        if (expected == null) {
            return 0;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return 401;
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            return 401;
        }
        byte[] given = sha256(token);
        return MessageDigest.isEqual(expected, given) ? 0 : 403;
    }

    /** For a route's predicate (which Camel evaluates on a copy of the exchange): may the request go on? */
    public boolean allows(Exchange exchange) {
        return refusal(exchange.getMessage().getHeader("Authorization", String.class)) == 0;
    }

    /**
     * The answer to a request {@link #allows} refused: 401 with the scheme to use, or 403; problem details for the
     * REST binding to write.
     */
    public void refuse(Exchange exchange) {
        Message m = exchange.getMessage();
        int status = refusal(m.getHeader("Authorization", String.class));
        if (status == 401) {
            HttpAnswer.answer(
                    m,
                    401,
                    Problem.of(
                            401,
                            "token-required",
                            "Token required",
                            "this request changes state: send Authorization: Bearer <coupon.http.token>"));
            m.setHeader("WWW-Authenticate", "Bearer realm=\"coupon-pipeline\"");
        } else {
            HttpAnswer.answer(
                    m,
                    403,
                    Problem.of(
                            403,
                            "wrong-token",
                            "Wrong token",
                            "the bearer token is not the one configured in coupon.http.token"));
        }
    }

    /**
     * Refuses a service that would let anyone on the network start runs: a producer whose HTTP server listens
     * beyond loopback needs a token.
     *
     * @throws IllegalStateException naming the settings to change
     */
    public static void checkExposure(String host, boolean producer, boolean tokenSet) {
        if (!producer || tokenSet || isLoopback(host)) {
            return;
        }
        throw new IllegalStateException("coupon.http.host is " + host + ", which is reachable from other machines, and"
                + " coupon.http.token is empty: anyone who reaches the port could start runs. Set coupon.http.token"
                + " (COUPON_HTTP_TOKEN), or bind to 127.0.0.1");
    }

    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false; // Camel's server then binds every interface
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
