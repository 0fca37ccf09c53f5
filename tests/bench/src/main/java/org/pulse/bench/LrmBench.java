package org.pulse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * LRM overhead per operation, and per-agent action times.
 *
 * <p>Overhead: what running an operation through the LRM costs on top of running the agent's program
 * itself. Measured in pairs, alternating: (a) a bare {@code ProcessBuilder.start()} + {@code waitFor()} of
 * /bin/true, the least a JVM can do to run a program and get its exit status; (b) {@code Lrm.submit} of a
 * monitor whose agent is /bin/true (an OCF agent file symlinked to it), timed until the result reaches the
 * listener: queue, worker hand-off, environment, setsid, pipes, drain, exit-code mapping, history,
 * listener. The overhead of a pair is (b) - (a); its median and p99 are reported. /bin/true's own run time
 * is inside both and cancels out. Absolute (b) figures are printed too.
 *
 * <p>Per-agent: start, monitor, stop of ocf:heartbeat:Dummy (and ocf:pulse:Dummy when present), each op's
 * {@code exec-time} (spawn to exit) through the LRM, median over the cycles.
 */
public final class LrmBench {
    private LrmBench() {
    }

    static final String USAGE = "usage: bench/lrm [--ops N] [--cycles N]";

    public static void main(String[] args) throws Exception {
        int ops = 500;
        int cycles = 20;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--ops": ops = BenchArgs.intOf("--ops", BenchArgs.value(args, ++i), 1); break;
                    case "--cycles": cycles = BenchArgs.intOf("--cycles", BenchArgs.value(args, ++i), 1); break;
                    default:
                        throw new BenchArgs.BadArgument("unknown option " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/lrm", USAGE, e);
        }
        Path root = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("pulse-lrm-bench");
        try {
            Path prov = Files.createDirectories(dir.resolve("ocf/resource.d/bench"));
            Files.createSymbolicLink(prov.resolve("true"), Path.of("/bin/true"));
            Path rsctmp = Files.createDirectories(dir.resolve("rsctmp"));
            List<Path> agentDirs = new ArrayList<>(List.of(dir.resolve("ocf")));
            Path pulseAgents = root.resolve("resource-agents/src/main/ocf");
            if (Files.isDirectory(pulseAgents)) {
                agentDirs.add(pulseAgents);
            }
            agentDirs.add(LrmConfig.DEFAULT_OCF_ROOT);
            LrmConfig config = LrmConfig.defaults().withAgentDirs(agentDirs).withHaRsctmp(rsctmp).withNodeName("bench");
            System.out.println("LRM benchmark: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version"));
            double[] overhead = overhead(config, ops);
            perAgent(config, AgentRef.parse("ocf:heartbeat:Dummy"), cycles);
            if (Files.isExecutable(pulseAgents.resolve("resource.d/pulse/Dummy"))) {
                perAgent(config, AgentRef.parse("ocf:pulse:Dummy"), cycles);
            }
            System.out.println();
            System.out.println("reproduce: bench/lrm --ops " + ops + " --cycles " + cycles
                    + "   (build first: mvn -B -q -DskipTests package)");
            System.out.printf("lrm overhead_median_ms=%.2f overhead_p99_ms=%.2f%n", overhead[0], overhead[1]);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Returns {median, p99} of the per-pair overhead in ms. */
    private static double[] overhead(LrmConfig config, int ops) throws Exception {
        Map<Integer, Long> reportedAt = new ConcurrentHashMap<>();
        Map<Integer, CountDownLatch> done = new ConcurrentHashMap<>();
        AgentRef trueAgent = AgentRef.ocf("bench", "true");
        int warmup = Math.min(100, ops);
        double[] bare = new double[ops];
        double[] viaLrm = new double[ops];
        double[] diff = new double[ops];
        try (Lrm lrm = new Lrm(config, r -> {
            reportedAt.put(r.callId(), System.nanoTime());
            CountDownLatch l = done.get(r.callId());
            if (l != null) {
                l.countDown();
            }
        })) {
            for (int i = -warmup; i < ops; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("/bin/true").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                p.getInputStream().close();
                p.waitFor();
                long bareNs = System.nanoTime() - t0;

                OperationRequest req = OperationRequest.of("t" + (i & 7), trueAgent, "monitor", 10_000, Map.of());
                CountDownLatch latch = new CountDownLatch(1);
                long t1 = System.nanoTime();
                // The latch is registered by call id right after submit; a result that beats it is still caught
                // through reportedAt.
                Lrm.Submission s = lrm.submit(req);
                done.put(s.callId(), latch);
                if (!reportedAt.containsKey(s.callId())) {
                    latch.await(30, TimeUnit.SECONDS);
                }
                OperationResult r = s.result().get(30, TimeUnit.SECONDS);
                while (!reportedAt.containsKey(s.callId())) {
                    Thread.onSpinWait();
                }
                long lrmNs = reportedAt.get(s.callId()) - t1;
                if (r.rcCode() != 0) {
                    throw new IllegalStateException("the bench agent failed: " + r.summary());
                }
                if (i >= 0) {
                    bare[i] = bareNs / 1e6;
                    viaLrm[i] = lrmNs / 1e6;
                    diff[i] = (lrmNs - bareNs) / 1e6;
                }
            }
        }
        System.out.println();
        System.out.println("Overhead per operation (" + ops + " pairs after " + warmup + " warm-up; agent = /bin/true)");
        row("bare ProcessBuilder start+waitFor", bare);
        row("Lrm.submit -> listener", viaLrm);
        row("overhead (pairwise difference)", diff);
        Arrays.sort(diff);
        return new double[] {pct(diff, 50), pct(diff, 99)};
    }

    private static void perAgent(LrmConfig config, AgentRef agent, int cycles) throws Exception {
        String[] actions = {"start", "monitor", "stop"};
        double[][] exec = new double[actions.length][cycles];
        double[][] total = new double[actions.length][cycles];
        Map<Integer, Long> reportedAt = new ConcurrentHashMap<>();
        try (Lrm lrm = new Lrm(config, r -> reportedAt.put(r.callId(), System.nanoTime()))) {
            for (int c = 0; c < cycles; c++) {
                for (int a = 0; a < actions.length; a++) {
                    long t0 = System.nanoTime();
                    Lrm.Submission s = lrm.submit(OperationRequest.of("bench-dummy", agent, actions[a], 20_000, Map.of()));
                    OperationResult r = s.result().get(60, TimeUnit.SECONDS);
                    while (!reportedAt.containsKey(s.callId())) {
                        Thread.onSpinWait();
                    }
                    if (r.rcCode() != 0) {
                        throw new IllegalStateException(agent + " " + actions[a] + " failed: " + r.summary() + "\n" + r.stderr());
                    }
                    exec[a][c] = r.execTimeMs();
                    total[a][c] = (reportedAt.get(s.callId()) - t0) / 1e6;
                }
            }
        }
        System.out.println();
        System.out.println(agent + " (" + cycles + " start/monitor/stop cycles; exec-time = spawn to exit, total = submit to listener)");
        for (int a = 0; a < actions.length; a++) {
            double[] e = exec[a].clone();
            double[] t = total[a].clone();
            Arrays.sort(e);
            Arrays.sort(t);
            System.out.printf("  %-8s exec-time median %6.1f ms  p90 %6.1f ms   total median %6.1f ms%n", actions[a],
                    pct(e, 50), pct(e, 90), pct(t, 50));
        }
    }

    private static void row(String what, double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        System.out.printf("  %-36s median %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what, pct(s, 50), pct(s, 90),
                pct(s, 99), s[s.length - 1]);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(double[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
