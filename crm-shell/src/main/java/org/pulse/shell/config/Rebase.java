package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * A configuration change made from one CIB, carried over to a newer one that someone else changed
 * meanwhile (the DC writing the nodes section just after start, another operator's edit): the change
 * is a set of objects (the children of the configuration's sections: a node, a resource, a constraint,
 * a property set) added, replaced or removed. When no object was changed on both sides, those objects
 * are applied to the newer configuration, which keeps everything else it has; when one was, the change
 * is a conflict and nothing is carried over. A pure function of the three configurations.
 */
public final class Rebase {
    private Rebase() {
    }

    /** The objects both sides changed, differently (empty when the change carries over). */
    public record Result(XmlElement configuration, Set<String> conflicts) {
    }

    /**
     * {@code mine} applied to {@code theirs}, both made from {@code base} ({@code <configuration>}
     * elements); or the objects both changed.
     */
    public static Result rebase(XmlElement base, XmlElement mine, XmlElement theirs) {
        Set<String> conflicts = new TreeSet<>();
        XmlElement out = theirs;
        Set<String> sections = new java.util.LinkedHashSet<>();
        for (XmlElement c : List.of(base, mine, theirs)) {
            c.elements().forEach(s -> sections.add(s.name()));
        }
        for (String name : sections) {
            XmlElement b = base.element(name).orElse(null);
            XmlElement m = mine.element(name).orElse(null);
            XmlElement t = theirs.element(name).orElse(null);
            if (java.util.Objects.equals(b, m)) {
                continue;   // this change leaves the section as it found it: theirs stands
            }
            if (java.util.Objects.equals(b, t)) {
                out = put(out, name, m);   // only this change touched it
                continue;
            }
            if (b == null || m == null || t == null || !b.attributes().equals(m.attributes())
                    || !b.attributes().equals(t.attributes())) {
                conflicts.add(name);   // the section itself came, went or changed on both sides
                continue;
            }
            out = put(out, name, section(name, b, m, t, conflicts));
        }
        return new Result(conflicts.isEmpty() ? out : theirs, conflicts);
    }

    /** One section, object by object: mine's changes on theirs, in theirs' order, mine's new objects last. */
    private static XmlElement section(String name, XmlElement b, XmlElement m, XmlElement t, Set<String> conflicts) {
        Map<String, XmlElement> baseObjects = objects(b);
        Map<String, XmlElement> mineObjects = objects(m);
        Map<String, XmlElement> theirObjects = objects(t);
        Map<String, XmlElement> changed = new LinkedHashMap<>();   // key -> mine's object, null when removed
        for (Map.Entry<String, XmlElement> e : mineObjects.entrySet()) {
            if (!e.getValue().equals(baseObjects.get(e.getKey()))) {
                changed.put(e.getKey(), e.getValue());
            }
        }
        for (String key : baseObjects.keySet()) {
            if (!mineObjects.containsKey(key)) {
                changed.put(key, null);
            }
        }
        for (Map.Entry<String, XmlElement> e : changed.entrySet()) {
            XmlElement before = baseObjects.get(e.getKey());
            XmlElement now = theirObjects.get(e.getKey());
            boolean theyChangedIt = !java.util.Objects.equals(before, now);
            if (theyChangedIt && !java.util.Objects.equals(now, e.getValue())) {
                conflicts.add(name + " " + e.getKey());
            }
        }
        List<XmlNode> children = new ArrayList<>();
        java.util.Set<String> placed = new java.util.HashSet<>();
        for (XmlNode n : t.children()) {
            if (n instanceof XmlElement e) {
                String key = key(e);
                if (changed.containsKey(key)) {
                    placed.add(key);
                    if (changed.get(key) != null) {
                        children.add(changed.get(key));
                    }
                    continue;
                }
            }
            children.add(n);
        }
        for (Map.Entry<String, XmlElement> e : changed.entrySet()) {
            if (e.getValue() != null && !placed.contains(e.getKey())) {
                children.add(e.getValue());
            }
        }
        return t.withChildren(children);
    }

    private static Map<String, XmlElement> objects(XmlElement section) {
        Map<String, XmlElement> out = new LinkedHashMap<>();
        for (XmlElement e : section.elements()) {
            out.putIfAbsent(key(e), e);
        }
        return out;
    }

    /** An object's name in its section: its tag and id (an object without an id is named by its content). */
    private static String key(XmlElement e) {
        return e.name() + " " + (e.id() != null ? e.id() : e.toString());
    }

    private static XmlElement put(XmlElement configuration, String name, XmlElement section) {
        if (section == null) {
            return configuration.withoutChildren(e -> e.name().equals(name));
        }
        return configuration.withChildReplaced(e -> e.name().equals(name), section);
    }
}
