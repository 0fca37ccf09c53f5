package org.pulse.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lab.support.TestEnv;

/**
 * {@code crm simulate}'s what-if options against Pacemaker's crm_simulate on a small settled
 * cluster (3 nodes, n3 down; r1 with parameters and utilization, r2 bound to a ticket and a date
 * rule, an anonymous clone): for each option, the CIB it writes (--save-input vs crm_simulate -I,
 * compared without wall-clock stamps and version counters), the decision on it (canonical form vs
 * canon.py with the same option), and for --run/--op-fail the CIB the run leaves (--save-output vs
 * crm_simulate -S -O), which must decide the same under crm_simulate. Runs bin/crm as the
 * operator does; under CI=true it must run (crm_simulate from .ci/run's pacemaker-cli-utils).
 */
class CrmSimulateWhatIfTest {
    private static final String BASE = "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\""
            + " have-quorum=\"1\" dc-uuid=\"1\" execution-date=\"1700000000\"><configuration><crm_config>"
            + "<cluster_property_set id=\"o\"><nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/>"
            + "<nvpair id=\"o2\" name=\"placement-strategy\" value=\"balanced\"/></cluster_property_set></crm_config><nodes>"
            + node(1, 4) + node(2, 2) + node(3, 8) + "</nodes><resources>"
            + "<primitive id=\"r1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><instance_attributes id=\"r1-ia\">"
            + "<nvpair id=\"r1-ia-1\" name=\"fake\" value=\"x\"/></instance_attributes><utilization id=\"r1-u\">"
            + "<nvpair id=\"r1-u1\" name=\"cpu\" value=\"1\"/></utilization><operations>"
            + "<op id=\"r1-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
            + "<primitive id=\"r2\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
            + "<op id=\"r2-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
            + "<clone id=\"c1\"><primitive id=\"cr1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
            + "<op id=\"cr1-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive></clone></resources><constraints>"
            + "<rsc_ticket id=\"tk\" rsc=\"r2\" ticket=\"T1\" loss-policy=\"stop\"/>"
            + "<rsc_location id=\"l1\" rsc=\"r1\" node=\"n1\" score=\"100\"/>"
            + "<rsc_location id=\"l2\" rsc=\"r2\"><rule id=\"l2-r\" score=\"-INFINITY\"><date_expression id=\"l2-d\""
            + " operation=\"gt\" start=\"2023-11-18T00:00:00Z\"/></rule></rsc_location></constraints></configuration><status>"
            + "<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>"
            + "<node_state id=\"2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>"
            + "</status></cib>";

    /** Each what-if, alone or combined, as an operator would type it. */
    private static final List<String> WHAT_IFS = List.of("-u n3", "-d n2", "-f n2", "-i r1_monitor_10000@n1=7",
            "-i r1_start_0@n1=1", "-i r1_stop_0@n1=0", "-i r1_stop_0@n1=1", "-i r1_monitor_10000@n3=0", "-i r1_monitor_0@n3=7",
            "-i cr1_monitor_10000@n2=7 -i cr1_monitor_10000@n2=1", "-r T1", "-g T2", "-b T1", "-e T1",
            "--node-up n3 --op-inject r2_monitor_10000@n1=1 --ticket-revoke T1",
            "-i r1_monitor_10000@n1=7 -i r1_monitor_10000@n1=7 -i r1_monitor_10000@n1=7");

    private static Path crm;
    private static Path canon;
    private static Path settled;

    private static String node(int id, int cpu) {
        return "<node id=\"" + id + "\" uname=\"n" + id + "\"><utilization id=\"n" + id + "-u\"><nvpair id=\"n" + id
                + "-u1\" name=\"cpu\" value=\"" + cpu + "\"/></utilization></node>";
    }

    @BeforeAll
    static void settleTheBaseCluster(@TempDir Path tmp) throws Exception {
        crm = TestEnv.root().resolve("bin/crm");
        TestEnv.require(Files.isDirectory(TestEnv.root().resolve("crm-shell/target/lib")),
                "the packaged crm shell (mvn -DskipTests package) for bin/crm");
        TestEnv.requireCommand("crm_simulate");
        TestEnv.requireCommand("python3");
        canon = TestEnv.shared().resolve("conformance/tools/canon.py");
        Path base = tmp.resolve("base.xml");
        Files.writeString(base, BASE);
        settled = Files.createTempFile("whatif-settled-", ".xml");
        // Pacemaker's own steady state: real call-ids and digests in the history
        run("crm_simulate", "-x", base.toString(), "--ticket-grant", "T1", "-S", "-Q", "-O", settled.toString());
    }

    @AfterAll
    static void removeTheSettledCib() throws IOException {
        if (settled != null) {
            Files.deleteIfExists(settled);
        }
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("CIB_file");
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("CIB_shadow_dir", System.getProperty("java.io.tmpdir"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", argv) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ":\n" + out);
        return out;
    }

    private static List<String> crm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(crm.toString(), "--cib-file", settled.toString(), "simulate"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private static String[] with(List<String> head, String whatIf, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(whatIf.split(" ")));
        all.addAll(Arrays.asList(tail));
        return all.toArray(String[]::new);
    }

    /** The CIB without what legitimately differs: wall-clock stamps, version counters, the XML declaration. */
    private static String normalized(Path cib) throws IOException {
        return Files.readString(cib).lines().filter(l -> !l.startsWith("<?xml"))
                .map(l -> l.replaceAll("last-rc-change=\"\\d*\"", "").replaceAll("(last-failure-[^\"]*\" value=\")\\d*", "$1")
                        .replaceAll("num_updates=\"\\d*\"", "").replaceAll(" crm-debug-origin=\"[^\"]*\"", ""))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void eachWhatIfWritesTheStatusCrmSimulateWrites(@TempDir Path tmp) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String w : WHAT_IFS) {
            Path theirs = tmp.resolve("theirs.xml");
            Path ours = tmp.resolve("ours.xml");
            run(with(List.of("crm_simulate", "-x", settled.toString()), w, "-Q", "-I", theirs.toString()));
            run(with(crm(), w, "-Q", "--save-input", ours.toString()));
            if (!normalized(theirs).equals(normalized(ours))) {
                wrong.add(w + ":\n--- crm_simulate -I\n" + normalized(theirs) + "\n--- crm simulate --save-input\n" + normalized(ours));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n\n", wrong));
    }

    @Test
    void theDecisionAfterEachWhatIfIsCrmSimulates() throws Exception {
        List<String> wrong = new ArrayList<>();
        List<String> all = new ArrayList<>(WHAT_IFS);
        all.add("-t 2023-11-20T00:00:00Z");     // the date rule now bans r2
        all.add("--set-datetime 2023-11-16");   // not yet
        for (String w : all) {
            String pacemaker = run(with(List.of("python3", canon.toString(), settled.toString(), "--"), w));
            String pulse = run(with(crm(), w, "--canonical"));
            if (!pacemaker.equals(pulse)) {
                wrong.add(w + ":\n--- crm_simulate\n" + pacemaker + "--- crm simulate\n" + pulse);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n\n", wrong));
    }

    /** --run and --op-fail: the CIB left behind decides, under crm_simulate itself, as crm_simulate's own does. */
    @Test
    void runLeavesTheStateCrmSimulateLeaves(@TempDir Path tmp) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String w : List.of("-u n3", "-f n2", "-d n2", "-i r1_monitor_10000@n1=7",
                "-i r1_monitor_10000@n1=7 -F r1_stop_0@n1=1", "-i r1_monitor_10000@n1=7 -F r1_start_0@n1=1",
                "-r T1 -F r2_stop_0@n1=1")) {
            Path theirs = tmp.resolve("theirs-out.xml");
            Path ours = tmp.resolve("ours-out.xml");
            run(with(List.of("crm_simulate", "-x", settled.toString()), w, "-S", "-Q", "-O", theirs.toString()));
            run(with(crm(), w, "--run", "-Q", "--save-output", ours.toString()));
            String a = run("python3", canon.toString(), theirs.toString());
            String b = run("python3", canon.toString(), ours.toString());
            if (!a.equals(b)) {
                wrong.add(w + ":\n--- after crm_simulate -S\n" + a + "--- after crm simulate --run\n" + b);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n\n", wrong));
    }

    @Test
    void runShowsWhatRanAndTheFailureItStoppedAt() throws Exception {
        String out = run(with(crm(), "-i r1_monitor_10000@n1=7 --op-fail r1_start_0@n1=1 --run"));
        assertTrue(out.contains("Executing Cluster Transition:") && out.contains("Resource action: r1 stop on n1"), out);
        assertTrue(out.contains("r1 start on n1 (failed: rc=1, expected 0)"), out);
        assertTrue(out.contains("Failed: r1_start_0@n1=1 (the transition stops here)"), out);
        String revised = out.substring(out.indexOf("Revised Cluster Status:"));
        assertTrue(revised.contains("r1: Started n1 FAILED"), revised);
    }

    /**
     * As crm_simulate: "Current cluster status" is the CIB as given, then the requested modifications
     * are listed, then what is decided after them (an operator's finding: the current view showed the
     * state after --node-fail).
     */
    @Test
    void currentStatusIsBeforeTheModificationsWhichAreListed() throws Exception {
        String out = run(with(crm(), "--node-fail n1 --ticket-revoke T1 --run"));
        int mods = out.indexOf("Performing Requested Modifications:");
        assertTrue(mods > 0, out);
        String current = out.substring(0, mods);
        assertTrue(current.contains("Node n1: online") && !current.contains("UNCLEAN"), current);
        String listed = out.substring(mods, out.indexOf("Transition Summary:"));
        assertTrue(listed.contains("* Failing node n1") && listed.contains("* Revoking ticket T1"), listed);
        // what is decided after them, in crm_simulate's words
        String theirs = run(with(List.of("crm_simulate", "-x", settled.toString()), "--node-fail n1 --ticket-revoke T1", "-S"));
        assertEquals(summaryOf(theirs), summaryOf(out));
        String after = out.substring(out.indexOf("Revised Cluster Status:"));
        assertTrue(after.contains("Node n1: offline") && after.contains("r1: Started n2"), after);
        String plain = run(crm().toArray(String[]::new));
        assertTrue(!plain.contains("Performing Requested Modifications"), plain);
        // as crm_simulate: the revised state only when the transition is carried out (-S, --run)
        String notRun = run(with(crm(), "--node-fail n1"));
        assertTrue(notRun.contains("Transition Summary:") && !notRun.contains("Revised Cluster Status")
                && !notRun.contains("Executing Cluster Transition"), notRun);
    }

    /** The "Transition Summary" after each what-if is crm_simulate's, line for line. */
    @Test
    void summaryAfterEachWhatIfIsCrmSimulates() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String w : WHAT_IFS) {
            String theirs = summaryOf(run(with(List.of("crm_simulate", "-x", settled.toString()), w, "-S")));
            String ours = summaryOf(run(with(crm(), w)));
            if (!theirs.equals(ours)) {
                wrong.add(w + ":\n--- crm_simulate\n" + theirs + "--- crm simulate\n" + ours);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n\n", wrong));
    }

    private static String summaryOf(String out) {
        int at = out.indexOf("Transition Summary:\n");
        assertTrue(at >= 0, out);
        String rest = out.substring(at);
        int end = rest.indexOf("\n\n");
        return end < 0 ? rest : rest.substring(0, end + 1);
    }

    /** Pacemaker's own lines for the primitives' scores and the nodes' capacities. */
    @Test
    void scoresAndUtilizationAreCrmSimulates() throws Exception {
        String pacemaker = run("crm_simulate", "-x", settled.toString(), "-R", "-Q", "-s", "-U");
        String pulse = run(with(crm(), "--show-scores --show-utilization"));
        for (String prefix : List.of("pcmk__primitive_assign: r1 ", "pcmk__primitive_assign: r2 ", "Original: ", "Remaining: ",
                "pcmk__finalize_assignment: r1 ")) {
            assertEquals(lines(pacemaker, prefix), lines(pulse, prefix), prefix);
        }
        assertEquals(3, lines(pulse, "Remaining: ").size());
    }

    private static List<String> lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void failCountsShowWhatTheHistoryCounts() throws Exception {
        String out = run(with(crm(), "-i r1_monitor_10000@n1=7 -i r1_monitor_10000@n1=1 --show-failcounts"));
        String summary = out.substring(out.indexOf("Migration Summary:"));
        assertTrue(summary.contains("* Node: n1:\n      * r1: fail-count=2"), summary);
    }

    /**
     * crm_simulate 2.1.5 accepts -q but leaves have-quorum as it was (checked: its -I output and
     * its decision are unchanged), so here the meaning its help gives is checked, not parity.
     */
    @Test
    void quorumOptionSetsHaveQuorum(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in.xml");
        String out = run(with(crm(), "-q 0 --canonical --save-input " + in));
        assertTrue(Files.readString(in).contains("have-quorum=\"0\""));
        assertTrue(out.contains("stop r1 n1") && out.contains("stopped r1"), out);
    }

    @Test
    void helpAndBadInput() throws Exception {
        String help = run(crm.toString(), "simulate", "--help");
        for (String option : List.of("--node-up", "--node-down", "--node-fail", "--op-inject", "--op-fail", "--set-datetime",
                "--ticket-grant", "--ticket-revoke", "--show-scores", "--show-utilization", "--show-failcounts",
                "--save-input", "--save-output", "--run")) {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
        for (String[] bad : List.of(new String[] {"-i", "r1-monitor@n1", "RESOURCE_TASK_INTERVALMS@NODE=RC"},
                new String[] {"-i", "nosuch_start_0@n1=1", "no resource 'nosuch'"},
                new String[] {"-u", "n9", "n9: no such node"},
                new String[] {"-t", "yesterday", "not an ISO 8601"},
                new String[] {"-F", "r1_start_0@n1=1", "add --run"})) {
            ProcessBuilder pb = new ProcessBuilder(crm(bad[0], bad[1]));
            pb.environment().remove("CIB_file");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertTrue(p.exitValue() != 0 && out.contains(bad[2]), String.join(" ", bad) + " -> " + out);
        }
    }
}
