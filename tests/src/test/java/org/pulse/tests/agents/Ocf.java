package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.MetadataException;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.RaTester;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * Runs OCF agents through Pulse's LRM ({@link AgentExecutor}): argv [path, action], no shell, stdin
 * /dev/null, own process group, the OCF 1.1 environment, HA_RSCTMP per node, inside a lab node's
 * network namespace only (nsenter --net), killed as a group at the deadline. Pulse's agents are found
 * first in the repository's resource-agents/src/main/ocf, ClusterLabs' in /usr/lib/ocf. The lifecycle
 * is the LRM's own {@code crm ra test} ({@link RaTester}) plus a schema check of the meta-data.
 *
 * <p>{@link #runDirect} bypasses the LRM for calls the LRM rightly refuses to make (an empty action).
 */
final class Ocf {
    /** The OCF directory of Pulse's agents in the repository: resource.d/pulse and lib/pulse. */
    static final Path PULSE_OCF = TestEnv.root().resolve("resource-agents/src/main/ocf");
    static final Path PULSE = PULSE_OCF.resolve("resource.d/pulse");
    static final Path HEARTBEAT = Path.of("/usr/lib/ocf/resource.d/heartbeat");
    static final Path RNG = TestEnv.root().resolve("../shared/reference/ocf-ref/ra-api-1.1.rng").normalize();

    private Ocf() {
    }

    /** What every lab suite needs: root and the commands NetnsLab uses (skip outside CI, fail in CI). */
    static void requireLab() {
        TestEnv.requireRoot();
        for (String cmd : List.of("ip", "nsenter", "setsid", "losetup", "mkfs.ext4", "fuser", "umount")) {
            TestEnv.requireCommand(cmd);
        }
    }

    /** One agent invocation's result. */
    record Result(String action, int rc, String stdout, String stderr, long elapsedMs, boolean timedOut,
                  String exitReason) {
        static Result of(String action, ExecOutcome o) {
            return new Result(action, o.rc(), o.stdout(), o.stderr(), o.execTimeMs(), o.status() == ExecStatus.TIMED_OUT,
                    o.exitReason());
        }

        @Override
        public String toString() {
            return action + " rc=" + rc + " " + elapsedMs + "ms" + (timedOut ? " TIMED OUT" : "")
                    + (stderr.isBlank() ? "" : " stderr: " + stderr.strip());
        }
    }

    /** An agent, where it runs, its instance name and parameters. */
    record Agent(Path path, String provider, String instance, Map<String, String> params, NetnsLab.Node node) {
        Agent {
            params = Map.copyOf(params);
        }

        String type() {
            return path.getFileName().toString();
        }

        Agent with(String key, String value) {
            Map<String, String> p = new LinkedHashMap<>(params);
            p.put(key, value);
            return new Agent(path, provider, instance, p, node);
        }

        Agent without(String key) {
            Map<String, String> p = new LinkedHashMap<>(params);
            p.remove(key);
            return new Agent(path, provider, instance, p, node);
        }

        Result run(String action) {
            return Ocf.run(this, action, 0, 20_000, Map.of());
        }

        Result monitor(long intervalMs) {
            return Ocf.run(this, "monitor", intervalMs, 20_000, Map.of());
        }

        Result monitorDepth(int depth) {
            return with("OCF_CHECK_LEVEL", Integer.toString(depth)).monitor(10_000);
        }

        AgentRef ref() {
            return AgentRef.ocf(provider, type());
        }
    }

    static Agent pulse(String type, String instance, Map<String, String> params, NetnsLab.Node node) {
        return new Agent(PULSE.resolve(type), "pulse", instance, params, node);
    }

    static Agent heartbeat(String type, String instance, Map<String, String> params, NetnsLab.Node node) {
        return new Agent(HEARTBEAT.resolve(type), "heartbeat", instance, params, node);
    }

    /** The LRM configuration of a lab node (or of this machine when node is null). */
    static LrmConfig config(NetnsLab.Node node, Map<String, String> extraEnv) {
        LrmConfig c = LrmConfig.defaults().withAgentDirFirst(PULSE_OCF);
        if (node != null) {
            c = c.withNodeName(node.name()).withHaRsctmp(node.rsctmp()).withNetns(node.netnsPath());
        }
        for (Map.Entry<String, String> e : extraEnv.entrySet()) {
            c = e.getKey().equals("OCF_ROOT") ? c.withOcfRoot(Path.of(e.getValue())) : c.withEnv(e.getKey(), e.getValue());
        }
        return c;
    }

    /** One action through the LRM's executor, as the cluster would run it. */
    static Result run(Agent a, String action, long intervalMs, long timeoutMs, Map<String, String> extraEnv) {
        try (AgentExecutor ex = new AgentExecutor(config(a.node(), extraEnv))) {
            OperationRequest req = new OperationRequest(a.instance(), a.ref(), action, intervalMs, timeoutMs,
                    action.equals("meta-data") ? Map.of() : a.params(), Map.of(), null, 0);
            return Result.of(action, ex.execute(req));
        }
    }

    /** One action with CRM_meta_* attributes (without the prefix), as the DC's graph gives them. */
    static Result runWithMeta(Agent a, String action, Map<String, String> meta) {
        try (AgentExecutor ex = new AgentExecutor(config(a.node(), Map.of()))) {
            OperationRequest req = new OperationRequest(a.instance(), a.ref(), action, 0, 20_000, a.params(), meta,
                    null, 0);
            return Result.of(action, ex.execute(req));
        }
    }

    /** One action run directly (ProcessBuilder), for calls the LRM never makes. */
    static Result runDirect(Agent a, String action, long intervalMs, long timeoutMs, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OCF_ROOT", "/usr/lib/ocf");
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "1");
        env.put("OCF_RESOURCE_TYPE", a.type());
        env.put("OCF_RESOURCE_PROVIDER", a.provider());
        env.put("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:");
        if (action.equals("meta-data")) {
            env.put("OCF_RESOURCE_INSTANCE", a.type());
        } else {
            env.put("OCF_RESOURCE_INSTANCE", a.instance());
            a.params().forEach((k, v) -> env.put("OCF_RESKEY_" + k, v));
            env.put("OCF_RESKEY_crm_feature_set", "3.16.1");
            env.put("OCF_RESKEY_CRM_meta_timeout", Long.toString(timeoutMs));
            if (intervalMs > 0) {
                env.put("OCF_RESKEY_CRM_meta_interval", Long.toString(intervalMs));
                env.put("OCF_RESKEY_CRM_meta_name", action);
            }
        }
        if (a.node() != null) {
            env.put("HA_RSCTMP", a.node().rsctmp().toString());
        }
        env.putAll(extraEnv);
        List<String> argv = new ArrayList<>();
        if (a.node() != null) {
            argv.addAll(a.node().nsenter());
            argv.add("--");
        }
        // nsenter --net and setsid both exec in place (no fork), so the PID Java sees is the agent's.
        argv.add("setsid");
        argv.add(a.path().toString());
        argv.add(action);
        try {
            Path out = Files.createTempFile("ocf-out", ".txt");
            Path err = Files.createTempFile("ocf-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv);
                pb.environment().keySet().removeIf(k -> k.startsWith("OCF_") || k.equals("HA_RSCTMP"));
                pb.environment().putAll(env);
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                pb.redirectOutput(out.toFile());
                pb.redirectError(err.toFile());
                long t0 = System.nanoTime();
                Process p = pb.start();
                boolean done = p.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                if (!done) {
                    NetnsLab.run(List.of("kill", "-KILL", "--", "-" + p.pid()), Map.of(), Duration.ofSeconds(5));
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                String reason = "";
                for (String line : stderr.split("\n")) {
                    int i = line.indexOf("ocf-exit-reason:");
                    if (i >= 0) {
                        reason = line.substring(i + "ocf-exit-reason:".length()).strip();
                    }
                }
                return new Result(action, done ? p.exitValue() : 1, Files.readString(out, StandardCharsets.UTF_8),
                        stderr, elapsedMs, !done, reason);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Validates meta-data XML against the OCF 1.1 RelaxNG schema with xmllint; "" when valid. */
    static String schemaProblems(String xml) throws IOException {
        TestEnv.require(Files.exists(RNG), "the OCF schema at " + RNG + " (../shared/reference beside the repository)");
        Path f = Files.createTempFile("metadata", ".xml");
        try {
            Files.writeString(f, xml);
            NetnsLab.Result r = NetnsLab.run(List.of("xmllint", "--noout", "--nonet", "--relaxng", RNG.toString(),
                    f.toString()), Map.of(), Duration.ofSeconds(30));
            return r.ok() ? "" : r.stderr();
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /**
     * The lifecycle of {@code crm ra test} through the LRM's {@link RaTester} (meta-data, validate-all 0,
     * probe 7, start 0, monitor 0, start again 0, stop 0, stop again 0, probe 7), plus the meta-data
     * checked against the OCF 1.1 schema. Fails with every step printed; returns the report.
     */
    static RaTester.Report lifecycle(Agent a) throws IOException {
        try (AgentExecutor ex = new AgentExecutor(config(a.node(), Map.of()))) {
            String xml;
            try {
                xml = ex.metadataXml(a.ref());
            } catch (MetadataException e) {
                throw new AssertionError(a.ref() + " meta-data: " + e.getMessage(), e);
            }
            assertEquals("", schemaProblems(xml), a.ref() + " meta-data does not validate against the OCF 1.1 schema");
            RaTester.Report report = new RaTester(ex).run(a.ref(), a.instance(), a.params(), step -> { });
            assertTrue(report.passed(), () -> report.summary() + "\n" + describe(report));
            return report;
        }
    }

    static String describe(RaTester.Report report) {
        StringBuilder sb = new StringBuilder();
        for (RaTester.Step st : report.steps()) {
            sb.append(st.format()).append('\n');
        }
        return sb.toString();
    }
}
