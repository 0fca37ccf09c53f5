package org.pulse.policy;

import java.util.Map;
import org.pulse.cib.model.Scores;

/**
 * Fail counts from a node's transient attributes: {@code fail-count-RSC} and
 * {@code fail-count-RSC#op_interval}, with {@code last-failure-*} timestamps for failure-timeout.
 */
final class FailCounts {
    private FailCounts() {
    }

    static boolean hasFailCounts(Map<String, String> attrs) {
        for (String k : attrs.keySet()) {
            if (k.startsWith("fail-count-")) {
                return true;
            }
        }
        return false;
    }

    /** The history name of a resource: anonymous clone instances drop their ":N". */
    static String historyName(Rsc r) {
        Rsc clone = r.cloneAncestor();
        if (clone != null && !clone.uniqueClone) {
            int c = r.id.lastIndexOf(':');
            return c > 0 ? r.id.substring(0, c) : r.id;
        }
        return r.id;
    }

    /**
     * The sum of the resource's fail counts on a node; with {@code effective}, entries whose last
     * failure is older than failure-timeout are left out.
     */
    static int count(Rsc r, Map<String, String> attrs, long nowSec, boolean effective) {
        return count(r, attrs, nowSec, effective, false);
    }

    /** {@code blockFailure}: a failure whose op has on-fail=block never expires. */
    static int count(Rsc r, Map<String, String> attrs, long nowSec, boolean effective, boolean blockFailure) {
        String name = historyName(r);
        String prefix = "fail-count-" + name;
        int total = 0;
        if (!hasFailCounts(attrs)) {
            return 0;
        }
        for (Map.Entry<String, String> e : attrs.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(prefix)) {
                continue;
            }
            String rest = k.substring(prefix.length());
            if (!rest.isEmpty() && rest.charAt(0) != '#') {
                continue;
            }
            int v = Scores.parse(e.getValue(), 0);
            if (effective && r.failureTimeoutMs > 0 && !blockFailure) {
                String lf = attrs.get("last-failure-" + name + rest);
                long last = 0;
                if (lf != null) {
                    try {
                        last = Long.parseLong(lf.trim());
                    } catch (NumberFormatException ex) {
                        last = 0;
                    }
                }
                if (last > 0 && nowSec >= last + r.failureTimeoutMs / 1000) {
                    continue;
                }
            }
            total = Scores.add(total, v);
        }
        return total;
    }
}
