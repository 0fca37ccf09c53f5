package org.pulse.cib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;

/**
 * What every section's checks share while one CIB is checked: the index of what the configuration
 * defines (ids, resources, templates, tags, node names, fence devices), built by {@link #index} before
 * any check so references resolve in any order, the problems found, and the attribute checks
 * (scores, durations, roles, references) that read the same in every section.
 */
final class CheckContext {
    private static final Set<String> ROLES = Set.of(
            "Stopped", "Started", "Slave", "Master", "Unpromoted", "Promoted");
    private static final Set<String> ACTIONS = Set.of("start", "stop", "promote", "demote");
    /**
     * Elements whose id is a name from outside, not an XML ID (a corosync node id, a user name),
     * so it may equal another element's id; they are unique among their own kind only.
     */
    private static final Set<String> OWN_KIND_ID = Set.of("node", "acl_target");

    final String source;
    final List<CibProblem> problems = new ArrayList<>();
    /** Every id defined in the configuration, with its first element. */
    final Map<String, XmlElement> ids = new HashMap<>();
    final Map<String, XmlElement> resources = new HashMap<>();
    final Set<String> templates = new HashSet<>();
    final Set<String> tags = new HashSet<>();
    final Set<String> nodeNames = new HashSet<>();
    final Set<String> stonithIds = new HashSet<>();
    private final Map<String, XmlElement> ownKindIds = new HashMap<>();

    CheckContext(String source) {
        this.source = source;
    }

    /** First pass: ids and what they name, so references can be checked in any order. */
    void index(XmlElement config) {
        collect(config, null);
        collectNames(config);
    }

    static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    boolean isResource(String id) {
        return resources.containsKey(id) || tags.contains(id) || templates.contains(id);
    }

    void resourceRef(XmlElement e, String here, String attr, boolean required) {
        String id = e.attr(attr);
        if (id == null) {
            if (required) {
                error(e, here, "<" + e.name() + "> has no " + attr, "add " + attr + "=\"<resource id>\"");
            }
            return;
        }
        if (!isResource(id)) {
            error(e, here, attr + "=\"" + id + "\" refers to a resource that does not exist",
                    "define resource '" + id + "' or correct the reference" + suggestion(id));
        }
    }

    /** ", did you mean 'x'?" for a near miss among the resources, so typos are quick to fix. */
    String suggestion(String id) {
        String best = null;
        int bestDistance = 3;
        for (String r : resources.keySet()) {
            int d = CibValidator.editDistance(id.toLowerCase(Locale.ROOT), r.toLowerCase(Locale.ROOT), bestDistance);
            if (d < bestDistance) {
                bestDistance = d;
                best = r;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    void score(XmlElement e, String here, String attr) {
        String v = e.attr(attr);
        if (v != null && !CibValidator.isScore(v)) {
            error(e, here, attr + "=\"" + v + "\" is not a score",
                    "use an integer, INFINITY, +INFINITY or -INFINITY (or score-attribute=\"<node attribute>\")");
        }
    }

    void duration(XmlElement e, String here, String attr) {
        String v = e.attr(attr);
        String problem = v == null ? null : org.pulse.cib.model.Durations.read(v).problem();
        if (problem != null) {
            error(e, here, attr + "=\"" + v + "\" is not a duration: " + problem, "use " + org.pulse.cib.model.Durations.EXAMPLES);
        }
    }

    void role(XmlElement e, String here, String attr) {
        String v = e.attr(attr);
        if (v != null && !ROLES.contains(v)) {
            error(e, here, attr + "=\"" + v + "\" is not a role", "use Started, Stopped, Promoted or Unpromoted");
        }
    }

    void action(XmlElement e, String here, String attr) {
        String v = e.attr(attr);
        if (v != null && !ACTIONS.contains(v)) {
            error(e, here, attr + "=\"" + v + "\" is not an action that can be ordered", "use start, stop, promote or demote");
        }
    }

    void require(XmlElement e, String here, String attr, String what) {
        if (e.attr(attr) == null) {
            error(e, here, "<" + e.name() + "> has no " + attr, "add " + attr + " (" + what + ")");
        }
    }

    void error(XmlElement e, String id, String problem, String fix) {
        problems.add(CibProblem.error(source, e.sourceLine(), id, problem, fix));
    }

    void warning(XmlElement e, String id, String problem, String fix) {
        problems.add(CibProblem.warning(source, e.sourceLine(), id, problem, fix));
    }

    private void collect(XmlElement e, XmlElement parent) {
        String id = e.id();
        if (id != null && OWN_KIND_ID.contains(e.name())) {
            XmlElement first = ownKindIds.putIfAbsent(e.name() + "\u0000" + id, e);
            if (first != null) {
                error(e, id, "two <" + e.name() + "> entries have id '" + id + "'"
                                + (first.sourceLine() > 0 ? " (the other at line " + first.sourceLine() + ")" : ""),
                        "remove one or give it its own id");
            }
        } else if (id != null && !CibValidator.REFERRING_ID.contains(e.name())) {
            XmlElement first = ids.putIfAbsent(id, e);
            if (first != null) {
                error(e, id, "id '" + id + "' is already used by <" + first.name() + ">"
                                + (first.sourceLine() > 0 ? " at line " + first.sourceLine() : ""),
                        "give this <" + e.name() + "> an id of its own (ids are unique in the whole configuration)");
            }
            if (CibValidator.RESOURCE_ELEMENTS.contains(e.name()) && parent != null && !parent.name().equals("template")) {
                resources.putIfAbsent(id, e);
                if ("primitive".equals(e.name()) && "stonith".equals(e.attr("class"))) {
                    stonithIds.add(id);
                }
            } else if (e.name().equals("template")) {
                templates.add(id);
            } else if (e.name().equals("tag")) {
                tags.add(id);
            }
        } else if (id == null && e.name().equals("primitive") && e.attr("id-ref") == null) {
            error(e, null, "a <primitive> has no id", "give it an id, e.g. id=\"my-resource\"");
        }
        for (XmlElement c : e.elements()) {
            collect(c, e);
        }
    }

    private void collectNames(XmlElement config) {
        Map<String, XmlElement> unames = new HashMap<>();
        config.element("nodes").ifPresent(nodes -> {
            for (XmlElement n : nodes.elements("node")) {
                String uname = n.attr("uname");
                if (n.id() == null) {
                    error(n, uname, "a <node> has no id", "add id=\"N\" (Pacemaker uses the corosync node id)");
                }
                if (uname == null) {
                    error(n, n.id(), "<node> has no uname", "add uname=\"<the node's name>\"");
                    continue;
                }
                XmlElement first = unames.putIfAbsent(uname, n);
                if (first != null) {
                    error(n, n.id(), "node name '" + uname + "' is used by two nodes (ids " + first.id()
                            + " and " + n.id() + ")", "remove or rename one of them");
                }
                nodeNames.add(uname);
            }
        });
        // Remote and guest nodes are named by their resources.
        for (XmlElement r : resources.values()) {
            if ("primitive".equals(r.name()) && "remote".equals(r.attr("type"))) {
                nodeNames.add(r.id());
            }
            if ("bundle".equals(r.name())) {
                nodeNames.add(r.id());
                bundleGuests(r);
            }
        }
        collectGuests(config);
    }

    /** A bundle with a child makes a guest node per replica, named BUNDLE-i (as the scheduler does). */
    private void bundleGuests(XmlElement bundle) {
        if (bundle.elements("primitive").isEmpty()) {
            return;
        }
        for (XmlElement c : bundle.elements()) {
            if (c.name().equals("docker") || c.name().equals("podman") || c.name().equals("rkt")) {
                String promoted = c.attr("promoted-max") != null ? c.attr("promoted-max") : c.attr("masters");
                int replicas = 1;
                try {
                    replicas = c.attr("replicas") != null ? Integer.parseInt(c.attr("replicas").trim())
                            : Math.max(1, promoted == null ? 1 : Integer.parseInt(promoted.trim()));
                } catch (NumberFormatException e) {
                    return;   // a bad number is reported where the bundle is checked
                }
                for (int i = 0; i < replicas && i < 1000; i++) {
                    nodeNames.add(bundle.id() + "-" + i);
                }
            }
        }
    }

    private void collectGuests(XmlElement e) {
        if (e.name().equals("nvpair") && "remote-node".equals(e.attr("name")) && e.attr("value") != null) {
            nodeNames.add(e.attr("value"));
        }
        for (XmlElement c : e.elements()) {
            collectGuests(c);
        }
    }
}
