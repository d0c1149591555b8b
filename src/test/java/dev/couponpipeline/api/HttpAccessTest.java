package dev.couponpipeline.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HttpAccessTest {

    @Test
    void should_let_everyone_in_without_a_token_and_only_the_bearer_of_the_token_with_one() {
        HttpAccess open = new HttpAccess("");
        assertFalse(open.required());
        assertEquals(0, open.refusal(null));

        HttpAccess guarded = new HttpAccess("correct horse");
        assertTrue(guarded.required());
        assertEquals(0, guarded.refusal("Bearer correct horse"));
        assertEquals(0, guarded.refusal("bearer correct horse"), "the scheme is case-insensitive (RFC 7235)");
        assertEquals(401, guarded.refusal(null));
        assertEquals(401, guarded.refusal("correct horse"));
        assertEquals(401, guarded.refusal("Basic Y29ycmVjdCBob3JzZQ=="));
        assertEquals(403, guarded.refusal("Bearer correct hors"));
        assertEquals(403, guarded.refusal("Bearer correct horsf"));
        assertEquals(403, guarded.refusal("Bearer CORRECT HORSE"), "the token itself is case-sensitive");
        assertEquals(401, guarded.refusal("Bearer "), "an empty token is no token");
        assertEquals(401, guarded.refusal("Bearer    "));
    }

    @Test
    void should_refuse_a_producer_reachable_from_the_network_without_a_token() {
        assertDoesNotThrow(() -> HttpAccess.checkExposure("127.0.0.1", true, false));
        assertDoesNotThrow(() -> HttpAccess.checkExposure("localhost", true, false));
        assertDoesNotThrow(() -> HttpAccess.checkExposure("0.0.0.0", true, true));
        assertDoesNotThrow(
                () -> HttpAccess.checkExposure("0.0.0.0", false, false), "an API-only instance starts no run");
        assertThrows(
                IllegalStateException.class,
                () -> HttpAccess.checkExposure("", true, false),
                "an empty host is every interface to Camel's server");
        assertThrows(IllegalStateException.class, () -> HttpAccess.checkExposure("::", true, false));
        assertDoesNotThrow(() -> HttpAccess.checkExposure("::1", true, false));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> HttpAccess.checkExposure("0.0.0.0", true, false));
        assertTrue(e.getMessage().contains("coupon.http.token"), e.getMessage());
    }
}
