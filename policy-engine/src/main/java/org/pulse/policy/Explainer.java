package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The explanations of one transition, built on request: a transition of 10,000 resources on 64
 * nodes holds 640,000 scores, and the DC never reads them, while {@code crm explain} reads one.
 * Immutable once made; the same resource always gives an equal explanation.
 */
public final class Explainer {
    private final List<String> ids;
    private final Function<String, Explanation> build;

    Explainer(List<String> ids, Function<String, Explanation> build) {
        this.ids = Collections.unmodifiableList(new ArrayList<>(ids));
        this.build = build;
    }

    /** Resource ids that can be explained (primitives and groups), in configuration order. */
    public List<String> resourceIds() {
        return ids;
    }

    /** The explanation, or null for an unknown id. */
    public Explanation explain(String resourceId) {
        return ids.contains(resourceId) ? build.apply(resourceId) : null;
    }

    /** Every explanation (costly on a big cluster). */
    public Map<String, Explanation> all() {
        Map<String, Explanation> out = new LinkedHashMap<>();
        for (String id : ids) {
            out.put(id, build.apply(id));
        }
        return out;
    }
}
