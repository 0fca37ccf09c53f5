package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/** Small functions over the immutable XML tree: find, collect ids, rewrite bottom-up. */
public final class Tree {
    private Tree() {
    }

    /**
     * Rewrites bottom-up: children first, then {@code f} on the rebuilt element; {@code f}
     * returning null removes the element. Comments and text stay where they are.
     */
    public static XmlElement transform(XmlElement e, UnaryOperator<XmlElement> f) {
        List<XmlNode> kids = new ArrayList<>(e.children().size());
        boolean changed = false;
        for (XmlNode n : e.children()) {
            if (n instanceof XmlElement c) {
                XmlElement t = transform(c, f);
                if (t != c) {
                    changed = true;
                }
                if (t != null) {
                    kids.add(t);
                }
            } else {
                kids.add(n);
            }
        }
        XmlElement rebuilt = changed ? e.withChildren(kids) : e;
        return f.apply(rebuilt);
    }

    public static Optional<XmlElement> findById(XmlElement root, String id) {
        if (id.equals(root.id())) {
            return Optional.of(root);
        }
        for (XmlElement c : root.elements()) {
            Optional<XmlElement> f = findById(c, id);
            if (f.isPresent()) {
                return f;
            }
        }
        return Optional.empty();
    }

    static Set<String> ids(XmlElement root) {
        Set<String> out = new HashSet<>();
        collectIds(root, out);
        return out;
    }

    private static void collectIds(XmlElement e, Set<String> out) {
        if (e.id() != null && !isReference(e)) {
            out.add(e.id());
        }
        for (XmlElement c : e.elements()) {
            collectIds(c, out);
        }
    }

    /**
     * Elements whose {@code id} names another object (an IDREF in Pacemaker's schema) rather
     * than defining one: a set's resource_ref, a tag's obj_ref, an ACL target's role. Counting
     * them as taken would refuse to redefine the object they point at (load update of a
     * resource that a set names).
     */
    private static boolean isReference(XmlElement e) {
        return switch (e.name()) {
            case "resource_ref", "obj_ref" -> true;
            case "role" -> e.elements().isEmpty() && e.attributes().size() == 1;
            default -> false;
        };
    }

    /** Replaces the first child named {@code name}, or appends it. */
    public static XmlElement withSection(XmlElement parent, String name, XmlElement section) {
        return parent.withChildReplaced(e -> e.name().equals(name), section);
    }

    public static XmlElement section(XmlElement parent, String name) {
        return parent.element(name).orElse(XmlElement.of(name));
    }

    public static List<XmlElement> descendants(XmlElement root, String name) {
        List<XmlElement> out = new ArrayList<>();
        walk(root, name, out);
        return out;
    }

    private static void walk(XmlElement e, String name, List<XmlElement> out) {
        if (e.name().equals(name)) {
            out.add(e);
        }
        for (XmlElement c : e.elements()) {
            walk(c, name, out);
        }
    }
}
