package org.pulse.crmd.runtime;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Login tokens of the web console: {@code USER.EXPIRY.MAC}, the user and the expiry (Unix seconds)
 * signed with HMAC-SHA256 under a key derived from the cluster key. Any node of the cluster checks a
 * token any other node issued, nothing is stored, and only holders of the cluster key can make one.
 * A token is bound to the user who asked for it (through the admin socket, which knows its caller);
 * what that user may do is decided at each request by the same rules as the admin socket.
 */
final class WebTokens {
    static final long MAX_LIFETIME_S = 7 * 86400;
    private final byte[] key;

    WebTokens(byte[] key) {
        this.key = key.clone();
    }

    String issue(String user, long expiresEpochS) {
        String u = Base64.getUrlEncoder().withoutPadding().encodeToString(user.getBytes(StandardCharsets.UTF_8));
        String body = u + "." + expiresEpochS;
        return body + "." + mac(body);
    }

    /** The user of a valid token, or a refusal saying what is wrong and what to do. */
    String verify(String token, long nowEpochS) throws AdminAccess.Refused {
        String[] parts = token == null ? new String[0] : token.strip().split("\\.");
        if (parts.length != 3) {
            throw new AdminAccess.Refused("not a console token; get one with: crm web token");
        }
        String body = parts[0] + "." + parts[1];
        if (!MessageDigest.isEqual(mac(body).getBytes(StandardCharsets.US_ASCII), parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new AdminAccess.Refused("the token is not valid for this cluster; get one with: crm web token");
        }
        long expires;
        String user;
        try {
            expires = Long.parseLong(parts[1]);
            user = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AdminAccess.Refused("not a console token; get one with: crm web token");
        }
        if (nowEpochS >= expires) {
            throw new AdminAccess.Refused("the token expired at " + java.time.Instant.ofEpochSecond(expires)
                    + "; get a new one with: crm web token");
        }
        return user;
    }

    private String mac(String body) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(m.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
