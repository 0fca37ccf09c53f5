package org.pulse.shell.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;
import org.pulse.policy.simulate.SimulateOptions;
import org.pulse.policy.simulate.Simulation;
import org.pulse.policy.simulate.SimulationException;
import org.pulse.policy.simulate.SimulationResult;
import org.pulse.shell.Crm;
import org.pulse.shell.CrmException;
import org.pulse.shell.source.AdminClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crm simulate}: run the scheduler on a CIB file and show what it would do, in crm_simulate's
 * sections — the current state, the "Transition Summary" (one line per resource in crm_simulate's
 * words, columns and order: Move, Recover, Promote, blocked...), and only with {@code --run} (= -S)
 * the transition carried out and the revised state — or exactly the canonical form with {@code --canonical}; {@code --save-graph FILE} writes the graph XML;
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
                + "decides as crm_simulate's Transition Summary (with --run also the state it leaves); with crm_simulate's"
                + " what-if options, on the CIB as they change it.",
        footer = {"", "OPSPEC is crm_simulate's RESOURCE_TASK_INTERVALMS@NODE=RC, e.g. vip_monitor_10000@node1=7 "
                + "(RC an OCF exit code: 7 not running, 1 generic error).",
                "Example: crm --cib-file cib.xml simulate --op-inject vip_monitor_10000@node1=7 --op-fail vip_stop_0@node1=1 --run"})
public final class SimulateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Crm crm;

    /** crm_simulate's own words for the input: operators replay a saved pe-input with -S -x FILE. */
    @Option(names = {"-x", "--xml-file"}, paramLabel = "FILE", description = "The CIB to schedule (as crm_simulate -x;"
            + " the same as --cib-file FILE), e.g. a pe-input-N.xml the DC saved.")
    Path xmlFile;

    @Option(names = {"-L", "--live-check"}, description = "Schedule the live cluster's CIB (as crm_simulate -L; the"
            + " default without a CIB file).")
    boolean liveCheck;

    @Option(names = "--canonical", description = "Print exactly the canonical form (sorted actions, then placement:"
            + " the state once every action succeeded, also with --op-fail; see --save-output for what the run left).")
    boolean canonical;

    @Option(names = {"-Q", "--quiet"}, description = "Print nothing but errors (as crm_simulate -Q); with"
            + " --save-graph, only the graph is written.")
    boolean quiet;

    @Option(names = {"-S", "--run", "--simulate"}, description = "Carry the transition out on the CIB (as crm_simulate -S)"
            + " and show what ran and the Revised Cluster Status it leaves.")
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

    @Option(names = "--in-process", description = "Schedule in this process even when a local crmd is reachable.")
    boolean inProcess;

    @Option(names = "--via-crmd", description = "Schedule through the local crmd's resident scheduler (its admin"
            + " socket: --socket, $PULSE_SOCKET) and fail if it cannot; without either option a file goes through crmd"
            + " when one answers, else in this process. The live cluster (no --cib-file) always goes through crmd.")
    boolean viaCrmd;

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        PrintStream err = crm.stderr;
        try {
            return simulate(out);
        } catch (CrmException e) {
            err.println(e.getMessage());
            return 1;
        } finally {
            if (crm.warmUp != null) {
                crm.warmUp.stop();
            }
        }
    }

    SimulateOptions options() {
        return new SimulateOptions(canonical, quiet, run, nodeUp, nodeDown, nodeFail, opInject, opFail, setDatetime,
                quorum, ticketGrant, ticketRevoke, ticketStandby, ticketActivate, showScores, showUtilization,
                showFailcounts, saveInput != null, saveOutput != null, saveGraph != null);
    }

    private int simulate(PrintStream out) throws CrmException {
        if (inProcess && viaCrmd) {
            throw new CrmException("simulate: --in-process and --via-crmd contradict each other; give one");
        }
        SimulateOptions o = options();
        Path file = inputFile();
        if (file == null && inProcess) {
            throw new CrmException("simulate: --in-process needs a CIB file (--cib-file FILE or CIB_file=FILE); the"
                    + " live cluster's CIB is scheduled by crmd");
        }
        SimulationResult r = null;
        if (!inProcess) {
            ResidentSimulation resident = new ResidentSimulation(new AdminClient(crm.socketPath()));
            // a file: only when crmd is there and takes it (else this process does it, same output);
            // the live cluster: through crmd or not at all
            r = file == null ? resident.live(o, crm.clock.instant()) : resident.file(file, o, crm.clock.instant(), viaCrmd);
        }
        if (r == null) {
            XmlElement root = readOffline(crm, file);
            try {
                r = Simulation.run(root, o, crm.clock.instant());
            } catch (SimulationException e) {
                throw new CrmException(e.getMessage());
            }
        }
        save(saveInput, r.inputXml(), "the input");
        save(saveGraph, r.graphXml(), "the graph");
        save(saveOutput, r.outputXml(), "the output");
        out.print(r.text());
        return 0;
    }

    /** The CIB file to schedule: -x, else --cib-file or $CIB_file; null for the live cluster (-L). */
    private Path inputFile() throws CrmException {
        Path given = crm.offlineCib();
        if (xmlFile != null && given != null && !xmlFile.equals(given)) {
            throw new CrmException("simulate: -x " + xmlFile + " and the CIB file " + given + " (--cib-file or CIB_file)"
                    + " name two CIBs; give one");
        }
        Path file = xmlFile != null ? xmlFile : given;
        if (liveCheck && file != null) {
            throw new CrmException("simulate: -L schedules the live cluster, but a CIB file is given (" + file
                    + "); leave out one of them");
        }
        return file;
    }

    private static void save(Path file, String document, String what) throws CrmException {
        if (file == null || document == null) {
            return;
        }
        try {
            Files.writeString(file, document);
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
        return readOffline(crm, crm.offlineCib());
    }

    private static XmlElement readOffline(Crm crm, Path file) throws CrmException {
        if (file == null) {
            throw new CrmException("simulate: no CIB file; give --cib-file FILE or set CIB_file=FILE");
        }
        if (crm.warmUp == null) {
            crm.warmUp = SchedulerWarmUp.startFor(file);
        }
        XmlElement root;
        try {
            root = XmlParser.parseFile(file);
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

    /** crm_simulate's words for an action (crm history and the transition summary use them too). */
    static String describe(Action a) {
        return Simulation.describe(a);
    }
}
