package org.pulse.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

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

    /**
     * Names Pacemaker leaves out of every digest (pcmk__filter_op_for_digest), as the LRM's OpDigest does
     * when it records one: a resource with an instance attribute of such a name (crm_feature_set, which
     * ocf_promotion_score reads) would otherwise differ from its record on every run and restart forever.
     */
    private static final java.util.Set<String> FILTERED = java.util.Set.of("id", "crm_feature_set", "op-digest",
            "on_node", "on_node_uuid", "pcmk_external_ip");

    static String of(Map<String, String> params) {
        Map<String, String> sorted = new TreeMap<>(params);
        sorted.keySet().removeAll(FILTERED);
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
