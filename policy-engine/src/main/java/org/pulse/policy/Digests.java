package org.pulse.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.model.LrmOp;

/**
 * The parameter digest Pacemaker records with each operation (op-digest): MD5 of
 * {@code " <parameters a=\"..\" b=\"..\"/>\n"} with the parameters sorted by name. A running
 * resource whose recorded start digest differs (or is missing) is restarted, because its
 * parameters changed. Starts carry no CRM_meta_timeout in their digest (Pacemaker adds it only
 * for recurring operations; the LRM's OpDigest records it the same way), so the configured start
 * timeout must stay out of it, or every resource with "op start timeout=" would restart forever.
 */
final class Digests {
    /**
     * Cloned per digest, never used itself: getInstance("MD5") walks the security providers each
     * time, which showed in a cold scheduling run of a big CIB (one digest per running resource).
     */
    private static final MessageDigest MD5_PROTOTYPE = md5();

    private Digests() {
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java platform", e);
        }
    }

    private static MessageDigest newMd5() {
        try {
            return (MessageDigest) MD5_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return md5();
        }
    }

    static String of(Map<String, String> params) {
        Map<String, String> sorted = new TreeMap<>(params);
        // the names every digest leaves out, as the LRM leaves them out when it records one
        sorted.keySet().removeAll(LrmOp.DIGEST_EXCLUDED_PARAMS);
        StringBuilder sb = new StringBuilder(" <parameters");
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            sb.append(' ').append(e.getKey()).append("=\"").append(GraphXml.esc(e.getValue())).append('"');
        }
        sb.append("/>\n");
        byte[] d = newMd5().digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(32);
        for (byte b : d) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }
}
