package org.pulse.policy.simulate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.inject.OpSpec;
import org.pulse.cib.inject.StatusInjector;
import org.pulse.cib.inject.TicketChange;
import org.pulse.cib.model.IsoDates;
import org.pulse.cib.model.Scores;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.policy.Action;
import org.pulse.policy.Explanation;
import org.pulse.policy.NodeSummary;
import org.pulse.policy.ParamDigest;
import org.pulse.policy.Placement;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * {@code crm simulate} as a pure function: a CIB, the options and the time in; the text it prints
 * and the documents it saves out. The shell runs it in its own process on a file; crmd's resident
 * scheduler runs the very same function on a file's contents or on the live CIB, so the two print
 * the same bytes (tests compare them).
 *
 * <p>Order, as crm_simulate: the decision time (--set-datetime, else the CIB's execution-date,
 * else {@code now}); the what-if changes ({@link StatusInjector}: quorum, nodes up, down, failed,
 * tickets, then operation results, dated at the decision time so a saved input decides the same
 * later); scheduling; with --run the transition carried out ({@link TransitionRun}) and the state
 * it leaves scheduled again for the "Revised" view.
 */
public final class Simulation {
    /**
     * Two small CIBs (3 nodes x 30 resources, made by ../shared/bench/gen_cib.py: one never
     * probed, one with a full history) that walk most of the scheduler's code: what a warm-up
     * schedules so the JIT has compiled it before a real request arrives.
     */
    private static final List<String> WARM_UP = List.of("probes-none-3x30.xml", "history-3x30.xml");

    private Simulation() {
    }

    /** The warm-up CIBs' XML, name first ({@link #WARM_UP}); empty when the resources are missing. */
    public static Map<String, String> warmUpCibs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : WARM_UP) {
            try (java.io.InputStream in = Simulation.class.getResourceAsStream("warm-up/" + name)) {
                if (in == null) {
                    return Map.of();
                }
                out.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return Map.of();
            }
        }
        return out;
    }

    /** Runs the simulation on {@code root} (a {@code <cib>}); {@code now} decides when the CIB names no time. */
    public static SimulationResult run(XmlElement root, SimulateOptions o, Instant now) throws SimulationException {
        if (!"cib".equals(root.name())) {
            throw new SimulationException("simulate: the document's root is <" + root.name() + ">, expected <cib>");
        }
        Instant at = decisionTime(root, o, now);
        if (o.setDatetime() != null) {
            root = root.withAttribute("execution-date", Long.toString(at.getEpochSecond()));
        }
        XmlElement unmodified = root;
        List<String> changes = new ArrayList<>();
        root = whatIf(root, o, at.getEpochSecond(), changes);
        if (!o.run() && !o.opFail().isEmpty()) {
            throw new SimulationException("simulate: --op-fail acts on a transition being carried out: add --run");
        }
        List<OpSpec> opFails = opSpecs(o.opFail(), "--op-fail");
        String inputXml = o.wantInput() ? XmlWriter.toDocument(root) : null;
        Transition t = PolicyEngine.schedule(root, at);
        String graphXml = null;
        if (o.wantGraph()) {
            ByteArrayOutputStream g = new ByteArrayOutputStream(64 * 1024);
            try {
                t.writeGraphXml(g);
            } catch (IOException e) {
                throw new IllegalStateException("writing the graph to memory failed", e);
            }
            graphXml = g.toString(StandardCharsets.UTF_8);
        }
        TransitionRun.Result ran = o.run() ? TransitionRun.apply(root, t, opFails, at.getEpochSecond()) : null;
        String outputXml = !o.wantOutput() ? null : XmlWriter.toDocument(ran != null ? ran.cib() : root);
        if (o.quiet()) {
            return new SimulationResult("", inputXml, outputXml, graphXml, t.actions().size());
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream(8 * 1024);
        PrintStream out = new PrintStream(text, false, StandardCharsets.UTF_8);
        // "Current" is the CIB as given, before the what-if changes, as crm_simulate shows it: scheduled
        // once more only when there are changes (the status view comes from a scheduling run).
        Transition current = changes.isEmpty() ? t : PolicyEngine.schedule(unmodified, at);
        render(out, root, o, current, changes, t, ran, at);
        out.flush();
        return new SimulationResult(text.toString(StandardCharsets.UTF_8), inputXml, outputXml, graphXml,
                t.actions().size());
    }

    private static void render(PrintStream out, XmlElement root, SimulateOptions o, Transition current,
            List<String> changes, Transition t, TransitionRun.Result ran, Instant at) {
        if (o.canonical()) {
            out.print(t.canonical());
            return;
        }
        out.println("Current cluster status:");
        nodes(out, current, false);
        placements(out, current.placementBefore());
        if (o.showFailcounts()) {
            failCounts(out, root);
        }
        if (!changes.isEmpty()) {
            out.println();
            out.println("Performing Requested Modifications:");
            for (String c : changes) {
                out.println("  * " + c);
            }
        }
        if (o.showUtilization()) {
            utilization(out, root, t, "Original", false);
        }
        if (o.showScores()) {
            scores(out, t);
        }
        if (o.showUtilization()) {
            utilization(out, root, t, "Remaining", true);
        }
        out.println();
        // one line per resource (and fencing, shutdown) in crm_simulate's words and order
        out.println("Transition Summary:");
        for (String l : SummaryText.lines(t.summary())) {
            out.println(l);
        }
        if (ran == null) {
            // as crm_simulate: the transition is carried out, and the state it leaves shown, only with -S
            return;
        }
        out.println();
        out.println("Executing Cluster Transition:");
        for (String l : ran.executed()) {
            out.println("  * " + l);
        }
        for (String f : ran.failed()) {
            out.println("  * Failed: " + f + " (the transition stops here)");
        }
        out.println();
        Transition after = PolicyEngine.schedule(ran.cib(), at);
        out.println("Revised Cluster Status:");
        nodes(out, after, false);
        placements(out, after.placementBefore());
    }

    /**
     * crm_simulate's order: quorum, nodes up, down, failed, tickets, then operation results; each change
     * is also said in {@code changes}, for the "Performing requested modifications" list.
     */
    private static XmlElement whatIf(XmlElement root, SimulateOptions o, long nowEpochS, List<String> changes)
            throws SimulationException {
        String quorum = o.quorum();
        if (quorum != null) {
            boolean has = switch (quorum.toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "yes" -> true;
                case "0", "false", "no" -> false;
                default -> throw new SimulationException("simulate: --quorum takes 1 or 0 (true or false), not '" + quorum + "'");
            };
            root = StatusInjector.quorum(root, has);
            changes.add("Setting quorum: " + (has ? "true" : "false"));
        }
        for (String n : o.nodeUp()) {
            root = StatusInjector.nodeUp(root, knownNode(root, n, "--node-up"));
            changes.add("Bringing node " + n + " online");
        }
        for (String n : o.nodeDown()) {
            root = StatusInjector.nodeDown(root, knownNode(root, n, "--node-down"));
            changes.add("Taking node " + n + " offline");
        }
        for (String n : o.nodeFail()) {
            root = StatusInjector.nodeFail(root, knownNode(root, n, "--node-fail"));
            changes.add("Failing node " + n);
        }
        for (String tk : o.ticketGrant()) {
            root = StatusInjector.ticket(root, tk, TicketChange.GRANT);
            changes.add("Granting ticket " + tk);
        }
        for (String tk : o.ticketRevoke()) {
            root = StatusInjector.ticket(root, tk, TicketChange.REVOKE);
            changes.add("Revoking ticket " + tk);
        }
        for (String tk : o.ticketStandby()) {
            root = StatusInjector.ticket(root, tk, TicketChange.STANDBY);
            changes.add("Making ticket " + tk + " standby");
        }
        for (String tk : o.ticketActivate()) {
            root = StatusInjector.ticket(root, tk, TicketChange.ACTIVATE);
            changes.add("Activating ticket " + tk);
        }
        for (OpSpec spec : opSpecs(o.opInject(), "--op-inject")) {
            changes.add("Injecting " + spec + " into the status");
            String base = spec.resource().replaceAll(":\\d+$", "");
            XmlElement prim = StatusInjector.primitive(root, base).orElseThrow(() -> new SimulationException("simulate: --op-inject "
                    + spec + ": no resource '" + spec.resource() + "' in the configuration; name a primitive (crm configure show)"));
            root = StatusInjector.injectOp(root, spec, ParamDigest.of(instanceAttributes(prim)), nowEpochS);
        }
        return root;
    }

    private static List<OpSpec> opSpecs(List<String> texts, String option) throws SimulationException {
        List<OpSpec> specs = new ArrayList<>();
        for (String s : texts) {
            try {
                specs.add(OpSpec.parse(s));
            } catch (IllegalArgumentException e) {
                throw new SimulationException("simulate: " + option + " " + e.getMessage());
            }
        }
        return specs;
    }

    /** A node the CIB knows (nodes section or status); anything else is a typo worth stopping for. */
    private static String knownNode(XmlElement root, String node, String option) throws SimulationException {
        boolean inNodes = root.element("configuration").flatMap(c -> c.element("nodes")).stream()
                .flatMap(n -> n.elements("node").stream()).anyMatch(n -> node.equals(n.attr("uname")));
        boolean inStatus = root.element("status").stream().flatMap(s -> s.elements("node_state").stream())
                .anyMatch(n -> node.equals(n.attr("uname")));
        if (!inNodes && !inStatus) {
            throw new SimulationException("simulate: " + option + " " + node + ": no such node in the CIB (see its nodes section)");
        }
        return node;
    }

    /** The primitive's plain parameters (its first instance_attributes sets, rules aside): what its digest covers. */
    private static Map<String, String> instanceAttributes(XmlElement prim) {
        Map<String, String> p = new LinkedHashMap<>();
        for (XmlElement ia : prim.elements("instance_attributes")) {
            if (ia.element("rule").isPresent()) {
                continue;
            }
            for (XmlElement nv : ia.elements("nvpair")) {
                p.putIfAbsent(nv.attr("name"), nv.attr("value", ""));
            }
        }
        return p;
    }

    private static Instant decisionTime(XmlElement root, SimulateOptions o, Instant now) throws SimulationException {
        if (o.setDatetime() != null) {
            return parseDateTime(o.setDatetime());
        }
        String ed = root.attr("execution-date");
        if (ed != null) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(ed.trim()));
            } catch (NumberFormatException e) {
                // the engine reports a bad execution-date; decide now
            }
        }
        return now;
    }

    /**
     * ISO 8601 as crm_simulate takes it, read by the one date grammar of rules ({@link IsoDates}): a
     * date, or a date and time (space or T), UTC unless an offset is given.
     */
    public static Instant parseDateTime(String text) throws SimulationException {
        IsoDates.Reading date = IsoDates.read(text);
        if (date.instant() == null) {
            throw new SimulationException("simulate: --set-datetime '" + text + "' is not an ISO 8601 date and time ("
                    + date.problem() + "); use e.g. 2024-03-01T12:00:00Z or 2024-03-01");
        }
        return date.instant();
    }

    /** crm_simulate -s: every resource's total on every node (Pacemaker's own words for the line). */
    private static void scores(PrintStream out, Transition t) {
        for (String id : t.explanations().resourceIds()) {
            Explanation e = t.explanations().explain(id);
            for (Map.Entry<String, Integer> n : e.totals().entrySet()) {
                out.println("pcmk__primitive_assign: " + id + " allocation score on " + n.getKey() + ": "
                        + Scores.format(n.getValue()));
            }
        }
    }

    /** crm_simulate -c: the fail counts the status records, per node and resource. */
    private static void failCounts(PrintStream out, XmlElement root) {
        out.println("  * Migration Summary:");
        for (XmlElement ns : root.element("status").stream().flatMap(s -> s.elements("node_state").stream()).toList()) {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (XmlElement ta : ns.elements("transient_attributes")) {
                for (XmlElement ia : ta.elements("instance_attributes")) {
                    for (XmlElement nv : ia.elements("nvpair")) {
                        String name = nv.attr("name", "");
                        if (name.startsWith("fail-count-")) {
                            String rsc = name.substring("fail-count-".length()).replaceAll("#.*$", "");
                            counts.merge(rsc, Scores.parse(nv.attr("value", "0"), 0), Scores::add);
                        }
                    }
                }
            }
            if (counts.isEmpty()) {
                continue;
            }
            out.println("    * Node: " + ns.attr("uname") + ":");
            counts.forEach((r, c) -> out.println("      * " + r + ": fail-count=" + Scores.format(c)));
        }
    }

    /**
     * crm_simulate -U: each node's capacity ("Original"), and after placement what is left
     * ("Remaining": capacity minus the utilization of what runs there after the transition).
     */
    private static void utilization(PrintStream out, XmlElement root, Transition t, String label, boolean remaining) {
        Map<String, Map<String, Integer>> capacity = new LinkedHashMap<>();
        root.element("configuration").flatMap(c -> c.element("nodes")).stream().flatMap(n -> n.elements("node").stream())
                .forEach(n -> capacity.put(n.attr("uname"), utilizationOf(n)));
        if (remaining) {
            for (Placement p : t.placementAfter()) {
                String base = p.resource().replaceAll(":\\d+$", "");
                Map<String, Integer> use = StatusInjector.primitive(root, base).map(Simulation::utilizationOf).orElse(Map.of());
                for (String node : p.nodes()) {
                    Map<String, Integer> cap = capacity.get(node);
                    if (cap == null || use.isEmpty()) {
                        continue;
                    }
                    out.println("pcmk__finalize_assignment: " + p.resource() + " utilization on " + node + ": " + words(use));
                    use.forEach((k, v) -> cap.computeIfPresent(k, (kk, c) -> c - v));
                }
            }
        }
        capacity.forEach((n, cap) -> out.println(label + ": " + n + " capacity: " + words(cap)));
    }

    private static Map<String, Integer> utilizationOf(XmlElement e) {
        Map<String, Integer> u = new LinkedHashMap<>();
        for (XmlElement ut : e.elements("utilization")) {
            for (XmlElement nv : ut.elements("nvpair")) {
                try {
                    u.put(nv.attr("name"), Integer.parseInt(nv.attr("value", "0").trim()));
                } catch (NumberFormatException ignored) {
                    // Pacemaker takes only integers; a word is no capacity
                }
            }
        }
        return u;
    }

    private static String words(Map<String, Integer> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static void nodes(PrintStream out, Transition t, boolean after) {
        out.println("  * Node List:");
        for (NodeSummary n : t.nodes()) {
            String st = after ? n.stateAfter() : n.state();
            out.println("    * Node " + n.name() + ": " + st
                    + (!after && n.reason() != null && "unclean".equals(st) ? " (" + n.reason() + ")" : ""));
        }
    }

    private static void placements(PrintStream out, List<Placement> ps) {
        out.println("  * Resources:");
        for (Placement p : ps) {
            StringBuilder sb = new StringBuilder("    * " + p.resource() + ": ");
            if (p.nodes().isEmpty()) {
                sb.append("Stopped");
            } else {
                sb.append(p.role()).append(' ').append(String.join(" ", p.nodes()));
            }
            if (p.failed()) {
                sb.append(" FAILED");
            }
            if (p.blocked()) {
                sb.append(" (blocked)");
            } else if (p.unmanaged()) {
                sb.append(" (unmanaged)");
            }
            if (p.orphaned()) {
                sb.append(" (orphaned)");
            }
            out.println(sb);
        }
    }

    public static String describe(Action a) {
        switch (a.operation()) {
            case "stonith":
                return "Fence (" + a.params().getOrDefault("CRM_meta_stonith_action", "reboot") + ") " + a.node();
            case "do_shutdown":
                return "Shut down " + a.node();
            case "monitor":
                return a.intervalMs() == 0 ? "Probe " + a.resource() + " on " + a.node()
                        : "Monitor " + a.resource() + " every " + a.intervalMs() + "ms on " + a.node();
            default:
                return Character.toUpperCase(a.operation().charAt(0)) + a.operation().substring(1) + " "
                        + (a.resource() == null ? "" : a.resource() + " on ") + a.node();
        }
    }
}
