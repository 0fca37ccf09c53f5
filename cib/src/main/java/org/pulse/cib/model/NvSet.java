package org.pulse.cib.model;

import java.util.List;
import java.util.Map;

/**
 * One attribute set ({@code instance_attributes}, {@code meta_attributes}, {@code utilization},
 * {@code cluster_property_set}, ...): name/value pairs that apply when {@code rule} (if any)
 * holds. Sets are merged by {@link #merge}: higher score first, then document order; the first
 * set to name an attribute wins, as in Pacemaker.
 *
 * @param values name → value in document order; unmodifiable
 */
public record NvSet(String id, String kind, int score, Rule rule, Map<String, String> values) {
    public NvSet {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /** The attributes of {@code sets} whose rules hold in {@code ctx}, first set to name one wins. */
    public static Map<String, String> merge(List<NvSet> sets, RuleContext ctx) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        mergeInto(out, sets, ctx);
        return out;
    }

    /** Adds to {@code out} what it does not name yet (so the caller may layer several lists). */
    public static void mergeInto(Map<String, String> out, List<NvSet> sets, RuleContext ctx) {
        mergeInto(out, sets, ctx, false);
    }

    /**
     * {@link #mergeInto}, except that the value "#default" (any case) is no value: it removes what a
     * better set gave, so the attribute falls back to its parent's, rsc_defaults' or the built-in
     * default. Pacemaker still reads this old spelling in resources' sets, and a parameter written
     * so is neither passed to the agent nor part of its digest. The policy engine and crmd read
     * resources through this one rule, so they agree on what an agent gets.
     */
    public static void mergeIntoWithoutDefaults(Map<String, String> out, List<NvSet> sets, RuleContext ctx) {
        mergeInto(out, sets, ctx, true);
    }

    private static void mergeInto(Map<String, String> out, List<NvSet> sets, RuleContext ctx, boolean defaultIsNoValue) {
        if (sets.isEmpty()) {
            return;
        }
        List<NvSet> ordered = sets;
        if (sets.size() > 1) {
            ordered = new java.util.ArrayList<>(sets);
            // stable: equal scores keep document order
            ordered.sort((a, b) -> Integer.compare(b.score(), a.score()));
        }
        for (NvSet s : ordered) {
            if (s.rule() != null && !s.rule().matches(ctx)) {
                continue;
            }
            for (Map.Entry<String, String> e : s.values().entrySet()) {
                if (defaultIsNoValue && "#default".equalsIgnoreCase(e.getValue())) {
                    out.remove(e.getKey());
                } else {
                    out.putIfAbsent(e.getKey(), e.getValue());
                }
            }
        }
    }
}
