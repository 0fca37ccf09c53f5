package org.pulse.lab.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pulse.lab.support.NetnsLab;

/**
 * One pulse-watchdog-sim per lab node (bin/pulse-watchdog-sim: a FIFO device that, unfed for its timeout,
 * powers its node off through the lab's power switch, as a kernel watchdog resets the machine), started
 * and awaited for the watchdog labs and benches. Close it before the cluster and the lab: their teardown
 * kills the nodes, and the watchdogs must not fire then.
 */
public final class WatchdogSims implements AutoCloseable {
    private final NetnsLab lab;
    private final Path devices;
    private final long timeoutMs;
    private final List<Process> processes = new ArrayList<>();

    private WatchdogSims(NetnsLab lab, Path devices, long timeoutMs) {
        this.lab = lab;
        this.devices = devices;
        this.timeoutMs = timeoutMs;
    }

    /** Starts one simulator per node and waits (60 s at most) until each says it is ready. */
    public static WatchdogSims start(NetnsLab lab, Path repo, long timeoutMs) throws IOException, InterruptedException {
        WatchdogSims sims = new WatchdogSims(lab, lab.dir("watchdog"), timeoutMs);
        Path power = lab.dir("power");
        try {
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                String name = lab.node(i).name();
                sims.processes.add(new ProcessBuilder(repo.resolve("bin/pulse-watchdog-sim").toString(), "--device",
                        sims.devices.resolve(name).toString(), "--timeout-ms", Long.toString(timeoutMs), "--node", name,
                        "--power-dir", power.toString(), "--agent", repo.resolve("crmd/src/main/fence/fence_pulse_sim").toString())
                        .redirectErrorStream(true).redirectOutput(sims.log(i).toFile()).start());
            }
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                Path log = sims.log(i);
                if (FailoverLab.waitFor(Duration.ofSeconds(60), () -> read(log).contains(" ready ") ? "ok" : null) == null) {
                    throw new IllegalStateException("the watchdog simulator of " + lab.node(i).name() + " did not start: "
                            + read(log));
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            sims.close();
            throw e;
        }
        return sims;
    }

    /** Node i's crmd.conf lines for its watchdog. */
    public String nodeConfig(int i) {
        return "watchdog = " + devices.resolve(lab.node(i).name()) + "\nwatchdog_timeout_ms = " + timeoutMs + "\n";
    }

    /** The simulator's log of node i (what it was fed, when it fired). */
    public Path log(int i) {
        return lab.workDir().resolve("watchdog-" + lab.node(i).name() + ".log");
    }

    /**
     * When (epoch ms, the simulator's clock) node i's watchdog was last fed before the first expiry it
     * logged at or after {@code afterEpochMs}, or -1 while it has logged none. Only whole lines count
     * (the simulator may be writing the last one).
     */
    public long lastFedBeforeExpiryEpochMs(int i, long afterEpochMs) {
        java.util.regex.Pattern expired = java.util.regex.Pattern.compile("^(\\d+) expired unfed_ms=(\\d+): ");
        for (String line : read(log(i)).split("\n", -1)) {
            java.util.regex.Matcher m = expired.matcher(line);
            if (m.find() && Long.parseLong(m.group(1)) >= afterEpochMs) {
                return Long.parseLong(m.group(1)) - Long.parseLong(m.group(2));
            }
        }
        return -1;
    }

    /** A file's text, "" while it does not exist or cannot be read (logs being written). */
    public static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
