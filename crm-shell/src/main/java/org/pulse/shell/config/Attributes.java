package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * Setting and removing name=value pairs the way Pacemaker's tools do (crm_resource --meta,
 * crm_attribute): in the first set of the right kind, made with the tools' ids when missing
 * ({@code vip-meta_attributes-target-role}, {@code nodes-node1-standby},
 * {@code status-node1-standby}).
 */
public final class Attributes {
    private Attributes() {
    }

    /** The value of {@code name} in the first {@code setTag} set of {@code owner} that has it. */
    public static String get(XmlElement owner, String setTag, String name) {
        for (XmlElement set : owner.elements(setTag)) {
            for (XmlElement p : set.elements("nvpair")) {
                if (name.equals(p.attr("name"))) {
                    return p.attr("value");
                }
            }
        }
        return null;
    }

    /** Sets name=value in the first {@code setTag} set of {@code owner} (one named {@code setId} is made when there is none). */
    public static XmlElement set(XmlElement owner, String setTag, String setId, String name, String value, Set<String> usedIds) {
        List<XmlElement> sets = owner.elements(setTag);
        for (XmlElement set : sets) {
            Optional<XmlElement> p = set.elements("nvpair").stream().filter(e -> name.equals(e.attr("name"))).findFirst();
            if (p.isPresent()) {
                XmlElement old = p.get();
                XmlElement updated = set.withChildReplaced(e -> e == old, old.withAttribute("value", value));
                return owner.withChildReplaced(e -> e == set, updated);
            }
        }
        if (!sets.isEmpty()) {
            XmlElement set = sets.get(0);
            String id = free(set.id() + "-" + name, usedIds);
            XmlElement updated = set.withChildAppended(XmlElement.of("nvpair", "id", id, "name", name, "value", value));
            return owner.withChildReplaced(e -> e == set, updated);
        }
        String sid = free(setId, usedIds);
        String id = free(sid + "-" + name, usedIds);
        XmlElement set = XmlElement.of(setTag, "id", sid).withChildAppended(
                XmlElement.of("nvpair", "id", id, "name", name, "value", value));
        // Attribute sets go before operations and children, as Pacemaker's schema orders them.
        List<XmlNode> kids = new ArrayList<>(owner.children());
        int at = 0;
        while (at < kids.size() && kids.get(at) instanceof XmlElement e
                && (e.name().endsWith("attributes") || e.name().equals("utilization"))) {
            at++;
        }
        kids.add(at, set);
        return owner.withChildren(kids);
    }

    /** Removes every nvpair called {@code name} (or starting with it, when {@code prefix}); empty sets stay. */
    public static XmlElement remove(XmlElement owner, String setTag, String name, boolean prefix, List<String> removedIds) {
        List<XmlNode> kids = new ArrayList<>();
        for (XmlNode n : owner.children()) {
            if (n instanceof XmlElement set && set.name().equals(setTag)) {
                kids.add(set.withoutChildren(p -> {
                    String pn = p.attr("name", "");
                    boolean hit = p.name().equals("nvpair") && (prefix ? pn.startsWith(name) : pn.equals(name));
                    if (hit) {
                        removedIds.add(p.id());
                    }
                    return hit;
                }));
            } else {
                kids.add(n);
            }
        }
        return owner.withChildren(kids);
    }

    static String free(String id, Set<String> used) {
        if (!used.contains(id)) {
            used.add(id);
            return id;
        }
        for (int i = 0; ; i++) {
            String c = id + "-" + i;
            if (!used.contains(c)) {
                used.add(c);
                return c;
            }
        }
    }

    public static Set<String> ids(XmlElement cib) {
        return new HashSet<>(Tree.ids(cib));
    }

    /** Replaces, anywhere below {@code root}, the element that is {@code old} (by identity) with {@code replacement}. */
    public static XmlElement replace(XmlElement root, XmlElement old, XmlElement replacement) {
        return Tree.transform(root, e -> e == old ? replacement : e);
    }
}
