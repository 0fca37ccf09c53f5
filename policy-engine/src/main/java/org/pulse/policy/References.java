package org.pulse.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceSet;

/**
 * What an id in a constraint stands for: a tag ({@code <tags>}) for the resources it lists, a
 * resource template for every primitive made from it, anything else for itself. Pacemaker
 * expands both the same way in locations, colocations and orders, in place inside resource sets.
 */
final class References {
    private final Map<String, List<String>> tags;
    private final Map<String, List<String>> templateUsers = new HashMap<>();

    References(Cluster c) {
        this.tags = c.cib().tags();
        for (Rsc r : c.byId().values()) {
            PrimitiveConfig p = r.prim;
            // configured primitives only (not clone instances, which carry the template through their child)
            if (p != null && p.template() != null && !r.orphan && r.id.equals(p.id())) {
                templateUsers.computeIfAbsent(p.template(), k -> new ArrayList<>()).add(r.id);
            }
        }
    }

    /** The ids {@code id} stands for, in order. */
    List<String> expand(String id) {
        if (id == null) {
            return List.of();
        }
        List<String> tagged = tags.get(id);
        if (tagged != null) {
            List<String> out = new ArrayList<>();
            for (String t : tagged) {
                out.addAll(templateUsers.getOrDefault(t, List.of(t)));
            }
            return out;
        }
        return templateUsers.getOrDefault(id, List.of(id));
    }

    /** The set with every tag and template among its members replaced by what it stands for. */
    ResourceSet expand(ResourceSet s) {
        List<String> out = new ArrayList<>();
        boolean changed = false;
        for (String id : s.resources()) {
            List<String> e = expand(id);
            changed |= e.size() != 1 || !e.get(0).equals(id);
            out.addAll(e);
        }
        return changed ? new ResourceSet(s.id(), out, s.sequential(), s.requireAll(), s.role(), s.action(), s.kind(),
                s.score()) : s;
    }

    List<ResourceSet> expandSets(List<ResourceSet> sets) {
        List<ResourceSet> out = new ArrayList<>(sets.size());
        for (ResourceSet s : sets) {
            out.add(expand(s));
        }
        return out;
    }
}
