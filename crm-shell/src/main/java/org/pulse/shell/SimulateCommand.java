package org.pulse.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.Action;
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
 */
@Command(name = "simulate", description = "Run the policy engine on the CIB file (--cib-file or $CIB_file) "
        + "and show the transition it decides.")
final class SimulateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Crm crm;

    @Option(names = "--canonical", description = "Print exactly the canonical form (sorted actions, then placement).")
    boolean canonical;

    @Option(names = "--save-graph", paramLabel = "FILE", description = "Write the transition graph as XML to FILE.")
    Path saveGraph;

    @Option(names = {"-Q", "--quiet"}, description = "Print nothing but errors (as crm_simulate -Q); with"
            + " --save-graph, only the graph is written.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        PrintStream err = crm.stderr;
        Transition t;
        try {
            t = scheduleOffline(crm);
        } catch (CrmException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (saveGraph != null) {
            try (java.io.OutputStream o = Files.newOutputStream(saveGraph)) {
                t.writeGraphXml(o);
            } catch (IOException e) {
                err.println("simulate: cannot write the graph to " + saveGraph + ": " + e.getMessage());
                return 1;
            }
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
        out.println("Revised cluster status:");
        nodes(out, t, true);
        placements(out, t.placementAfter());
        return 0;
    }

    /** Reads the offline CIB and schedules it at its execution-date, else now. */
    static Transition scheduleOffline(Crm crm) throws CrmException {
        Path file = crm.offlineCib();
        if (file == null) {
            throw new CrmException("simulate: no CIB file; give --cib-file FILE or set CIB_file=FILE");
        }
        SchedulerWarmUp warmUp = crm.warmUp != null ? crm.warmUp : SchedulerWarmUp.startFor(file);
        try {
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
            Instant now = crm.clock.instant();
            return PolicyEngine.schedule(root, now);
        } finally {
            warmUp.stop();
        }
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
