package org.pulse.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;
import org.pulse.policy.simulate.SimulateOptions;
import org.pulse.shell.commands.ResidentSimulation;

/**
 * The resident scheduler's line of bench/scheduler: one real crmd (bin/crmd, one node on loopback,
 * its heap raised with --heap so big CIBs pass its heap check), and the benchmark's files sent to it
 * as {@code crm simulate -Q --save-graph} sends them (gzipped above 1 MiB). Per file: the first
 * request's wall ms (that CIB's size new to the JIT), the median of --rounds more, one
 * {@code bin/crm --via-crmd} run (the shell's own cold start-up included), crmd's peak RSS so far,
 * and whether the graph equals the in-process one bench/scheduler saved beside the file
 * ({@code graph-NAME.xml}). Prints one line per file:
 * {@code resident FILE actions=.. first_ms=.. request_ms=.. crmd_cpu_ms=.. crm_cli_ms=.. crmd_peak_rss_mb=.. same_graph=..}
 * (crmd_cpu_ms: crmd's CPU time per request, the median's rounds).
 */
public final class ResidentSchedulerBench {
    private ResidentSchedulerBench() {
    }

    static final String USAGE = "usage: ResidentSchedulerBench [--rounds N] [--heap 4g] FILE...   (bench/scheduler runs it)";

    public static void main(String[] args) throws Exception {
        List<Path> files = new ArrayList<>();
        int rounds = 5;
        String heap = "4g";
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rounds": rounds = BenchArgs.intOf("--rounds", BenchArgs.value(args, ++i), 0); break;
                    case "--heap": heap = BenchArgs.value(args, ++i); break;
                    default:
                        if (args[i].startsWith("-")) {
                            throw new BenchArgs.BadArgument("unknown option " + args[i]);
                        }
                        files.add(Path.of(args[i]));
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("ResidentSchedulerBench", USAGE, e);
        }
        if (files.isEmpty()) {
            BenchArgs.exitBad("ResidentSchedulerBench", USAGE, new BenchArgs.BadArgument("give CIB files"));
        }
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("pulse-resident-bench-");
        int basePort = Ports.freeBase(10);
        // room for the biggest CIB, and time: a 183 MB CIB on a machine others load can take minutes
        System.setProperty("pulse.daemon.extraOpts", "-Xmx" + heap + " -Dpulse.residentTimeoutMs=900000");
        try (LocalCluster cluster = LocalCluster.start(repo, dir, 1, basePort, 2_000)) {
            if (!LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1) != null)) {
                throw new IllegalStateException("ResidentSchedulerBench: crmd formed no cluster in 90 s; log in " + dir);
            }
            // the daemon's own warm-up runs 5 s after start (ResidentScheduler.WARM_UP_DELAY_MS)
            Thread.sleep(8_000);
            FailoverAdmin admin = new FailoverAdmin();
            SimulateOptions quietGraph = new SimulateOptions(false, true, false, List.of(), List.of(), List.of(),
                    List.of(), List.of(), null, null, List.of(), List.of(), List.of(), List.of(), false, false, false,
                    false, false, true);
            Instant now = Instant.ofEpochSecond(1_700_000_000L);
            for (Path file : files) {
                long[] walls = new long[rounds + 1];
                long[] cpus = new long[rounds + 1];
                String graph = null;
                long actions = 0;
                String refused = null;
                for (int r = 0; r <= rounds && refused == null; r++) {
                    long t0 = System.nanoTime();
                    long c0 = cpuMs(cluster.pid(1));
                    // as the shell does: read the file, pack it, one request, the graph back
                    byte[] bytes = Files.readAllBytes(file);
                    AdminArgs a = quietGraph.toArgs(ResidentSimulation.cibArgs(bytes).with("now_ms", now.toEpochMilli()));
                    AdminResponse resp = admin.call(cluster.socket(1), new AdminRequest("bench-" + r, AdminOp.SIMULATE, a));
                    if (!resp.ok()) {
                        System.err.println("ResidentSchedulerBench: crmd refused " + file + ": "
                                + resp.error().message() + " [" + resp.error().code() + "]");
                        refused = resp.error().code();
                        break;
                    }
                    graph = resp.result().string("graph").orElse("");
                    Files.writeString(dir.resolve("graph.xml"), graph);
                    walls[r] = System.nanoTime() - t0;
                    cpus[r] = cpuMs(cluster.pid(1)) - c0;
                    actions = resp.result().number("actions").orElse(-1L);
                }
                if (refused != null) {
                    System.out.printf("resident %s refused=%s crmd_peak_rss_mb=%d%n", file.getFileName(), refused,
                            peakRssMb(cluster.pid(1)));
                    continue;
                }
                long[] later = Arrays.copyOfRange(walls, 1, walls.length);
                Arrays.sort(later);
                long[] laterCpu = Arrays.copyOfRange(cpus, 1, cpus.length);
                Arrays.sort(laterCpu);
                // the resident figures stand without it: a shell that gives up on a loaded machine prints -1
                long cliMs;
                try {
                    cliMs = cli(repo, cluster.socket(1), file, dir.resolve("graph-cli.xml"));
                } catch (IllegalStateException e) {
                    System.err.println(e.getMessage());
                    cliMs = -1;
                    Files.deleteIfExists(dir.resolve("graph-cli.xml"));
                }
                String name = file.getFileName().toString();
                Path expected = file.resolveSibling("graph-" + name.replaceFirst("^cib-", ""));
                String same = Files.exists(expected)
                        ? Boolean.toString(Files.readString(expected, StandardCharsets.UTF_8).equals(graph)
                                && (cliMs < 0 || Files.readString(dir.resolve("graph-cli.xml")).equals(graph)))
                        : "n/a";
                System.out.printf("resident %s actions=%d first_ms=%d request_ms=%d crmd_cpu_ms=%d crm_cli_ms=%d"
                        + " crmd_peak_rss_mb=%d same_graph=%s%n", name, actions, walls[0] / 1_000_000,
                        later.length == 0 ? walls[0] / 1_000_000 : later[later.length / 2] / 1_000_000,
                        laterCpu.length == 0 ? cpus[0] : laterCpu[laterCpu.length / 2], cliMs,
                        peakRssMb(cluster.pid(1)), same);
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** bin/crm --via-crmd -Q --save-graph: the operator's command, wall ms (its cold JVM included). */
    private static long cli(Path repo, Path socket, Path file, Path graph) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(repo.resolve("bin/crm").toString(), "--socket", socket.toString(), "--cib-file",
                file.toString(), "simulate", "--via-crmd", "-Q", "--save-graph", graph.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ResidentSchedulerBench: bin/crm simulate --via-crmd on " + file
                    + " failed: " + out);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * The process's CPU time so far (user + system, /proc/PID/stat, at the kernel's 100 ticks a
     * second): a request's cost in crmd that a machine busy with other work distorts less than wall time.
     */
    private static long cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The process's peak resident set (VmHWM), MB. */
    private static long peakRssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            // not Linux, or the process is gone
        }
        return -1;
    }
}
