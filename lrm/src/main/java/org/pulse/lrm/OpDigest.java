package org.pulse.lrm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code op-digest} of an operation: lets the scheduler see that a resource's parameters changed since it
 * was started. Like Pacemaker's, it is an MD5 (hex, lower case) over a canonical XML form of the parameters:
 * <pre>{@code <parameters NAME="VALUE" .../>}</pre>
 * with the names in byte order, values XML-escaped ({@code & < > " }, tab, CR, LF as character references),
 * and without the {@code CRM_meta_*} keys and {@code crm_feature_set}, which are not configuration.
 * Equal parameter maps give equal digests whatever their order; that, not byte-equality with Pacemaker's own
 * digest, is the promise.
 */
public final class OpDigest {
    private OpDigest() {
    }

    public static String of(Map<String, String> params) {
        return md5Hex(canonical(params));
    }

    static String canonical(Map<String, String> params) {
        StringBuilder b = new StringBuilder("<parameters");
        for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
            String k = e.getKey();
            if (k.startsWith("CRM_meta_") || k.equals("crm_feature_set")) {
                continue;
            }
            b.append(' ').append(k).append("=\"").append(escape(e.getValue())).append('"');
        }
        return b.append("/>").toString();
    }

    private static String escape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '"': b.append("&quot;"); break;
                case '\t': b.append("&#9;"); break;
                case '\n': b.append("&#10;"); break;
                case '\r': b.append("&#13;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private static String md5Hex(String s) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(32);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no MD5, which every Java SE has", e);
        }
    }
}
