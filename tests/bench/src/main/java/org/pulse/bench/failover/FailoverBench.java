package org.pulse.bench.failover;

import static org.pulse.lab.failover.FailoverTrials.NO_GUARD_PROPERTY;
import static org.pulse.lab.failover.FailoverTrials.max;
import static org.pulse.lab.failover.FailoverTrials.median;
import static org.pulse.lab.failover.FailoverTrials.min;
import static org.pulse.lab.failover.FailoverTrials.startLoad;
import static org.pulse.lab.failover.FailoverTrials.stopLoad;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pulse.bench.BenchArgs;
import org.pulse.lab.failover.BmcLab;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.failover.FailoverTrials;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * bench/failover (root): reads the options, starts the 3-node lab (and the BMCs of case (e)), runs
 * the cases (a)-(f) of {@link FailoverTrials} on it, then the watchdog-only case (g) and the
 * poison-pill case (h) in labs of their own ({@link WatchdogBench}, {@link SbdBench}), and prints the
 * summary lines the script's header lists. The lab and the cases live in tests/lab, shared with the
 * lab tests (RestartSoakLabTest runs (f) bounded). No JUnit is loaded.
 */
public final class FailoverBench {
    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (TestEnv.Missing e) {
            // A piece of the lab is missing (a tool, root, a build): say which, not a stack trace.
            System.err.println("bench/failover: " + e.getMessage());
            System.exit(3);
        }
    }

    static final String USAGE = "usage: bench/failover [--quick] [--trials N] [--moves N] [--soak-s S]"
            + " [--failure-detection-ms D] [--ipmi-trials N (default: --trials; 0: no IPMI case)]"
            + " [--only-ipmi] [--soak-load] [--restart-soak-s S] [--restart-every-s S] [--no-guard]"
            + " [--watchdog-trials N (default: --trials; 0: no watchdog case)] [--only-watchdog]"
            + " [--sbd-trials N (default: --trials; 0: no poison-pill case)] [--only-sbd]"
            + " [--steady-s S (kill trials start after S s of normal running; 0: back to back)]";

    private static void run(String[] args) throws Exception {
        int trials = 10;
        int moves = 5;
        long soakS = 600;
        // crmd's default, 500 ms: a figure counts only at a setting that never fences a healthy node.
        // At 200 ms (the old headline) a quiet machine ran 600 s without a view change, but on the
        // shared 2-core machine (load average 33-138) healthy nodes were fenced even with messaging's
        // SuspicionGuard: a suspect that itself does not run for 200 ms cannot be told from a dead
        // one. At 500 ms under --soak-load (load 31-57): false_fences=0 over trials and soaks.
        long fdMs = 500;
        boolean quick = false;
        int ipmiTrials = -1;
        boolean onlyIpmi = false;
        int watchdogTrials = -1;
        boolean onlyWatchdog = false;
        int sbdTrials = -1;
        boolean onlySbd = false;
        boolean soakLoad = false;
        boolean noGuard = false;
        long restartSoakS = 600;
        long restartEveryS = 30;
        long steadyS = 0;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick":
                        quick = true;
                        soakS = 60;
                        restartSoakS = 60;
                        break;
                    case "--soak-load":
                        soakLoad = true;
                        break;
                    case "--no-guard":
                        noGuard = true;
                        break;
                    case "--restart-soak-s":
                        restartSoakS = BenchArgs.longOf("--restart-soak-s", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--restart-every-s":
                        restartEveryS = BenchArgs.longOf("--restart-every-s", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--ipmi-trials":
                        ipmiTrials = BenchArgs.intOf("--ipmi-trials", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--only-ipmi":
                        onlyIpmi = true;
                        break;
                    case "--watchdog-trials":
                        watchdogTrials = BenchArgs.intOf("--watchdog-trials", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--only-watchdog":
                        onlyWatchdog = true;
                        break;
                    case "--sbd-trials":
                        sbdTrials = BenchArgs.intOf("--sbd-trials", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--only-sbd":
                        onlySbd = true;
                        break;
                    case "--trials":
                        trials = BenchArgs.intOf("--trials", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--moves":
                        moves = BenchArgs.intOf("--moves", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--soak-s":
                        soakS = BenchArgs.longOf("--soak-s", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--failure-detection-ms":
                        fdMs = BenchArgs.longOf("--failure-detection-ms", BenchArgs.value(args, ++i), 0);
                        break;
                    case "--steady-s":
                        steadyS = BenchArgs.longOf("--steady-s", BenchArgs.value(args, ++i), 0);
                        break;
                    default:
                        throw new BenchArgs.BadArgument("unknown option " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/failover", USAGE, e);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("bench/failover needs root (network namespaces, VIPs, mounts)");
            System.exit(2);
        }
        if (ipmiTrials < 0) {
            ipmiTrials = onlyWatchdog || onlySbd ? 0 : trials;
        }
        if (watchdogTrials < 0) {
            watchdogTrials = onlySbd ? 0 : trials;
        }
        if (sbdTrials < 0) {
            sbdTrials = onlyWatchdog ? 0 : trials;
        }
        if (onlyIpmi && ipmiTrials == 0) {
            System.err.println("--only-ipmi with --ipmi-trials 0 measures nothing");
            System.exit(2);
        }
        for (String tool : ipmiTrials > 0 ? List.of("ipmi_sim", "ipmitool", "fence_ipmilan") : List.<String>of()) {
            if (NetnsLab.run(List.of("sh", "-c", "command -v " + tool), Map.of(), Duration.ofSeconds(10)).rc() != 0) {
                System.err.println("bench/failover's IPMI case needs " + tool + " (apt-get install openipmi ipmitool"
                        + " fence-agents), or run it with --ipmi-trials 0");
                System.exit(2);
            }
        }
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        String cmd = "bench/failover" + (quick ? " --quick" : "") + " --trials " + trials + " --moves " + moves
                + " --soak-s " + soakS + " --failure-detection-ms " + fdMs + " --ipmi-trials " + ipmiTrials
                + (onlyIpmi ? " --only-ipmi" : "") + (soakLoad ? " --soak-load" : "") + " --restart-soak-s " + restartSoakS
                + " --restart-every-s " + restartEveryS + (noGuard ? " --no-guard" : "") + " --watchdog-trials " + watchdogTrials
                + (onlyWatchdog ? " --only-watchdog" : "") + " --sbd-trials " + sbdTrials + (onlySbd ? " --only-sbd" : "")
                + " --steady-s " + steadyS;
        if (restartSoakS > 0 && restartEveryS < 10) {
            System.err.println("--restart-every-s " + restartEveryS + " leaves no time to fence, reboot and rejoin: use 10 or more");
            System.exit(2);
        }
        if (!onlyWatchdog && !onlySbd) {
            runMainLab(repo, trials, moves, soakS, fdMs, ipmiTrials, onlyIpmi, cmd, soakLoad, noGuard, restartSoakS,
                    restartEveryS, steadyS);
        }
        if (watchdogTrials > 0 && !onlyIpmi) {
            // (g) in a lab of its own, after the others (see WatchdogBench).
            List<Long> w = WatchdogBench.trials(repo, watchdogTrials, fdMs);
            System.out.println(String.format(Locale.ROOT, "%-44s %6s %6s %6s %6s", "case", "trials", "min", "median", "max"));
            System.out.println(String.format(Locale.ROOT, "%-44s %6d %6d %6d %6d", "(g) VIP alone, watchdog-only fencing",
                    w.size(), min(w), median(w), max(w)));
            System.out.println("(g): no fence device; stonith-watchdog-timeout=" + WatchdogBench.STONITH_WATCHDOG_MS
                    + " ms bounds the outage from below (survivors wait it out after losing the node), watchdog "
                    + WatchdogBench.WATCHDOG_MS + " ms (pulse-watchdog-sim), failure_detection_ms="
                    + WatchdogBench.detectionMs(fdMs) + "; reproduce: sudo " + cmd);
            System.out.println(String.format(Locale.ROOT, "failover-watchdog watchdog_trials=%d watchdog_median_ms=%d"
                    + " watchdog_max_ms=%d stonith_watchdog_timeout_ms=%d watchdog_timeout_ms=%d", w.size(), median(w),
                    max(w), WatchdogBench.STONITH_WATCHDOG_MS, WatchdogBench.WATCHDOG_MS));
        }
        if (sbdTrials > 0 && !onlyIpmi) {
            // (h) in a lab of its own, last (see SbdBench).
            List<Long> w = SbdBench.trials(repo, sbdTrials, fdMs);
            System.out.println(String.format(Locale.ROOT, "%-44s %6s %6s %6s %6s", "case", "trials", "min", "median", "max"));
            System.out.println(String.format(Locale.ROOT, "%-44s %6d %6d %6d %6d", "(h) VIP alone, poison-pill disk only",
                    w.size(), min(w), median(w), max(w)));
            System.out.println("(h): the only fence device is stonith:fence_pulse_sbd (a loop device); msgwait="
                    + SbdBench.MSGWAIT_MS + " ms bounds the outage from below (the fencer waits it after writing the pill),"
                    + " watchdog " + SbdBench.WATCHDOG_MS + " ms (pulse-watchdog-sim), failure_detection_ms="
                    + SbdBench.detectionMs(fdMs) + "; reproduce: sudo " + cmd);
            System.out.println(String.format(Locale.ROOT, "failover-sbd sbd_trials=%d sbd_median_ms=%d sbd_max_ms=%d"
                    + " msgwait_ms=%d watchdog_timeout_ms=%d", w.size(), median(w), max(w), SbdBench.MSGWAIT_MS,
                    SbdBench.WATCHDOG_MS));
        }
        System.exit(0);
    }

    private static void runMainLab(Path repo, int trials, int moves, long soakS, long fdMs, int ipmiTrials,
            boolean onlyIpmi, String cmd, boolean soakLoad, boolean noGuard, long restartSoakS, long restartEveryS,
            long steadyS) throws Exception {
        try (NetnsLab lab = NetnsLab.create(FailoverLab.NODES)) {
            FailoverLab cluster = FailoverLab.start(lab, repo, fdMs, noGuard ? "-D" + NO_GUARD_PROPERTY + "=true" : "");
            BmcLab bmcs = null;
            List<Process> load = List.of();
            try {
                bmcs = ipmiTrials > 0 ? BmcLab.start(lab, repo, cluster.power) : null;
                // The load runs from the start, so the cluster also forms and warms up on busy cores.
                load = soakLoad ? startLoad() : List.of();
                FailoverTrials bench = new FailoverTrials(cluster, bmcs);
                bench.soakLoad = soakLoad;
                bench.restartSoakS = onlyIpmi ? 0 : restartSoakS;
                bench.restartEveryS = restartEveryS;
                bench.steadyMs = steadyS * 1000;
                bench.run(onlyIpmi ? 0 : trials, onlyIpmi ? 0 : moves, onlyIpmi ? 0 : soakS, fdMs, ipmiTrials, cmd);
            } finally {
                stopLoad(load);
                if (bmcs != null) {
                    bmcs.close();
                }
                cluster.close();
            }
        }
    }
}
