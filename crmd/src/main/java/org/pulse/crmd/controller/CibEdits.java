package org.pulse.crmd.controller;

import java.util.List;
import java.util.Optional;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.cib.CibVersion;
import org.pulse.cib.admin.MoveBanClear;
import org.pulse.cib.admin.NodeClearState;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;

/** Applies {@link CibEdit}s on the DC: the successor CIB (version bumped by Cib.next), or a refusal. */
final class CibEdits {
    private CibEdits() {
    }

    /** A refused edit: an {@link AdminResult} code and a message naming what and what to do. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    static Cib apply(Cib cib, CibEdit edit) throws Refused {
        XmlElement root = cib.root();
        XmlElement changed;
        if (edit instanceof CibEdit.ReplaceCib r) {
            Cib given = parseCib(r.xml());
            CibVersion v = given.version();
            if (v.adminEpoch() < cib.version().adminEpoch()
                    || (v.adminEpoch() == cib.version().adminEpoch() && v.epoch() < cib.version().epoch())) {
                throw new Refused(AdminResult.CONFLICT, "the CIB sent is based on configuration version "
                        + v.adminEpoch() + "." + v.epoch() + " but the cluster's is now " + cib.version()
                        + " (someone else changed it meanwhile); read the CIB again, redo the change and retry");
            }
            XmlElement g = given.root();
            changed = g.withChildren(root.children()).withChildReplaced(e -> e.name().equals("configuration"),
                    Cibs.configuration(g));
            changed = changed.withAttribute("have-quorum", root.attr("have-quorum"))
                    .withAttribute("dc-uuid", root.attr("dc-uuid"));
            if (v.adminEpoch() > cib.version().adminEpoch()) {
                Cib bumped = Cib.of(changed).withVersion(new CibVersion(v.adminEpoch(), v.epoch(), 0));
                return bumped;
            }
        } else if (edit instanceof CibEdit.ReplaceSection s) {
            XmlElement section = parseXml("section " + s.section(), s.xml());
            if (s.section().equals("configuration")) {
                requireName(section, "configuration");
                changed = root.withChildReplaced(e -> e.name().equals("configuration"), section);
            } else if (s.section().equals("status")) {
                throw new Refused(AdminResult.INVALID, "the status section is written by the cluster itself;"
                        + " replace a configuration section (crm_config, nodes, resources, constraints, ...)");
            } else {
                requireName(section, s.section());
                changed = Cibs.withSection(root, section);
            }
        } else if (edit instanceof CibEdit.Patch p) {
            CibDiff diff;
            try {
                diff = CibDiff.fromJson(p.diffJson());
            } catch (CibException e) {
                throw new Refused(AdminResult.INVALID, "cannot read the patch: " + e.getMessage());
            }
            CibVersion from = diff.from();
            if (from.adminEpoch() != cib.version().adminEpoch() || from.epoch() != cib.version().epoch()) {
                throw new Refused(AdminResult.CONFLICT, "the patch was made against configuration version "
                        + from + " but the cluster's is now " + cib.version()
                        + "; read the CIB again, redo the change and retry");
            }
            try {
                // Status updates move num_updates all the time; a configuration patch made against the
                // same epoch still applies.
                changed = new CibDiff(cib.version(), diff.to(), diff.changes()).apply(cib).root();
            } catch (CibException e) {
                throw new Refused(AdminResult.CONFLICT, "the patch does not apply: " + e.getMessage()
                        + "; read the CIB again and retry");
            }
        } else if (edit instanceof CibEdit.NodeAttribute a) {
            changed = nodeAttribute(root, a);
        } else if (edit instanceof CibEdit.ClusterProperty c) {
            XmlElement crmConfig = Cibs.section(root, "crm_config");
            XmlElement set = crmConfig.element("cluster_property_set")
                    .orElse(XmlElement.of("cluster_property_set", "id", "cib-bootstrap-options"));
            XmlElement newSet = Cibs.withNvpair(set, set.id() + "-" + Cibs.sanitize(c.name()), c.name(), c.value());
            changed = Cibs.withSection(root, crmConfig.withChildReplaced(
                    e -> e.name().equals("cluster_property_set"), newSet));
        } else if (edit instanceof CibEdit.ResourceMeta m) {
            changed = resourceMeta(root, m);
        } else if (edit instanceof CibEdit.Constraint k) {
            XmlElement constraints = Cibs.section(root, "constraints");
            XmlElement updated;
            if (k.xml() == null) {
                updated = constraints.withoutChildren(e -> k.id().equals(e.id()));
            } else {
                XmlElement c = parseXml("constraint " + k.id(), k.xml());
                if (!k.id().equals(c.id())) {
                    throw new Refused(AdminResult.INVALID, "the constraint XML has id '" + c.id() + "', expected '"
                            + k.id() + "'");
                }
                updated = constraints.withChildReplaced(e -> k.id().equals(e.id()), c);
            }
            changed = Cibs.withSection(root, updated);
        } else if (edit instanceof CibEdit.FailCount f) {
            changed = failCount(root, f);
        } else if (edit instanceof CibEdit.Cleanup c) {
            changed = cleanup(root, c.resourceId(), c.node());
        } else if (edit instanceof CibEdit.Move m) {
            // no lifetime: crmd's admin protocol has none (the shell writes lifetimes on files only)
            changed = MoveBanClear.apply(root, decided(() -> MoveBanClear.move(cib, m.resourceId(), m.node(), null)));
        } else if (edit instanceof CibEdit.Ban b) {
            changed = MoveBanClear.apply(root, decided(() -> MoveBanClear.ban(cib, b.resourceId(), b.node(), null)));
        } else if (edit instanceof CibEdit.Clear c) {
            changed = MoveBanClear.apply(root, MoveBanClear.clear(cib, c.resourceId()));
        } else if (edit instanceof CibEdit.Ticket t) {
            changed = ticket(root, t);
        } else if (edit instanceof CibEdit.ClearState cs) {
            changed = clearState(root, cs.node());
        } else if (edit instanceof CibEdit.Fence f) {
            // the DC fences instead of writing (DcRole); reaching here is a mistake in the dispatch
            throw new Refused(AdminResult.INVALID, "crm node fence " + f.node() + " is not a CIB change");
        } else {
            // CibEdit is sealed and every kind is handled above: a new kind must be added here too
            throw new IllegalStateException("CibEdits.apply has no rule for " + edit.getClass().getName());
        }
        return cib.next(changed);
    }

    private static XmlElement ticket(XmlElement root, CibEdit.Ticket t) throws Refused {
        if (!t.ticket().matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
            throw new Refused(AdminResult.INVALID, "'" + t.ticket() + "' is not a valid ticket name (letters, digits,"
                    + " '_', '.', '-'; a letter or '_' first)");
        }
        try {
            return org.pulse.cib.admin.TicketCommands.apply(root, t.ticket(), t.action(), t.atEpochS());
        } catch (IllegalArgumentException e) {
            throw new Refused(AdminResult.INVALID, e.getMessage());
        }
    }

    /** crm node clearstate: refused for an online or unknown node (cib's NodeClearState, as the shell on a file). */
    private static XmlElement clearState(XmlElement root, String node) throws Refused {
        Optional<NodeClearState.Refusal> refusal = NodeClearState.refusal(root, node);
        if (refusal.isPresent()) {
            throw new Refused(refusal.get().unknownNode() ? AdminResult.NOT_FOUND : AdminResult.REFUSED,
                    refusal.get().message());
        }
        return Planner.markDown(root, node);
    }

    private interface Decision {
        List<MoveBanClear.ConstraintChange> decide() throws MoveBanClear.Refused;
    }

    /** A move or ban decided by the shared rule (cib's MoveBanClear); its refusals answer as not-found. */
    private static List<MoveBanClear.ConstraintChange> decided(Decision d) throws Refused {
        try {
            return d.decide();
        } catch (MoveBanClear.Refused e) {
            throw new Refused(AdminResult.NOT_FOUND, e.getMessage());
        }
    }

    private static Cib parseCib(String xml) throws Refused {
        try {
            return Cib.parse("the CIB sent", xml);
        } catch (CibException e) {
            throw new Refused(AdminResult.INVALID, e.getMessage());
        }
    }

    private static XmlElement parseXml(String what, String xml) throws Refused {
        try {
            return XmlParser.parse(what, xml);
        } catch (XmlParseException e) {
            throw new Refused(AdminResult.INVALID, e.getMessage());
        }
    }

    private static void requireName(XmlElement e, String name) throws Refused {
        if (!e.name().equals(name)) {
            throw new Refused(AdminResult.INVALID, "the XML sent for section " + name + " has root <" + e.name()
                    + ">; send <" + name + "> with its content");
        }
    }

    private static XmlElement nodeAttribute(XmlElement root, CibEdit.NodeAttribute a) throws Refused {
        if (a.transientAttribute()) {
            return Cibs.updateNodeState(root, a.node(),
                    ns -> Cibs.withTransientAttribute(ns, a.node(), a.name(), a.value()));
        }
        XmlElement nodes = Cibs.section(root, "nodes");
        Optional<XmlElement> node = nodes.elements("node").stream()
                .filter(n -> a.node().equals(n.attr("uname", n.id()))).findFirst();
        if (node.isEmpty()) {
            throw new Refused(AdminResult.INVALID, "no node named '" + a.node() + "' in the CIB's nodes section;"
                    + " known: " + Cibs.configuredNodes(Cib.of(root)));
        }
        XmlElement n = node.get();
        XmlElement set = n.element("instance_attributes").orElse(XmlElement.of("instance_attributes", "id",
                "nodes-" + n.id()));
        XmlElement newSet = Cibs.withNvpair(set, set.id() + "-" + Cibs.sanitize(a.name()), a.name(), a.value());
        XmlElement newNode = n.withChildReplaced(e -> e.name().equals("instance_attributes"), newSet);
        return Cibs.withSection(root, nodes.withChildReplaced(e -> e == n, newNode));
    }

    private static XmlElement resourceMeta(XmlElement root, CibEdit.ResourceMeta m) throws Refused {
        XmlElement resources = Cibs.section(root, "resources");
        XmlElement updated = withMeta(resources, m);
        if (updated == null) {
            throw new Refused(AdminResult.INVALID, "no resource with id '" + m.resourceId()
                    + "' in the configuration; see crm configure show");
        }
        return Cibs.withSection(root, updated);
    }

    private static XmlElement withMeta(XmlElement parent, CibEdit.ResourceMeta m) {
        for (XmlElement e : parent.elements()) {
            boolean isResource = switch (e.name()) {
                case "primitive", "group", "clone", "master", "bundle" -> true;
                default -> false;
            };
            if (isResource && m.resourceId().equals(e.id())) {
                XmlElement set = e.element("meta_attributes").orElse(XmlElement.of("meta_attributes", "id",
                        e.id() + "-meta_attributes"));
                XmlElement newSet = Cibs.withNvpair(set, set.id() + "-" + Cibs.sanitize(m.name()), m.name(), m.value());
                return parent.withChildReplaced(x -> x == e, e.withChildReplaced(
                        x -> x.name().equals("meta_attributes"), newSet));
            }
            if (isResource) {
                XmlElement inner = withMeta(e, m);
                if (inner != null) {
                    return parent.withChildReplaced(x -> x == e, inner);
                }
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern FAIL_COUNT = java.util.regex.Pattern.compile(
            "[0-9]+|INFINITY|\\+INFINITY", java.util.regex.Pattern.CASE_INSENSITIVE);

    private static XmlElement failCount(XmlElement root, CibEdit.FailCount f) throws Refused {
        if (!FAIL_COUNT.matcher(f.value()).matches()) {
            throw new Refused(AdminResult.INVALID, "fail count '" + f.value() + "' for " + f.resourceId() + " on "
                    + f.node() + " is not a count; give a whole number (0 clears it) or INFINITY");
        }
        if (!Cibs.configuredNodes(Cib.of(root)).contains(f.node()) && Cibs.nodeState(root, f.node()).isEmpty()) {
            throw new Refused(AdminResult.INVALID, "no node named '" + f.node() + "' in the CIB; known: "
                    + Cibs.configuredNodes(Cib.of(root)));
        }
        if (!hasResource(Cibs.section(root, "resources"), f.resourceId())) {
            throw new Refused(AdminResult.INVALID, "no resource with id '" + f.resourceId()
                    + "' in the configuration; see crm configure show");
        }
        boolean clear = f.value().matches("0+");
        return Cibs.updateNodeState(root, f.node(), s -> {
            XmlElement updated = s;
            for (String attr : Cibs.transientAttributes(s).keySet()) {
                // fail-count-RSC#op_interval entries go: the policy engine sums every entry of RSC.
                if (attr.startsWith("fail-count-") && isFailureOf(attr, f.resourceId())) {
                    updated = Cibs.withTransientAttribute(updated, f.node(), attr, null);
                }
            }
            // The form the policy engine reads for this CIB's feature set (the DC stamps its own, 3.0.13 and
            // later: per operation); the whole count is set on the start, whose failures it stands for.
            String name = org.pulse.policy.PolicyEngine.failCountsPerOperation(root.attr("crm_feature_set"))
                    ? "fail-count-" + f.resourceId() + "#start_0" : "fail-count-" + f.resourceId();
            return Cibs.withTransientAttribute(updated, f.node(), name,
                    clear ? null : f.value().toUpperCase(java.util.Locale.ROOT).replace("+", ""));
        });
    }

    private static boolean hasResource(XmlElement parent, String id) {
        for (XmlElement e : parent.elements()) {
            boolean isResource = switch (e.name()) {
                case "primitive", "group", "clone", "master", "bundle" -> true;
                default -> false;
            };
            if (isResource && (id.equals(e.id()) || hasResource(e, id))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a transient attribute is a fail count or last-failure time of the resource (null:
     * of any): fail-count-RSC or fail-count-RSC#op_interval, likewise last-failure-.
     */
    static boolean isFailureOf(String attr, String resourceId) {
        String rest;
        if (attr.startsWith("fail-count-")) {
            rest = attr.substring("fail-count-".length());
        } else if (attr.startsWith("last-failure-")) {
            rest = attr.substring("last-failure-".length());
        } else {
            return false;
        }
        return resourceId == null || rest.equals(resourceId) || rest.startsWith(resourceId + "#");
    }

    /** Removes the resource's fail counts (not its history), on one node or all. */
    static XmlElement clearFailures(XmlElement root, String resourceId, String node) {
        XmlElement out = root;
        for (XmlElement ns : Cibs.nodeStates(root)) {
            String name = ns.attr("uname", ns.id());
            if (node != null && !node.isEmpty() && !node.equals(name)) {
                continue;
            }
            out = Cibs.updateNodeState(out, name, s -> {
                XmlElement updated = s;
                for (String attr : Cibs.transientAttributes(s).keySet()) {
                    if (isFailureOf(attr, resourceId)) {
                        updated = Cibs.withTransientAttribute(updated, name, attr, null);
                    }
                }
                return updated;
            });
        }
        return out;
    }

    /** Removes the resource's history and fail counts, on one node or all. */
    static XmlElement cleanup(XmlElement root, String resourceId, String node) {
        XmlElement out = root;
        for (XmlElement ns : Cibs.nodeStates(root)) {
            String name = ns.attr("uname", ns.id());
            if (node != null && !node.equals(name)) {
                continue;
            }
            out = Cibs.updateNodeState(out, name, s -> {
                XmlElement lrm = Cibs.lrmOf(s, name);
                XmlElement lr = lrm.element("lrm_resources").orElse(XmlElement.of("lrm_resources"));
                XmlElement newLr = lr.withoutChildren(e -> e.name().equals("lrm_resource")
                        && (resourceId == null || resourceId.equals(e.id())));
                XmlElement updated = s.element("lrm").isPresent()
                        ? Cibs.withLrm(s, lrm.withChildReplaced(e -> e.name().equals("lrm_resources"), newLr)) : s;
                for (String attr : Cibs.transientAttributes(s).keySet()) {
                    if (isFailureOf(attr, resourceId)) {
                        updated = Cibs.withTransientAttribute(updated, name, attr, null);
                    }
                }
                return updated;
            });
        }
        return out;
    }
}
