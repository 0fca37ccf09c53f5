package org.pulse.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pulse.cib.inject.OpSpec;
import org.pulse.cib.inject.StatusInjector;
import org.pulse.cib.inject.TicketChange;
import org.pulse.cib.model.Scores;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.Action;
import org.pulse.policy.Explanation;
import org.pulse.policy.ParamDigest;
import org.pulse.policy.NodeSummary;
import org.pulse.policy.Placement;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crm simulate}: run the scheduler on a CIB file and show what it would do — the
 * current state, the transition, the state after it (like {@code crm_simulate -S}), or exactly
 * the canonical form with {@code --canonical}; {@code --save-graph FILE} writes the graph XML;
 * {@code -Q} prints nothing (the scheduling alone, as {@code crm_simulate -R -Q -G FILE}).
 *
 * <p>What-if, with crm_simulate's options and meanings: nodes coming up, leaving or failing,
 * operation results injected into the history, tickets, quorum, another date (applied to the
 * status in that order, by {@link StatusInjector}, before scheduling); {@code --run} carries the
 * transition out ({@link TransitionRun}) with {@code --op-fail} results, and shows and saves the
 * state it leaves. Injected results are dated at the decision time (--set-datetime, else the
 * CIB's execution-date, else now), so a saved input decides the same later.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the policy engine on the CIB file (--cib-file or $CIB_file) and show the transition it "
                + "decides; with crm_simulate's what-if options, on the CIB as they change it.",
        footer = {"", "OPSPEC is crm_simulate's RESOURCE_TASK_INTERVALMS@NODE=RC, e.g. vip_monitor_10000@node1=7 "
                + "(RC an OCF exit code: 7 not running, 1 generic error).",
                "Example: crm --cib-file cib.xml simulate --op-inject vip_monitor_10000@node1=7 --op-fail vip_stop_0@node1=1 --run"})
final class SimulateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Crm crm;

    @Option(names = "--canonical", description = "Print exactly the canonical form (sorted actions, then placement:"
            + " the state once every action succeeded, also with --op-fail; see --save-output for what the run left).")
    boolean canonical;

    @Option(names = {"-Q", "--quiet"}, description = "Print nothing but errors (as crm_simulate -Q); with"
            + " --save-graph, only the graph is written.")
    boolean quiet;

    @Option(names = {"-S", "--run", "--simulate"}, description = "Carry the transition out on the CIB (as crm_simulate -S)"
            + " and show the state it leaves.")
    boolean run;

    @Option(names = {"-u", "--node-up"}, paramLabel = "NODE", description = "Bring NODE online first.")
    List<String> nodeUp = new ArrayList<>();

    @Option(names = {"-d", "--node-down"}, paramLabel = "NODE", description = "Take NODE offline cleanly first.")
    List<String> nodeDown = new ArrayList<>();

    @Option(names = {"-f", "--node-fail"}, paramLabel = "NODE", description = "Make NODE fail (it is then unclean and fenced).")
    List<String> nodeFail = new ArrayList<>();

    @Option(names = {"-i", "--op-inject"}, paramLabel = "OPSPEC", description = "Record this operation result in the"
            + " history first (a failure counts towards migration-threshold).")
    List<String> opInject = new ArrayList<>();

    @Option(names = {"-F", "--op-fail"}, paramLabel = "OPSPEC", description = "With --run: when this action runs, it"
            + " returns RC; the transition stops there.")
    List<String> opFail = new ArrayList<>();

    @Option(names = {"-t", "--set-datetime"}, paramLabel = "DATETIME", description = "Decide at this time (ISO 8601,"
            + " e.g. 2024-03-01T12:00:00Z) instead of the CIB's execution-date or now.")
    String setDatetime;

    @Option(names = {"-q", "--quorum"}, paramLabel = "QUORUM", description = "1/true: the cluster has quorum; 0/false: it has not.")
    String quorum;

    @Option(names = {"-g", "--ticket-grant"}, paramLabel = "TICKET", description = "Grant TICKET first.")
    List<String> ticketGrant = new ArrayList<>();

    @Option(names = {"-r", "--ticket-revoke"}, paramLabel = "TICKET", description = "Revoke TICKET first.")
    List<String> ticketRevoke = new ArrayList<>();

    @Option(names = {"-b", "--ticket-standby"}, paramLabel = "TICKET", description = "Put TICKET in standby first.")
    List<String> ticketStandby = new ArrayList<>();

    @Option(names = {"-e", "--ticket-activate"}, paramLabel = "TICKET", description = "Activate TICKET (out of standby) first.")
    List<String> ticketActivate = new ArrayList<>();

    @Option(names = {"-s", "--show-scores"}, description = "Show each resource's placement score on each node.")
    boolean showScores;

    @Option(names = {"-U", "--show-utilization"}, description = "Show node capacities, what resources use, and what remains.")
    boolean showUtilization;

    @Option(names = {"-c", "--show-failcounts"}, description = "Show fail counts per node and resource.")
    boolean showFailcounts;

    @Option(names = {"-I", "--save-input"}, paramLabel = "FILE", description = "Write the CIB as decided (after the what-if"
            + " changes) to FILE.")
    Path saveInput;

    @Option(names = {"-O", "--save-output"}, paramLabel = "FILE", description = "Write the CIB --run leaves to FILE"
            + " (without --run: the CIB as decided).")
    Path saveOutput;

    @Option(names = {"-G", "--save-graph"}, paramLabel = "FILE", description = "Write the transition graph as XML to FILE.")
    Path saveGraph;

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        PrintStream err = crm.stderr;
        try {
            return simulate(out);
        } catch (CrmException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private int simulate(PrintStream out) throws CrmException {
        XmlElement root = readOffline(crm);
        Instant at = decisionTime(root);
        if (setDatetime != null) {
            root = root.withAttribute("execution-date", Long.toString(at.getEpochSecond()));
        }
        root = whatIf(root, at.getEpochSecond());
        save(saveInput, root, "the input");
        SchedulerWarmUp warmUp = crm.warmUp;   // started by readOffline
        Transition t;
        try {
            t = PolicyEngine.schedule(root, at);
        } finally {
            warmUp.stop();
        }
        if (saveGraph != null) {
            try (java.io.OutputStream o = Files.newOutputStream(saveGraph)) {
                t.writeGraphXml(o);
            } catch (IOException e) {
                throw new CrmException("simulate: cannot write the graph to " + saveGraph + ": " + e.getMessage());
            }
        }
        TransitionRun.Result ran = null;
        if (run) {
            ran = TransitionRun.apply(root, t, opSpecs(opFail, "--op-fail"), at.getEpochSecond());
            save(saveOutput, ran.cib(), "the output");
        } else {
            if (!opFail.isEmpty()) {
                throw new CrmException("simulate: --op-fail acts on a transition being carried out: add --run");
            }
            save(saveOutput, root, "the output");
        }
        if (quiet) {
            return 0;
        }
        if (canonical) {
            out.print(t.canonical());
            return 0;
        }
        out.println("Current cluster status:");
        nodes(out, t, false);
        placements(out, t.placementBefore());
        if (showFailcounts) {
            failCounts(out, root);
        }
        if (showUtilization) {
            utilization(out, root, t, "Original", false);
        }
        if (showScores) {
            scores(out, t);
        }
        if (showUtilization) {
            utilization(out, root, t, "Remaining", true);
        }
        out.println();
        out.println("Transition summary (" + t.actions().size() + " actions):");
        List<String> lines = new ArrayList<>();
        for (Action a : t.actions()) {
            if (!a.pseudo()) {
                lines.add("  " + describe(a));
            }
        }
        lines.sort(null);
        for (String l : lines) {
            out.println(l);
        }
        if (lines.isEmpty()) {
            out.println("  (nothing to do)");
        }
        out.println();
        if (ran != null) {
            out.println("Executing cluster transition:");
            for (String l : ran.executed()) {
                out.println("  * " + l);
            }
            for (String f : ran.failed()) {
                out.println("  * Failed: " + f + " (the transition stops here)");
            }
            out.println();
            Transition after = PolicyEngine.schedule(ran.cib(), at);
            out.println("Revised cluster status:");
            nodes(out, after, false);
            placements(out, after.placementBefore());
            return 0;
        }
        out.println("Revised cluster status:");
        nodes(out, t, true);
        placements(out, t.placementAfter());
        return 0;
    }

    /** crm_simulate's order: quorum, nodes up, down, failed, tickets, then operation results. */
    private XmlElement whatIf(XmlElement root, long nowEpochS) throws CrmException {
        if (quorum != null) {
            root = StatusInjector.quorum(root, switch (quorum.toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "yes" -> true;
                case "0", "false", "no" -> false;
                default -> throw new CrmException("simulate: --quorum takes 1 or 0 (true or false), not '" + quorum + "'");
            });
        }
        for (String n : nodeUp) {
            root = StatusInjector.nodeUp(root, knownNode(root, n, "--node-up"));
        }
        for (String n : nodeDown) {
            root = StatusInjector.nodeDown(root, knownNode(root, n, "--node-down"));
        }
        for (String n : nodeFail) {
            root = StatusInjector.nodeFail(root, knownNode(root, n, "--node-fail"));
        }
        for (String tk : ticketGrant) {
            root = StatusInjector.ticket(root, tk, TicketChange.GRANT);
        }
        for (String tk : ticketRevoke) {
            root = StatusInjector.ticket(root, tk, TicketChange.REVOKE);
        }
        for (String tk : ticketStandby) {
            root = StatusInjector.ticket(root, tk, TicketChange.STANDBY);
        }
        for (String tk : ticketActivate) {
            root = StatusInjector.ticket(root, tk, TicketChange.ACTIVATE);
        }
        for (OpSpec spec : opSpecs(opInject, "--op-inject")) {
            String base = spec.resource().replaceAll(":\\d+$", "");
            XmlElement prim = StatusInjector.primitive(root, base).orElseThrow(() -> new CrmException("simulate: --op-inject "
                    + spec + ": no resource '" + spec.resource() + "' in the configuration; name a primitive (crm configure show)"));
            root = StatusInjector.injectOp(root, spec, ParamDigest.of(instanceAttributes(prim)), nowEpochS);
        }
        return root;
    }

    private static List<OpSpec> opSpecs(List<String> texts, String option) throws CrmException {
        List<OpSpec> specs = new ArrayList<>();
        for (String s : texts) {
            try {
                specs.add(OpSpec.parse(s));
            } catch (IllegalArgumentException e) {
                throw new CrmException("simulate: " + option + " " + e.getMessage());
            }
        }
        return specs;
    }

    /** A node the CIB knows (nodes section or status); anything else is a typo worth stopping for. */
    private static String knownNode(XmlElement root, String node, String option) throws CrmException {
        boolean inNodes = root.element("configuration").flatMap(c -> c.element("nodes")).stream()
                .flatMap(n -> n.elements("node").stream()).anyMatch(n -> node.equals(n.attr("uname")));
        boolean inStatus = root.element("status").stream().flatMap(s -> s.elements("node_state").stream())
                .anyMatch(n -> node.equals(n.attr("uname")));
        if (!inNodes && !inStatus) {
            throw new CrmException("simulate: " + option + " " + node + ": no such node in the CIB (see its nodes section)");
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

    private Instant decisionTime(XmlElement root) throws CrmException {
        if (setDatetime != null) {
            return parseDateTime(setDatetime);
        }
        String ed = root.attr("execution-date");
        if (ed != null) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(ed.trim()));
            } catch (NumberFormatException e) {
                // the engine reports a bad execution-date; decide now
            }
        }
        return crm.clock.instant();
    }

    /** ISO 8601 as crm_simulate takes it: a date, or a date and time (space or T), UTC unless an offset is given. */
    static Instant parseDateTime(String text) throws CrmException {
        String s = text.trim().replace(' ', 'T');
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            if (s.matches(".*(Z|[+-]\\d{2}:?\\d{2})$")) {
                return java.time.OffsetDateTime.parse(s.replaceAll("([+-]\\d{2})(\\d{2})$", "$1:$2")).toInstant();
            }
            return java.time.LocalDateTime.parse(s).toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CrmException("simulate: --set-datetime '" + text + "' is not an ISO 8601 date and time;"
                    + " use e.g. 2024-03-01T12:00:00Z or 2024-03-01");
        }
    }

    private static void save(Path file, XmlElement root, String what) throws CrmException {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(file, XmlWriter.toDocument(root));
        } catch (IOException e) {
            throw new CrmException("simulate: cannot write " + what + " to " + file + ": " + e.getMessage());
        }
    }

    /** Reads the offline CIB and schedules it at its execution-date, else now. */
    static Transition scheduleOffline(Crm crm) throws CrmException {
        XmlElement root = readOffline(crm);
        SchedulerWarmUp warmUp = crm.warmUp;   // started by readOffline
        try {
            return PolicyEngine.schedule(root, crm.clock.instant());
        } finally {
            warmUp.stop();
        }
    }

    /** The offline CIB file's root, or an error naming the file and what to do. */
    static XmlElement readOffline(Crm crm) throws CrmException {
        Path file = crm.offlineCib();
        if (file == null) {
            throw new CrmException("simulate: no CIB file; give --cib-file FILE or set CIB_file=FILE");
        }
        if (crm.warmUp == null) {
            crm.warmUp = SchedulerWarmUp.startFor(file);
        }
        XmlElement root;
        try {
            root = XmlParser.parse(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CrmException("simulate: cannot read " + file + ": " + e.getMessage());
        } catch (XmlParseException e) {
            throw new CrmException("simulate: " + file + " is not valid XML: " + e.getMessage());
        }
        if (!"cib".equals(root.name())) {
            throw new CrmException("simulate: " + file + " has root <" + root.name() + ">, expected <cib>");
        }
        return root;
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
                Map<String, Integer> use = StatusInjector.primitive(root, base).map(SimulateCommand::utilizationOf).orElse(Map.of());
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

    static String describe(Action a) {
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
