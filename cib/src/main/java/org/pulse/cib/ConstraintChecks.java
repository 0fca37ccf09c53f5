package org.pulse.cib;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pulse.cib.xml.XmlElement;

/**
 * The constraints section's checks: location (scores, rules, patterns, nodes), colocation, order,
 * tickets, resource sets and the references inside them.
 */
final class ConstraintChecks {
    private static final Set<String> ORDER_KINDS = Set.of("Mandatory", "Optional", "Serialize");

    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "rsc_location", (c, e, here, parent) -> location(c, e, here),
            "rsc_colocation", (c, e, here, parent) -> colocation(c, e, here),
            "rsc_order", (c, e, here, parent) -> order(c, e, here),
            "rsc_ticket", (c, e, here, parent) -> ticket(c, e, here),
            "resource_ref", (c, e, here, parent) -> reference(c, e, here, "resource set"),
            "resource_set", (c, e, here, parent) -> resourceSet(c, e, here),
            "obj_ref", (c, e, here, parent) -> reference(c, e, here, "tag"));

    private ConstraintChecks() {
    }

    static void location(CheckContext c, XmlElement e, String here) {
        boolean hasSets = !e.elements("resource_set").isEmpty();
        String pattern = e.attr("rsc-pattern");
        if (pattern != null) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException x) {
                c.error(e, here, "rsc-pattern=\"" + pattern + "\" is not a regular expression: " + x.getDescription(),
                        "correct the pattern (POSIX extended regular expression)");
            }
        } else if (!hasSets) {
            c.resourceRef(e, here, "rsc", true);
        }
        boolean hasRule = !e.elements("rule").isEmpty();
        String node = e.attr("node");
        if (!hasRule && e.attr("score") == null && e.attr("score-attribute") == null) {
            c.error(e, here, "the location constraint has neither a score with a node nor a rule",
                    "add node=\"<node>\" score=\"<score>\" or a <rule>");
        }
        if (node != null && !c.nodeNames.contains(node)) {
            c.warning(e, here, "node '" + node + "' is not in the nodes section, so this constraint does nothing for now",
                    "check the node name (nodes: " + String.join(", ", CheckContext.sorted(c.nodeNames)) + ")");
        }
        if (node == null && !hasRule && e.attr("score") != null) {
            c.error(e, here, "the location constraint has a score but no node", "add node=\"<node>\" or use a <rule>");
        }
        c.score(e, here, "score");
        c.role(e, here, "role");
    }

    static void colocation(CheckContext c, XmlElement e, String here) {
        boolean hasSets = !e.elements("resource_set").isEmpty();
        if (!hasSets) {
            c.resourceRef(e, here, "rsc", true);
            c.resourceRef(e, here, "with-rsc", true);
        }
        if (e.attr("score") == null && e.attr("score-attribute") == null && !hasSets) {
            // The schema allows it, and Pacemaker then uses 0: the constraint does nothing.
            c.warning(e, here, "the colocation has no score, so it has no effect",
                    "add score=\"INFINITY\" (must run together) or another score");
        }
        c.score(e, here, "score");
        c.role(e, here, "rsc-role");
        c.role(e, here, "with-rsc-role");
    }

    static void order(CheckContext c, XmlElement e, String here) {
        boolean hasSets = !e.elements("resource_set").isEmpty();
        if (!hasSets) {
            c.resourceRef(e, here, "first", true);
            c.resourceRef(e, here, "then", true);
        }
        String kind = e.attr("kind");
        if (kind != null && !ORDER_KINDS.contains(kind)) {
            c.error(e, here, "kind=\"" + kind + "\" is not an order kind", "use Mandatory, Optional or Serialize");
        }
        c.score(e, here, "score");
        c.action(e, here, "first-action");
        c.action(e, here, "then-action");
    }

    static void resourceSet(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        if (e.elements("resource_ref").isEmpty()) {
            c.error(e, here, "the resource set is empty", "add <resource_ref id=\"<resource>\"/> entries or remove the set");
        }
        c.score(e, here, "score");
        c.role(e, here, "role");
        c.action(e, here, "action");
        String kind = e.attr("kind");
        if (kind != null && !ORDER_KINDS.contains(kind)) {
            c.error(e, here, "kind=\"" + kind + "\" is not an order kind", "use Mandatory, Optional or Serialize");
        }
        String ordering = e.attr("ordering");
        if (ordering != null && !ordering.equals("group") && !ordering.equals("listed")) {
            c.error(e, here, "ordering=\"" + ordering + "\" is not known", "use group or listed");
        }
    }

    static void ticket(CheckContext c, XmlElement e, String here) {
        if (e.elements("resource_set").isEmpty()) {
            c.resourceRef(e, here, "rsc", true);
        }
        c.require(e, here, "ticket", "the ticket's name, e.g. ticket=\"ticketA\"");
    }

    static void reference(CheckContext c, XmlElement e, String here, String what) {
        String id = e.attr("id");
        if (id == null) {
            c.error(e, here, "<" + e.name() + "> in a " + what + " has no id", "add id=\"<resource>\"");
        } else if (e.name().equals("obj_ref") ? !c.ids.containsKey(id) : !c.isResource(id)) {
            c.error(e, here, "the " + what + " refers to resource '" + id + "', which does not exist",
                    "define the resource or remove it from the " + what + c.suggestion(id));
        }
    }
}
