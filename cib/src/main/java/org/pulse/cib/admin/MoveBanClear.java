package org.pulse.cib.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.cib.model.NodeConfig;
import org.pulse.cib.xml.XmlElement;

/**
 * crm resource move, ban and clear as pure decisions: a CIB in, the constraint changes out (as
 * data), or a refusal naming what is wrong. One place for both callers: crmd's DC decides on its
 * own current CIB and writes the changes as one version (so a change made just before is neither
 * lost nor decided against), and the shell decides on the CIB file it works on. Neither writes
 * here; {@link #apply} only returns the tree with the changes made.
 *
 * <p>The constraints are crm_resource's: {@code cli-prefer-RSC} (score INFINITY for the node) and
 * {@code cli-ban-RSC-on-NODE} (-INFINITY), role Started; with a lifetime, the node and the end
 * become a rule ({@code #uname eq NODE and date lt END}) so the constraint stops counting by itself.
 */
public final class MoveBanClear {
    private MoveBanClear() {
    }

    /** One constraint put (xml non-null: replaces the one with this id, else is added) or removed (xml null), by id. */
    public record ConstraintChange(String id, XmlElement xml) {
        public ConstraintChange {
            Objects.requireNonNull(id, "id");
        }
    }

    /** A move or ban that cannot be decided; the message names the resource, the node and what to do. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        /** Why, for callers that answer with a code (crmd's admin protocol). */
        public enum Reason { UNKNOWN_NODE, NOT_RUNNING }

        private final Reason reason;

        Refused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * Move {@code rsc}: with a node, a cli-prefer-RSC for it (replacing an earlier one); without
     * (null), a cli-ban-RSC-on-N for every node where it runs now, refused when it runs nowhere.
     *
     * @param lifetimeEnd when the constraint stops counting, as crm_resource writes it
     *     ({@code 2026-11-22 13:00:00Z}), or null for none
     */
    public static List<ConstraintChange> move(Cib cib, String rsc, String node, String lifetimeEnd) throws Refused {
        if (node != null) {
            requireKnownNode(cib, "move", rsc, node);
            return List.of(prefer(rsc, node, lifetimeEnd));
        }
        List<ConstraintChange> bans = new ArrayList<>();
        for (String n : cib.statusView().runningOn(rsc)) {
            bans.add(ban(rsc, n, lifetimeEnd));
        }
        if (bans.isEmpty()) {
            throw new Refused(Refused.Reason.NOT_RUNNING, rsc + " is not running anywhere;"
                    + " give the node to move it to: crm resource move " + rsc + " NODE");
        }
        return bans;
    }

    /** Ban {@code rsc} from {@code node}: a cli-ban-RSC-on-NODE (replacing an earlier one). */
    public static List<ConstraintChange> ban(Cib cib, String rsc, String node, String lifetimeEnd) throws Refused {
        requireKnownNode(cib, "ban", rsc, node);
        return List.of(ban(rsc, node, lifetimeEnd));
    }

    /** Every cli-prefer-RSC and cli-ban-RSC-on-* constraint removed, in document order; none is no change. */
    public static List<ConstraintChange> clear(Cib cib, String rsc) {
        List<ConstraintChange> out = new ArrayList<>();
        for (XmlElement c : constraints(cib.root()).elements()) {
            String id = c.id() == null ? "" : c.id();
            if (id.equals("cli-prefer-" + rsc) || id.startsWith("cli-ban-" + rsc + "-on-")) {
                out.add(new ConstraintChange(id, null));
            }
        }
        return out;
    }

    /**
     * The CIB tree with these changes made to its constraints section, all in one tree (so a
     * caller writes them as one version); no change gives back {@code root} itself.
     */
    public static XmlElement apply(XmlElement root, List<ConstraintChange> changes) {
        XmlElement constraints = constraints(root);
        XmlElement updated = constraints;
        for (ConstraintChange k : changes) {
            updated = k.xml() == null ? updated.withoutChildren(e -> k.id().equals(e.id()))
                    : updated.withChildReplaced(e -> k.id().equals(e.id()), k.xml());
        }
        if (updated == constraints) {
            return root;
        }
        XmlElement conf = root.element("configuration").orElse(XmlElement.of("configuration"));
        XmlElement newConf = conf.withChildReplaced(e -> e.name().equals("constraints"), updated);
        return root.withChildReplaced(e -> e.name().equals("configuration"), newConf);
    }

    /** The nodes a move or ban may name: those configured, and those the status section knows. */
    public static SortedSet<String> knownNodes(Cib cib) {
        SortedSet<String> out = new TreeSet<>();
        for (NodeConfig n : cib.model().nodes()) {
            if (n.uname() != null) {
                out.add(n.uname());
            }
        }
        out.addAll(cib.statusView().nodes().keySet());
        return out;
    }

    private static XmlElement constraints(XmlElement root) {
        return root.element("configuration").flatMap(c -> c.element("constraints")).orElse(XmlElement.of("constraints"));
    }

    private static ConstraintChange prefer(String rsc, String node, String lifetimeEnd) {
        String id = "cli-prefer-" + rsc;
        if (lifetimeEnd == null) {
            return new ConstraintChange(id, location(id, rsc, node, "INFINITY"));
        }
        return new ConstraintChange(id, location(id, rsc, rule("cli-prefer-rule-" + rsc, "cli-prefer-expr-" + rsc,
                "cli-prefer-lifetime-end-" + rsc, "INFINITY", node, lifetimeEnd)));
    }

    private static ConstraintChange ban(String rsc, String node, String lifetimeEnd) {
        String id = "cli-ban-" + rsc + "-on-" + node;
        if (lifetimeEnd == null) {
            return new ConstraintChange(id, location(id, rsc, node, "-INFINITY"));
        }
        return new ConstraintChange(id, location(id, rsc, rule(id + "-rule", id + "-expr", id + "-lifetime",
                "-INFINITY", node, lifetimeEnd)));
    }

    /** A cli-prefer/cli-ban rsc_location, built as an element: any name stays an attribute value. */
    private static XmlElement location(String id, String rsc, String node, String score) {
        return XmlElement.of("rsc_location", "id", id, "rsc", rsc, "role", "Started", "node", node, "score", score);
    }

    private static XmlElement location(String id, String rsc, XmlElement rule) {
        return XmlElement.of("rsc_location", "id", id, "rsc", rsc, "role", "Started").withChildAppended(rule);
    }

    private static XmlElement rule(String ruleId, String exprId, String dateId, String score, String node, String end) {
        return XmlElement.of("rule", "id", ruleId, "score", score, "boolean-op", "and")
                .withChildAppended(XmlElement.of("expression", "id", exprId, "attribute", "#uname", "operation", "eq",
                        "value", node, "type", "string"))
                .withChildAppended(XmlElement.of("date_expression", "id", dateId, "operation", "lt", "end", end));
    }

    /**
     * As crm_resource checks before a move or ban: a constraint naming a node the CIB does not know
     * would be stored and silently do nothing.
     */
    private static void requireKnownNode(Cib cib, String action, String rsc, String node) throws Refused {
        SortedSet<String> known = knownNodes(cib);
        if (!known.contains(node)) {
            throw new Refused(Refused.Reason.UNKNOWN_NODE, "resource " + action + " of " + rsc + ": node '" + node
                    + "' is not a cluster node; the nodes are " + (known.isEmpty() ? "(none)" : String.join(", ", known)));
        }
    }
}
