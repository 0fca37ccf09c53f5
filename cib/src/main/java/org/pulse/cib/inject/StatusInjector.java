package org.pulse.cib.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * The what-if edits of {@code crm simulate} (crm_simulate's synthetic events), as pure functions
 * from a CIB to a CIB: only the status section changes (and have-quorum), the way crm_simulate
 * changes it, so a saved input replays the same in either tool.
 *
 * <ul>
 *   <li>node up: in_ccm, crmd online, join and expected member;</li>
 *   <li>node down (a clean leave): in_ccm false, crmd offline, join and expected down, and its
 *       history and transient attributes dropped, as after a clean shutdown;</li>
 *   <li>node fail: only in_ccm false: the node was expected, so it is unclean and fenced;</li>
 *   <li>an operation result: an {@code lrm_rsc_op} with the next call-id of that resource on that
 *       node (a failure as {@code RSC_last_failure_0}, plus {@code RSC_last_0} for one-shot
 *       operations; a recurring success under its key), and for a failure the fail count
 *       ({@code fail-count-RSC#TASK_INTERVAL}, incremented) and {@code last-failure-...};</li>
 *   <li>a ticket: granted or standby set on its {@code ticket_state}.</li>
 * </ul>
 */
public final class StatusInjector {
    static final String ORIGIN = "crm_simulate";
    private static final String FEATURE_SET = "3.16.1";
    private static final String UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    private StatusInjector() {
    }

    public static XmlElement nodeUp(XmlElement cib, String node) {
        return withNodeState(cib, node, true, ns -> ns.withAttribute("in_ccm", "true").withAttribute("crmd", "online")
                .withAttribute("join", "member").withAttribute("expected", "member").withAttribute("crm-debug-origin", ORIGIN));
    }

    public static XmlElement nodeDown(XmlElement cib, String node) {
        return withNodeState(cib, node, true, ns -> ns.withAttribute("in_ccm", "false").withAttribute("crmd", "offline")
                .withAttribute("join", "down").withAttribute("expected", "down").withAttribute("crm-debug-origin", ORIGIN)
                .withoutChildren(c -> c.name().equals("lrm") || c.name().equals("transient_attributes")));
    }

    public static XmlElement nodeFail(XmlElement cib, String node) {
        return withNodeState(cib, node, true, ns -> ns.withAttribute("in_ccm", "false").withAttribute("crm-debug-origin", ORIGIN));
    }

    public static XmlElement quorum(XmlElement cib, boolean quorate) {
        return cib.withAttribute("have-quorum", quorate ? "1" : "0");
    }

    public static XmlElement ticket(XmlElement cib, String ticket, TicketChange change) {
        XmlElement status = status(cib);
        XmlElement tickets = status.element("tickets").orElse(XmlElement.of("tickets"));
        Optional<XmlElement> st = tickets.elements("ticket_state").stream().filter(t -> ticket.equals(t.id())).findFirst();
        XmlElement updated = st.orElse(XmlElement.of("ticket_state", "id", ticket)).withAttribute(change.attribute, change.value);
        tickets = st.isPresent() ? tickets.withChildReplaced(t -> t == st.get(), updated) : tickets.withChildAppended(updated);
        XmlElement newTickets = tickets;
        status = status.element("tickets").isPresent()
                ? status.withChildReplaced(e -> e.name().equals("tickets"), newTickets) : status.withChildAppended(newTickets);
        return withStatus(cib, status);
    }

    /**
     * Records the result of {@code spec} at {@code nowEpochS}. {@code paramDigest} is the digest of
     * the resource's parameters, recorded (as crm_simulate does) with one-shot operations other
     * than probes; null records none.
     *
     * @throws IllegalArgumentException when the resource is not in the configuration
     */
    public static XmlElement injectOp(XmlElement cib, OpSpec spec, String paramDigest, long nowEpochS) {
        // what crm_simulate knows of an injected result: no parameters, so only one-shot
        // operations other than probes carry the resource's digest
        String digest = spec.intervalMs() == 0 && !spec.task().equals("monitor") ? paramDigest : null;
        return record(cib, spec, 0, digest, nowEpochS, false);
    }

    /**
     * Records the result of an action that ran in a simulated transition ({@code crm simulate
     * --run}): expected to return {@code expectedRc} (7 for a probe of a stopped resource, 8 for a
     * promoted monitor), with the digest of the parameters it ran with. A result other than the
     * expected one is a failure, recorded and counted like an injected one.
     */
    public static XmlElement recordResult(XmlElement cib, OpSpec result, int expectedRc, String digest, long nowEpochS) {
        return record(cib, result, expectedRc, digest, nowEpochS, true);
    }

    /**
     * {@code ranInTransition}: the result of an action of a simulated transition (its failure was
     * asked for with --op-fail: "User-injected result", the failure record keeps the digest)
     * rather than an injected one ("Simulated action result", the failure record names the node
     * and resource instead).
     */
    private static XmlElement record(XmlElement cib, OpSpec spec, int expectedRc, String digest, long nowEpochS,
                                     boolean ranInTransition) {
        XmlElement primitive = primitive(cib, spec.resource().replaceAll(":\\d+$", ""))
                .orElseThrow(() -> new IllegalArgumentException("cannot inject " + spec + ": no resource '" + spec.resource()
                        + "' in the configuration (use a primitive's id, or a clone instance's as in the status)"));
        String failedRscId = instanceName(cib, spec, primitive);
        return withNodeState(cib, spec.node(), false, ns -> {
            XmlElement lrm = ns.element("lrm").orElse(XmlElement.of("lrm", "id", ns.attr("id")));
            XmlElement resources = lrm.element("lrm_resources").orElse(XmlElement.of("lrm_resources"));
            Optional<XmlElement> existing = resources.elements("lrm_resource").stream()
                    .filter(r -> spec.resource().equals(r.id())).findFirst();
            XmlElement res = existing.orElseGet(() -> newLrmResource(spec.resource(), primitive));
            int callId = 1 + res.elements("lrm_rsc_op").stream()
                    .mapToInt(o -> parseInt(o.attr("call-id"), 0)).max().orElse(0);
            boolean oneShot = spec.intervalMs() == 0;
            boolean failed = spec.rc() != expectedRc;
            boolean counted = failed && !(oneShot && spec.task().equals("monitor") && spec.rc() == 7);
            String reason = !failed ? "" : ranInTransition ? "User-injected result" : "Simulated action result";
            if (failed) {
                res = putOp(res, op(spec.resource() + "_last_failure_0", spec, expectedRc, callId, nowEpochS,
                        ranInTransition ? digest : null, counted && !ranInTransition ? ns.attr("uname") : null, failedRscId,
                        reason));
                if (oneShot) {
                    res = putOp(res, op(spec.resource() + "_last_0", spec, expectedRc, callId, nowEpochS, digest, null, null, reason));
                }
            } else {
                String id = oneShot ? spec.resource() + "_last_0" : spec.key();
                res = putOp(res, op(id, spec, expectedRc, callId, nowEpochS, digest, null, null, reason));
            }
            XmlElement newRes = res;
            resources = existing.isPresent() ? resources.withChildReplaced(r -> r == existing.get(), newRes)
                    : resources.withChildAppended(newRes);
            lrm = replaceOrAppend(lrm, "lrm_resources", resources);
            XmlElement out = replaceOrAppend(ns, "lrm", lrm);
            if (counted) {
                out = bumpFailCount(out, spec, nowEpochS);
            }
            return out;
        });
    }

    /** The fail count of the operation, plus one, and when it failed; as crm_simulate names them. */
    private static XmlElement bumpFailCount(XmlElement ns, OpSpec spec, long nowEpochS) {
        String nodeId = ns.attr("id");
        String suffix = spec.resource() + "#" + spec.task() + "_" + spec.intervalMs();
        XmlElement ta = ns.element("transient_attributes").orElse(XmlElement.of("transient_attributes", "id", nodeId));
        XmlElement ia = ta.element("instance_attributes").orElse(XmlElement.of("instance_attributes", "id", nodeId));
        String countName = "fail-count-" + suffix;
        int count = ia.elements("nvpair").stream().filter(n -> countName.equals(n.attr("name")))
                .mapToInt(n -> parseInt(n.attr("value"), 0)).findFirst().orElse(0);
        ia = setNvpair(ia, nodeId + "-fail-count-" + suffix.replace('#', '.'), countName, String.valueOf(count + 1));
        ia = setNvpair(ia, nodeId + "-last-failure-" + suffix.replace('#', '.'), "last-failure-" + suffix,
                String.valueOf(nowEpochS));
        ta = replaceOrAppend(ta, "instance_attributes", ia);
        return replaceOrAppend(ns, "transient_attributes", ta);
    }

    private static XmlElement setNvpair(XmlElement ia, String id, String name, String value) {
        Optional<XmlElement> nv = ia.elements("nvpair").stream().filter(n -> name.equals(n.attr("name"))).findFirst();
        if (nv.isPresent()) {
            return ia.withChildReplaced(n -> n == nv.get(), nv.get().withAttribute("value", value));
        }
        return ia.withChildAppended(XmlElement.of("nvpair", "id", id, "name", name, "value", value));
    }

    private static XmlElement op(String id, OpSpec spec, int expectedRc, int callId, long nowEpochS, String digest,
                                 String failedOnNode, String failedRscId, String exitReason) {
        String key = callId + ":-1:" + expectedRc + ":" + UUID;
        List<String> a = new ArrayList<>(List.of("id", id, "operation_key", spec.key(), "operation", spec.task(),
                "crm-debug-origin", ORIGIN, "crm_feature_set", FEATURE_SET, "transition-key", key,
                "transition-magic", "0:" + spec.rc() + ";" + key,
                "exit-reason", exitReason,
                "call-id", String.valueOf(callId), "rc-code", String.valueOf(spec.rc()), "op-status", "0",
                "interval", String.valueOf(spec.intervalMs()), "last-rc-change", String.valueOf(nowEpochS),
                "exec-time", "0", "queue-time", "0"));
        if (digest != null) {
            a.addAll(List.of("op-digest", digest));
        }
        if (failedOnNode != null) {
            a.addAll(List.of("uname", failedOnNode, "rsc-id", failedRscId));
        }
        return XmlElement.of("lrm_rsc_op", a.toArray(String[]::new));
    }

    private static XmlElement putOp(XmlElement res, XmlElement op) {
        boolean present = res.elements("lrm_rsc_op").stream().anyMatch(o -> op.id().equals(o.id()));
        return present ? res.withChildReplaced(o -> o.name().equals("lrm_rsc_op") && op.id().equals(o.id()), op)
                : res.withChildAppended(op);
    }

    private static XmlElement newLrmResource(String id, XmlElement primitive) {
        List<String> a = new ArrayList<>(List.of("id", id, "class", primitive.attr("class", "")));
        if (primitive.attr("provider") != null) {
            a.addAll(List.of("provider", primitive.attr("provider")));
        }
        a.addAll(List.of("type", primitive.attr("type", "")));
        return XmlElement.of("lrm_resource", a.toArray(String[]::new));
    }

    /**
     * The name a failure record gives the resource: an anonymous clone's history is kept under
     * the primitive's id, but the failure names the instance, numbered as the status lists the
     * nodes that have a history of it (the first such node's is :0).
     */
    private static String instanceName(XmlElement cib, OpSpec spec, XmlElement primitive) {
        if (spec.resource().contains(":") || !inAnonymousClone(cib, primitive)) {
            return spec.resource();
        }
        int n = 0;
        for (XmlElement ns : status(cib).elements("node_state")) {
            if (spec.node().equals(ns.attr("uname"))) {
                break;
            }
            boolean has = ns.element("lrm").flatMap(l -> l.element("lrm_resources")).stream()
                    .flatMap(r -> r.elements("lrm_resource").stream()).anyMatch(r -> spec.resource().equals(r.id()));
            n += has ? 1 : 0;
        }
        return spec.resource() + ":" + n;
    }

    private static boolean inAnonymousClone(XmlElement cib, XmlElement primitive) {
        XmlElement clone = cib.element("configuration").flatMap(c -> c.element("resources"))
                .map(r -> cloneOf(r, primitive, null)).orElse(null);
        return clone != null && clone.elements("meta_attributes").stream().flatMap(m -> m.elements("nvpair").stream())
                .noneMatch(nv -> "globally-unique".equals(nv.attr("name")) && "true".equalsIgnoreCase(nv.attr("value")));
    }

    private static XmlElement cloneOf(XmlElement e, XmlElement primitive, XmlElement clone) {
        for (XmlElement c : e.elements()) {
            if (c == primitive) {
                return clone;
            }
            XmlElement f = cloneOf(c, primitive, c.name().equals("clone") || c.name().equals("master") ? c : clone);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The configured primitive with this id, anywhere under resources (groups, clones, bundles). */
    public static Optional<XmlElement> primitive(XmlElement cib, String id) {
        return cib.element("configuration").flatMap(c -> c.element("resources")).flatMap(r -> find(r, id));
    }

    private static Optional<XmlElement> find(XmlElement e, String id) {
        for (XmlElement c : e.elements()) {
            if (c.name().equals("primitive") && id.equals(c.id())) {
                return Optional.of(c);
            }
            Optional<XmlElement> f = find(c, id);
            if (f.isPresent()) {
                return f;
            }
        }
        return Optional.empty();
    }

    /** The node's id from the nodes section (crm_simulate keys node_state by it), else its name. */
    static String nodeId(XmlElement cib, String uname) {
        return cib.element("configuration").flatMap(c -> c.element("nodes")).stream()
                .flatMap(n -> n.elements("node").stream()).filter(n -> uname.equals(n.attr("uname")))
                .map(XmlElement::id).findFirst().orElse(uname);
    }

    /**
     * Applies {@code edit} to the node's node_state, created when missing: with the membership
     * attributes when {@code membership} (a node event), bare otherwise (an operation result
     * on a node the status never mentioned, as crm_simulate does).
     */
    private static XmlElement withNodeState(XmlElement cib, String node, boolean membership, UnaryOperator<XmlElement> edit) {
        XmlElement status = status(cib);
        Optional<XmlElement> ns = status.elements("node_state").stream().filter(s -> node.equals(s.attr("uname"))).findFirst();
        XmlElement updated = edit.apply(ns.orElse(XmlElement.of("node_state", "id", nodeId(cib, node), "uname", node)));
        // a new node_state goes at the end of the status (after tickets), where crm_simulate appends it
        status = ns.isPresent() ? status.withChildReplaced(s -> s == ns.get(), updated) : status.withChildAppended(updated);
        return withStatus(cib, status);
    }

    private static XmlElement status(XmlElement cib) {
        return cib.element("status").orElse(XmlElement.of("status"));
    }

    private static XmlElement withStatus(XmlElement cib, XmlElement status) {
        return replaceOrAppend(cib, "status", status);
    }

    private static XmlElement replaceOrAppend(XmlElement parent, String name, XmlElement child) {
        return parent.element(name).isPresent() ? parent.withChildReplaced(e -> e.name().equals(name), child)
                : parent.withChildAppended(child);
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
