package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.Procs;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.MetadataException;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.RaTester;
import org.pulse.lab.support.TestEnv;

/** Real agent processes under the executor: deadlines, output bounds, odd exits, the exact environment. */
class AgentExecutionTest {
    private TestAgents agents;
    private AgentExecutor executor;

    @BeforeEach
    void setUp() {
        agents = new TestAgents();
        executor = new AgentExecutor(agents.config());
    }

    @AfterEach
    void tearDown() {
        executor.close();
        agents.close();
    }

    /** Alive means running: gone from /proc, or a zombie, is dead ({@link Procs#running}). */
    static boolean running(long pid) {
        return Procs.running(pid);
    }

    private ExecOutcome run(String type, String action, long timeoutMs, Map<String, String> params) {
        return executor.execute(OperationRequest.of("r1", TestAgents.agent(type), action, timeoutMs, params));
    }

    @Test
    void processGroupsAreReal() {
        String how = executor.verifyProcessGroups();
        assertTrue(how.contains("pid"), how);
    }

    @Test
    void aHangingAgentIsKilledWithItsChildAtTheDeadline() throws Exception {
        Path childPid = agents.work().resolve("child.pid");
        ExecOutcome o = run("hang", "start", 1_000, Map.of("childpid", childPid.toString()));
        assertEquals(ExecStatus.TIMED_OUT, o.status(), o.toString());
        assertEquals(1, o.rc());
        assertTrue(o.exitReason().contains("timed out after 1000 ms"), o.exitReason());
        assertTrue(o.execTimeMs() >= 1_000, "killed before its deadline: " + o.execTimeMs() + " ms");
        long child = Long.parseLong(Files.readString(childPid).trim());
        long main = Long.parseLong(Files.readString(Path.of(childPid + ".main")).trim());
        assertEquals(o.pid(), main, "the pid the LRM knows is the agent's");
        // SIGKILL of a group is delivered at once, but the child is reaped asynchronously: allow a moment.
        for (int i = 0; i < 100 && running(child); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertFalse(running(child), "the agent's child " + child + " survived the deadline");
        assertFalse(running(main), "the agent " + main + " survived the deadline");
        // The executor is still healthy.
        assertEquals(0, run("envdump", "start", 5_000, Map.of()).rc());
    }

    @Test
    void megabytesOfOutputAreBoundedAndTheResultIsClear() {
        ExecOutcome o = run("chatty", "start", 20_000, Map.of("bytes", "5000000"));
        assertEquals(ExecStatus.DONE, o.status());
        assertEquals(1, o.rc());
        assertEquals("chatty printed everything", o.exitReason(), "the last exit reason, found beyond the kept part");
        int limit = agents.config().maxOutputBytes();
        assertEquals(limit, o.stdout().length());
        assertEquals(limit, o.stderr().length());
        assertEquals(2L * 5_000_000 + 1 + "ocf-exit-reason:chatty printed everything\n".length() - 2L * limit,
                o.outputDroppedBytes());
    }

    @Test
    void exit137IsAnErrorThatSaysWhatItMayMean() {
        ExecOutcome o = run("exit137", "start", 5_000, Map.of());
        assertEquals(1, o.rc());
        assertEquals(ExecStatus.ERROR, o.status());
        assertTrue(o.exitReason().contains("137") && o.exitReason().contains("KILL"), o.exitReason());
    }

    @Test
    void nonsenseExitCodeBecomesOneWithTheAgentsReason() {
        ExecOutcome o = run("nonsense", "monitor", 5_000, Map.of());
        assertEquals(1, o.rc());
        assertEquals(ExecStatus.DONE, o.status());
        assertTrue(o.exitReason().contains("returned 42") && o.exitReason().contains("the answer"), o.exitReason());
    }

    @Test
    void deathBySignalIsReportedAsSuch() {
        ExecOutcome o = run("selfsignal", "start", 5_000, Map.of());
        assertEquals(1, o.rc());
        assertEquals(ExecStatus.ERROR, o.status());
        assertTrue(o.exitReason().contains("signal 10 (USR1)"), o.exitReason());
    }

    @Test
    void garbageMetadataIsRefusedAndRaTestFails() {
        MetadataException e = assertThrows(MetadataException.class, () -> executor.metadata(TestAgents.agent("badmeta")));
        assertTrue(e.getMessage().contains("ocf:pulsetest:badmeta") && e.getMessage().contains("not well-formed"),
                e.getMessage());
        RaTester.Report r = new RaTester(executor).run(TestAgents.agent("badmeta"), Map.of());
        assertFalse(r.passed());
        assertFalse(r.steps().get(0).ok(), r.steps().get(0).format());
        assertEquals("meta-data", r.steps().get(0).name());
    }

    @Test
    void aMissingAgentIsNotInstalled() {
        ExecOutcome o = run("no-such-agent", "start", 5_000, Map.of());
        assertEquals(5, o.rc());
        assertEquals(ExecStatus.NOT_INSTALLED, o.status());
        assertTrue(o.exitReason().contains("resource.d/pulsetest/no-such-agent"), o.exitReason());
    }

    @Test
    void aNonExecutableAgentIsInsufficientPrivilege() {
        ExecOutcome o = run("notexec", "start", 5_000, Map.of());
        assertEquals(4, o.rc());
        assertEquals(ExecStatus.ERROR, o.status());
        assertTrue(o.exitReason().contains("chmod +x"), o.exitReason());
    }

    static Map<String, String> parseEnv(String nulSeparated) {
        Map<String, String> env = new TreeMap<>();
        for (String kv : nulSeparated.split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    void theEnvironmentIsExactlyTheContracts() {
        OperationRequest mon = new OperationRequest("web:1", TestAgents.agent("envdump"), "monitor", 15_000, 25_000,
                Map.of("ip", "192.0.2.10", "odd_value", "a b\tc \"q\" $x", "OCF_CHECK_LEVEL", "10", "crm_feature_set", "3.16.1"),
                Map.of("on_node", "node1", "op_target_rc", "0", "notify_stop_resource", "", "clone", "1"), "1:2:0:x", 0);
        ExecOutcome o = executor.execute(mon);
        assertEquals(0, o.rc(), o.toString());
        Map<String, String> env = parseEnv(o.stdout());
        Map<String, String> ocf = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("OCF_")) {
                ocf.put(k, v);
            }
        });
        Map<String, String> expected = new TreeMap<>();
        expected.put("OCF_ROOT", "/usr/lib/ocf");
        expected.put("OCF_RA_VERSION_MAJOR", "1");
        expected.put("OCF_RA_VERSION_MINOR", "1");
        expected.put("OCF_RESOURCE_INSTANCE", "web:1");
        expected.put("OCF_RESOURCE_TYPE", "envdump");
        expected.put("OCF_RESOURCE_PROVIDER", "pulsetest");
        expected.put("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:");
        expected.put("OCF_RESKEY_ip", "192.0.2.10");
        expected.put("OCF_RESKEY_odd_value", "a b\tc \"q\" $x");
        expected.put("OCF_CHECK_LEVEL", "10");
        expected.put("OCF_RESKEY_crm_feature_set", "3.16.1");
        expected.put("OCF_RESKEY_CRM_meta_on_node", "node1");
        expected.put("OCF_RESKEY_CRM_meta_op_target_rc", "0");
        expected.put("OCF_RESKEY_CRM_meta_notify_stop_resource", " ");
        expected.put("OCF_RESKEY_CRM_meta_clone", "1");
        expected.put("OCF_RESKEY_CRM_meta_timeout", "25000");
        expected.put("OCF_RESKEY_CRM_meta_interval", "15000");
        expected.put("OCF_RESKEY_CRM_meta_name", "monitor");
        assertEquals(expected, ocf);
        assertEquals(agents.dir.resolve("rsctmp").toString(), env.get("HA_RSCTMP"));
        assertEquals("1", env.get("ARGC"));
        assertEquals("monitor", env.get("ARG1"));
        assertEquals("notty", env.get("STDIN"));
        assertEquals("/dev/null", env.get("STDIN_LINK"));
        assertEquals(env.get("PID"), env.get("PGID"), "the agent leads its own process group");
        assertEquals(Long.toString(o.pid()), env.get("PID"));

        // A probe carries no interval (ocf_is_probe depends on it) but its expected rc.
        ExecOutcome p = executor.execute(OperationRequest.probe("web", TestAgents.agent("envdump"), 5_000, Map.of()));
        Map<String, String> penv = parseEnv(p.stdout());
        assertFalse(penv.containsKey("OCF_RESKEY_CRM_meta_interval"), penv.toString());
        assertFalse(penv.containsKey("OCF_RESKEY_CRM_meta_name"));
        assertEquals("7", penv.get("OCF_RESKEY_CRM_meta_op_target_rc"));
        assertEquals("5000", penv.get("OCF_RESKEY_CRM_meta_timeout"));
    }

    @Test
    void completionIsTheAgentsExitNotTheEndOfItsOutput() throws Exception {
        Path childPid = agents.work().resolve("bg.pid");
        ExecOutcome o = run("bgout", "start", 20_000, Map.of("childpid", childPid.toString(), "seconds", "30"));
        long child = Long.parseLong(Files.readString(childPid).trim());
        try {
            assertEquals(0, o.rc());
            assertEquals(ExecStatus.DONE, o.status());
            assertTrue(o.stdout().contains("started in background"), o.stdout());
            assertTrue(running(child), "the result came only after the background child (holding stdout) ended");
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void agentsRunInTheGivenNetworkNamespace() throws Exception {
        TestEnv.requireRoot();
        TestEnv.requireCommand("ip");
        TestEnv.requireCommand("nsenter");
        String ns = "pulse-lrm-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
        System.out.println("network namespace " + ns);
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", ns).inheritIO().start().waitFor());
        try (AgentExecutor inNs = new AgentExecutor(agents.config().withNetns(Path.of("/run/netns/" + ns)))) {
            ExecOutcome o = inNs.execute(OperationRequest.of("r", TestAgents.agent("envdump"), "start", 5_000, Map.of()));
            assertEquals(0, o.rc(), o.toString());
            Map<String, String> env = parseEnv(o.stdout());
            long nsInode = (Long) Files.getAttribute(Path.of("/run/netns/" + ns), "unix:ino");
            assertEquals("net:[" + nsInode + "]", env.get("NETNS"));
            assertEquals(env.get("PID"), env.get("PGID"), "nsenter and setsid both exec in place");
            assertEquals(Long.toString(o.pid()), env.get("PID"));
        } finally {
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
        }
    }

    @Test
    void daemonVariablesThatLookLikeParametersDoNotLeak() {
        // Extra variables reach every agent; OCF_RESKEY_* ones from the daemon are dropped before the request's.
        Map<String, String> extra = new HashMap<>(Map.of("HA_VARRUN", agents.work().toString()));
        AgentExecutor ex = new AgentExecutor(agents.config().withEnv("HA_VARRUN", extra.get("HA_VARRUN")));
        try {
            ExecOutcome o = ex.execute(OperationRequest.of("r", TestAgents.agent("envdump"), "start", 5_000, Map.of()));
            Map<String, String> env = parseEnv(o.stdout());
            assertEquals(agents.work().toString(), env.get("HA_VARRUN"));
            assertEquals(List.of("OCF_RESKEY_CRM_meta_timeout", "OCF_RESKEY_crm_feature_set"),
                    env.keySet().stream().filter(k -> k.startsWith("OCF_RESKEY_")).sorted().toList());
        } finally {
            ex.close();
        }
    }
}
