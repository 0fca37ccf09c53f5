package org.pulse.cib.join;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A one-time join token: {@code pulse1:SECRET:FINGERPRINT}. SECRET (18 random bytes, base64url)
 * keys the join channel; FINGERPRINT is the cluster key's (as {@code crmd} prints it), which the
 * joining node checks the key it receives against. Its id (a hash of the secret) names it in the
 * answering node's token file without giving the secret away on the wire.
 */
public record JoinToken(byte[] secret, String fingerprint) {
    static final int SECRET_BYTES = 18;
    private static final Pattern TEXT = Pattern.compile("pulse1:([A-Za-z0-9_-]{24}):([0-9a-f]{16})");

    public static JoinToken generate(SecureRandom random, String fingerprint) {
        byte[] s = new byte[SECRET_BYTES];
        random.nextBytes(s);
        return new JoinToken(s, fingerprint);
    }

    public static JoinToken parse(String text) throws JoinException {
        var m = TEXT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new JoinException("the token '" + text + "' is not a Pulse join token (pulse1:SECRET:FINGERPRINT);"
                    + " copy it whole from the output of 'crm cluster init' or 'crm cluster token' on a cluster node");
        }
        return new JoinToken(Base64.getUrlDecoder().decode(m.group(1)), m.group(2));
    }

    /** The id under which the token is stored and asked for: not the secret. */
    public String id() {
        return idOf(secret);
    }

    static String idOf(byte[] secret) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(secret);
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public String secretText() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    public String toString() {
        return "pulse1:" + secretText() + ":" + fingerprint;
    }
}
