package org.pulse.cib.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pulse.cib.xml.XmlElement;

/**
 * crm node clearstate NODE (crmsh, after a node was fenced by hand) and the status a fencing leaves: the
 * node's {@code node_state} offline and expected down, its operation history and transient attributes gone,
 * so the policy engine takes what ran there for stopped and recovers it. One place for crmd's DC (a fenced
 * node, an operator's clearstate on its own CIB) and the shell on a CIB file.
 */
public final class NodeClearState {
    private NodeClearState() {
    }

    /** Why a node's state may not be cleared: {@code unknownNode} for a name the CIB does not know (a misspelling). */
    public record Refusal(boolean unknownNode, String message) {
    }

    /**
     * Why {@code node}'s state may not be cleared, or empty when it may: an online node (in the membership, or its
     * crmd up) really runs what its history says and would report it again; a node the CIB does not know is a
     * misspelling.
     */
    public static Optional<Refusal> refusal(XmlElement cib, String node) {
        Optional<XmlElement> ns = nodeState(cib, node);
        if (ns.isPresent()) {
            if ("online".equals(ns.get().attr("crmd")) || "true".equals(ns.get().attr("in_ccm"))) {
                return Optional.of(new Refusal(false, "node " + node + " is online (a member of the cluster): what its state records really runs there,"
                        + " and its crmd would report it again. clearstate is for a node that is down and was fenced by"
                        + " hand; stop Pulse on " + node + " (or power it off) first, or clean up a resource there with"
                        + " crm resource cleanup RSC " + node));
            }
            return Optional.empty();
        }
        List<String> known = cib.element("configuration").flatMap(c -> c.element("nodes"))
                .map(n -> n.elements("node").stream().map(e -> e.attr("uname", e.id())).toList()).orElse(List.of());
        return known.contains(node) ? Optional.empty()
                : Optional.of(new Refusal(true, "no node named '" + node + "' in the CIB; known: " + String.join(", ", known)));
    }

    /** The CIB with {@code node} known down: offline, expected down, no history, no transient attributes. */
    public static XmlElement markDown(XmlElement cib, String node) {
        XmlElement current = nodeState(cib, node).orElse(XmlElement.of("node_state", "id", node, "uname", node));
        XmlElement down = current.withAttribute("in_ccm", "false").withAttribute("crmd", "offline")
                .withAttribute("join", "down").withAttribute("expected", "down")
                .withoutChildren(e -> e.name().equals("transient_attributes"))
                .withChildReplaced(e -> e.name().equals("lrm"),
                        new XmlElement("lrm", Map.of("id", node), List.of(XmlElement.of("lrm_resources"))));
        if (down.equals(current) && nodeState(cib, node).isPresent()) {
            return cib;
        }
        XmlElement status = cib.element("status").orElse(XmlElement.of("status"));
        XmlElement newStatus = status.withChildReplaced(e -> e.name().equals("node_state")
                && node.equals(e.attr("uname", e.id())), down);
        return cib.element("status").isPresent() ? cib.withChildReplaced(e -> e.name().equals("status"), newStatus)
                : cib.withChildAppended(newStatus);
    }

    private static Optional<XmlElement> nodeState(XmlElement cib, String node) {
        return cib.element("status").stream().flatMap(s -> s.elements("node_state").stream())
                .filter(ns -> node.equals(ns.attr("uname", ns.id()))).findFirst();
    }
}
