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
import org.pulse.tests.support.NetnsLab;
import org.pulse.tests.support.TestEnv;

/**
 * Runs OCF agents the way the contract (shared/reference/ocf-contract.md) says the LRM does: argv
 * [path, action], no shell, stdin /dev/null, own process group (setsid), the OCF 1.1 environment,
 * HA_RSCTMP per node, inside a lab node's network namespace only (nsenter --net), killed as a group
 * at the deadline. Output goes to files, so an agent's background child holding stdout open
 * (IPaddr2's send_arp) cannot delay the result: completion is the main process's exit.
 *
 * <p>Until the LRM's executor is published for the tests module this is the runner the agent suites
 * use; the lifecycle it checks is the one of {@code crm ra test}.
 */
final class Ocf {
    static final Path PULSE = TestEnv.root().resolve("resource-agents/src/main/ocf/resource.d/pulse");
    static final Path HEARTBEAT = Path.of("/usr/lib/ocf/resource.d/heartbeat");
    static final Path RNG = TestEnv.root().resolve("../shared/reference/ocf-ref/ra-api-1.1.rng").normalize();

    private Ocf() {
    }

    /** One agent invocation's result. */
    record Result(String action, int rc, String stdout, String stderr, long elapsedMs, boolean timedOut) {
        /** Text after the last "ocf-exit-reason:" on stderr, or "". */
        String exitReason() {
            String reason = "";
            for (String line : stderr.split("\n")) {
                int i = line.indexOf("ocf-exit-reason:");
                if (i >= 0) {
                    reason = line.substring(i + "ocf-exit-reason:".length()).strip();
                }
            }
            return reason;
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
            return Ocf.run(this, "monitor", 10_000, 20_000, Map.of("OCF_CHECK_LEVEL", Integer.toString(depth)));
        }
    }

    static Agent pulse(String type, String instance, Map<String, String> params, NetnsLab.Node node) {
        return new Agent(PULSE.resolve(type), "pulse", instance, params, node);
    }

    static Agent heartbeat(String type, String instance, Map<String, String> params, NetnsLab.Node node) {
        return new Agent(HEARTBEAT.resolve(type), "heartbeat", instance, params, node);
    }

    static Result run(Agent a, String action, long intervalMs, long timeoutMs, Map<String, String> extraEnv) {
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
                return new Result(action, done ? p.exitValue() : 1, Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8), elapsedMs, !done);
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
     * The lifecycle of {@code crm ra test} (like ocf-tester): meta-data valid, validate-all 0, probe 7,
     * start 0, monitor 0, start again 0, stop 0, stop again 0, probe 7. Returns the steps; fails with
     * every step printed when one gives the wrong code.
     */
    static List<Result> lifecycle(Agent a) throws IOException {
        List<Result> steps = new ArrayList<>();
        Result md = a.run("meta-data");
        steps.add(md);
        assertEquals(0, md.rc(), () -> a.type() + " meta-data: " + md);
        assertEquals("", schemaProblems(md.stdout()), a.type() + " meta-data does not validate against the OCF 1.1 schema");
        expect(a, steps, a.run("validate-all"), 0);
        expect(a, steps, a.run("monitor"), 7);
        expect(a, steps, a.run("start"), 0);
        expect(a, steps, a.monitor(10_000), 0);
        expect(a, steps, a.run("start"), 0);
        expect(a, steps, a.run("stop"), 0);
        expect(a, steps, a.run("stop"), 0);
        expect(a, steps, a.run("monitor"), 7);
        return steps;
    }

    static Result expect(Agent a, List<Result> steps, Result r, int rc) {
        steps.add(r);
        assertTrue(r.rc() == rc && !r.timedOut(), () -> a.provider() + ":" + a.type() + " step " + steps.size()
                + " expected rc " + rc + ", got " + r + "\nall steps so far:\n" + describe(steps));
        return r;
    }

    static String describe(List<Result> steps) {
        StringBuilder sb = new StringBuilder();
        for (Result r : steps) {
            sb.append("  ").append(r.action()).append(" rc=").append(r.rc()).append(' ').append(r.elapsedMs())
                    .append("ms\n");
        }
        return sb.toString();
    }
}
