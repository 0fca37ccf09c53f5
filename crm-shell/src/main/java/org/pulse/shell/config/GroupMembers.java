package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.List;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.shell.CrmException;

/**
 * crmsh's {@code configure modgroup GROUP add|remove RSC [before|after REF]}: a primitive joins a group at a place
 * (last by default) or leaves it for the top level, right after the group. Its constraints stay as they were. Refused,
 * nothing changed, with what to do: a group that is no group, a resource already in a group or clone, a member
 * that is not there, the last member (a group holds at least one: delete the group instead).
 */
final class GroupMembers {
    private GroupMembers() {
    }

    static XmlElement modify(Configuration config, String group, String action, String rsc, String where,
            String ref) throws CrmException {
        XmlElement configuration = config.configuration();
        XmlElement resources = Tree.section(configuration, "resources");
        XmlElement g = Tree.findById(resources, group).orElseThrow(() -> new CrmException("configure modgroup: group "
                + group + " does not exist; 'show type:group' lists the groups"));
        if (!g.name().equals("group")) {
            throw new CrmException("configure modgroup: " + group + " is a " + Configuration.TYPES.getOrDefault(g.name(),
                    g.name()) + ", not a group");
        }
        List<String> members = g.elements("primitive").stream().map(XmlElement::id).toList();
        if (ref != null && !members.contains(ref)) {
            throw new CrmException("configure modgroup: " + ref + " is not a member of " + group + " (members: "
                    + String.join(" ", members) + ")");
        }
        XmlElement newResources;
        switch (action) {
            case "add" -> {
                if (members.contains(rsc)) {
                    throw new CrmException("configure modgroup: " + rsc + " is already a member of " + group);
                }
                XmlElement primitive = resources.elements().stream().filter(e -> rsc.equals(e.id())).findFirst()
                        .orElse(null);
                if (primitive == null) {
                    String holder = config.parentOf(rsc);
                    throw new CrmException("configure modgroup: " + (holder != null ? rsc + " is in " + holder
                            + "; take it out there first (modgroup " + holder + " remove " + rsc + ")"
                            : "resource " + rsc + " does not exist; 'show type:primitive' lists the primitives"));
                }
                if (!primitive.name().equals("primitive")) {
                    throw new CrmException("configure modgroup: " + rsc + " is a " + Configuration.TYPES.getOrDefault(
                            primitive.name(), primitive.name()) + "; a group holds primitives only");
                }
                List<XmlNode> kids = new ArrayList<>();
                int at = ref == null ? -1 : members.indexOf(ref) + (where.equals("after") ? 1 : 0);
                int seen = 0;
                for (XmlNode n : g.children()) {
                    if (n instanceof XmlElement e && e.name().equals("primitive")) {
                        if (seen++ == at) {
                            kids.add(primitive);
                        }
                    }
                    kids.add(n);
                }
                if (at < 0 || at == members.size()) {
                    // last member: after the last primitive, before what follows it (meta_attributes...)
                    int last = -1;
                    for (int i = 0; i < kids.size(); i++) {
                        if (kids.get(i) instanceof XmlElement e && e.name().equals("primitive")) {
                            last = i;
                        }
                    }
                    kids.add(last + 1, primitive);
                }
                XmlElement newGroup = g.withChildren(kids);
                newResources = Tree.transform(resources.withoutChildren(e -> rsc.equals(e.id())),
                        e -> e.name().equals("group") && group.equals(e.id()) ? newGroup : e);
            }
            case "remove" -> {
                if (!members.contains(rsc)) {
                    throw new CrmException("configure modgroup: " + rsc + " is not a member of " + group + " (members: "
                            + String.join(" ", members) + ")");
                }
                if (members.size() == 1) {
                    throw new CrmException("configure modgroup: " + rsc + " is the last member of " + group + "; a"
                            + " group holds at least one: delete the group instead (configure delete " + group + ")");
                }
                XmlElement primitive = g.elements("primitive").stream().filter(e -> rsc.equals(e.id())).findFirst()
                        .orElseThrow();
                // Out of the group, it goes to the top level right after what holds the group (the group, or its clone).
                XmlElement smaller = g.withoutChildren(e -> rsc.equals(e.id()));
                String top = resources.elements().stream().filter(e -> Tree.findById(e, group).isPresent())
                        .map(XmlElement::id).findFirst().orElse(group);
                XmlElement withSmaller = Tree.transform(resources,
                        e -> e.name().equals("group") && group.equals(e.id()) ? smaller : e);
                XmlElement topElement = withSmaller.elements().stream().filter(e -> top.equals(e.id())).findFirst()
                        .orElseThrow();
                newResources = replaceTopLevel(withSmaller, top, List.of(topElement, primitive));
            }
            default -> throw new CrmException("configure modgroup: '" + action + "' is unknown; use modgroup " + group
                    + " add <rsc> [before|after <member>] or modgroup " + group + " remove <rsc>");
        }
        return Tree.withSection(configuration, "resources", newResources);
    }

    /** The resources with the top-level element {@code id} replaced by {@code replacement} (in its place). */
    private static XmlElement replaceTopLevel(XmlElement resources, String id, List<XmlElement> replacement) {
        List<XmlNode> kids = new ArrayList<>();
        for (XmlNode n : resources.children()) {
            if (n instanceof XmlElement e && id.equals(e.id())) {
                kids.addAll(replacement);
            } else {
                kids.add(n);
            }
        }
        return resources.withChildren(kids);
    }
}
