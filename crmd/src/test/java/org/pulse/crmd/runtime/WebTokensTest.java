package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WebTokensTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Test
    void aTokenNamesItsUserUntilItExpires() throws Exception {
        WebTokens t = new WebTokens(KEY);
        String token = t.issue("alice", 1_000);
        assertEquals("alice", t.verify(token, 999));
        AdminAccess.Refused expired = assertThrows(AdminAccess.Refused.class, () -> t.verify(token, 1_000));
        assertTrue(expired.getMessage().contains("expired") && expired.getMessage().contains("crm web token"),
                expired.getMessage());
    }

    @Test
    void anotherKeyAChangedUserOrExpiryOrGarbageIsRefused() {
        WebTokens t = new WebTokens(KEY);
        String token = t.issue("alice", 1_000);
        WebTokens other = new WebTokens("another key of 32 bytes, exactly".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThrows(AdminAccess.Refused.class, () -> other.verify(token, 0), "another cluster's key");
        String[] p = token.split("\\.");
        String root = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("root".getBytes());
        assertThrows(AdminAccess.Refused.class, () -> t.verify(root + "." + p[1] + "." + p[2], 0), "user changed");
        assertThrows(AdminAccess.Refused.class, () -> t.verify(p[0] + ".99999999999." + p[2], 0), "expiry changed");
        for (String garbage : new String[] {null, "", "a.b", "a.b.c.d", "....", "x.y.z"}) {
            assertThrows(AdminAccess.Refused.class, () -> t.verify(garbage, 0), String.valueOf(garbage));
        }
    }
}
