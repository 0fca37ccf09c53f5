package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pulse.cib.xml.XmlElement;

/**
 * When an object comes back from {@code edit} or {@code load update}, its parts keep the ids
 * they had (crmsh's lookup_node): an element without an id takes the id of the old element in
 * the same place with the same tag and name (ops also by interval and role). So editing one
 * parameter does not rename every id under the object, and ids written by other tools survive.
 */
public final class IdPreserver {
    private IdPreserver() {
    }

    public static void preserve(MNode fresh, XmlElement old) {
        if (old == null || !fresh.name.equals(old.name())) {
            return;
        }
        if (fresh.get("id") == null && old.id() != null) {
            fresh.attrs.put("id", old.id());
        }
        List<XmlElement> candidates = new ArrayList<>(old.elements());
        for (MNode child : fresh.children) {
            XmlElement match = null;
            for (XmlElement o : candidates) {
                if (same(child, o)) {
                    match = o;
                    break;
                }
            }
            if (match != null) {
                candidates.remove(match);
                preserve(child, match);
            }
        }
    }

    private static boolean same(MNode n, XmlElement o) {
        if (!n.name.equals(o.name())) {
            return false;
        }
        if (n.get("id") != null) {
            return n.get("id").equals(o.id());
        }
        return switch (n.name) {
            case "nvpair" -> Objects.equals(n.get("name"), o.attr("name"));
            case "op" -> Objects.equals(n.get("name"), o.attr("name")) && Objects.equals(n.get("interval"), o.attr("interval"))
                    && Objects.equals(n.get("role"), o.attr("role"));
            case "expression" -> Objects.equals(n.get("attribute"), o.attr("attribute"))
                    && Objects.equals(n.get("operation"), o.attr("operation"));
            case "resource_ref", "obj_ref" -> false;
            default -> true;
        };
    }
}
