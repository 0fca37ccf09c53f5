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
     * A node's fail-count attributes by resource history name: name → list of {suffix, value,
     * attribute's own resource name} where suffix is "" or "#op_interval". Which form counts
     * depends on the CIB's feature set, as in Pacemaker's fail-count patterns: before 3.0.13
     * only fail-count-RSC, from then on only fail-count-RSC#op_interval. An instance number
     * ("RSC:2") is also filed under the bare name, which anonymous instances and primitives
     * match too. Built once per node so that each resource looks up only its own entries.
     */
    static Map<String, java.util.List<String[]>> index(Map<String, String> attrs, boolean perOperation) {
        Map<String, java.util.List<String[]>> out = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : attrs.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("fail-count-")) {
                continue;
            }
            String rest = k.substring("fail-count-".length());
            int hash = rest.indexOf('#');
            if ((hash >= 0) != perOperation) {
                continue;
            }
            String name = hash < 0 ? rest : rest.substring(0, hash);
            String suffix = hash < 0 ? "" : rest.substring(hash);
            String[] entry = {suffix, e.getValue(), name};
            out.computeIfAbsent(name, x -> new java.util.ArrayList<>()).add(entry);
            int colon = name.lastIndexOf(':');
            if (colon > 0 && colon < name.length() - 1 && name.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                out.computeIfAbsent(name.substring(0, colon), x -> new java.util.ArrayList<>()).add(entry);
            }
        }
        return out;
    }

    /** Does this CIB feature set name fail counts per operation (3.0.13 and later)? */
    static boolean perOperation(String featureSet) {
        if (featureSet == null) {
            return false;
        }
        String[] a = featureSet.trim().split("\\.");
        int[] min = {3, 0, 13};
        for (int i = 0; i < 3; i++) {
            long x;
            try {
                x = i < a.length ? Long.parseLong(a[i]) : 0;
            } catch (NumberFormatException ex) {
                x = 0;
            }
            if (x != min[i]) {
                return x > min[i];
            }
        }
        return true;
    }

    /**
     * The sum of the resource's fail counts on a node; with {@code effective}, entries whose last
     * failure is older than failure-timeout are left out, unless {@code blockFailure} (a failure
     * whose op has on-fail=block never expires).
     */
    static int count(Rsc r, SNode node, long nowSec, boolean effective, boolean blockFailure) {
        if (!node.hasFailCounts) {
            return 0;
        }
        String name = historyName(r);
        java.util.List<String[]> entries = node.failCounts.get(name);
        if (entries == null) {
            return 0;
        }
        int total = 0;
        for (String[] e : entries) {
            int v = Scores.parse(e[1], 0);
            if (effective && r.failureTimeoutMs > 0 && !blockFailure) {
                String lf = node.attributes.get("last-failure-" + e[2] + e[0]);
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
