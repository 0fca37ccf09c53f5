package org.pulse.tests.failover;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pulse.bench.FailoverProbe;
import org.pulse.tests.support.NetnsLab;

/**
 * bench/failover's poison-pill case (h): the outage a client sees when the poison-pill disk is the
 * only fence device (stonith:fence_pulse_sbd on a loop device laid out with msgwait {@value #MSGWAIT_MS}
 * ms, watchdog {@value #WATCHDOG_MS} ms, one pulse-watchdog-sim per node, as SbdPoisonPillLabTest),
 * the node holding the VIP dying as in case (a) (link down + SIGKILL). msgwait bounds the outage from
 * below: the fencer writes the pill and waits msgwait before it confirms. A lab of its own, as (g).
 */
final class SbdBench {
    static final long WATCHDOG_MS = 2000;
    static final long MSGWAIT_MS = 5000;
    static final long LOOP_MS = 500;

    private SbdBench() {
    }

    /**
     * failure_detection_ms of this lab: at least 500 (the lab tests' setting); with 200, a node booting
     * again while four JVMs and three simulators share two cores was suspected at once and stayed apart.
     */
    static long detectionMs(long fdMs) {
        return Math.max(500, fdMs);
    }

    static List<Long> trials(Path repo, int trials, long requestedFdMs) throws Exception {
        long fdMs = detectionMs(requestedFdMs);
        List<Long> out = new ArrayList<>();
        List<Process> sims = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create(FailoverLab.NODES)) {
            String disk = lab.loopImage("sbd", 4).device();
            NetnsLab.Result created = NetnsLab.run(List.of(repo.resolve("crmd/src/main/fence/fence_pulse_sbd").toString(),
                    "create", disk, "--nodes", "n1,n2,n3", "--watchdog-ms", Long.toString(WATCHDOG_MS), "--msgwait-ms",
                    Long.toString(MSGWAIT_MS), "--loop-ms", Long.toString(LOOP_MS)), java.util.Map.of(), Duration.ofSeconds(30));
            if (!created.ok()) {
                throw new IllegalStateException("fence_pulse_sbd create " + disk + ": " + created.stdout() + created.stderr());
            }
            Path devices = lab.dir("watchdog");
            Path power = lab.dir("power");
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                String name = lab.node(i).name();
                sims.add(new ProcessBuilder(repo.resolve("bin/pulse-watchdog-sim").toString(), "--device",
                        devices.resolve(name).toString(), "--timeout-ms", Long.toString(WATCHDOG_MS), "--node", name,
                        "--power-dir", power.toString(), "--agent", repo.resolve("crmd/src/main/fence/fence_pulse_sim").toString())
                        .redirectErrorStream(true).redirectOutput(lab.workDir().resolve("watchdog-" + name + ".log").toFile())
                        .start());
            }
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                Path log = lab.workDir().resolve("watchdog-" + lab.node(i).name() + ".log");
                if (FailoverLab.waitFor(Duration.ofSeconds(60), () -> WatchdogFencingLabTest.read(log).contains(" ready ")
                        ? "ok" : null) == null) {
                    throw new IllegalStateException("a watchdog simulator did not start: " + log);
                }
            }
            FailoverLab cluster = FailoverLab.start(lab, repo, fdMs, i -> "watchdog = " + devices.resolve(lab.node(i).name())
                    + "\nwatchdog_timeout_ms = " + WATCHDOG_MS + "\nsbd_devices = " + disk + "\n");
            try {
                if (FailoverLab.waitFor(Duration.ofSeconds(180), () -> cluster.agreedDc(cluster.all())) == null) {
                    throw new IllegalStateException("the poison-pill lab did not form in 180 s; logs " + cluster.logs());
                }
                for (int i = 1; i <= FailoverLab.NODES; i++) {
                    cluster.startNodeWebServer(i);
                }
                String vip = lab.vip(0);
                cluster.configureWhenJoined(1, List.of("property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                        "rsc_defaults resource-stickiness=100",
                        "primitive sbd stonith:fence_pulse_sbd params devices=" + disk + " op monitor interval=5s timeout=20s",
                        "primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                                + " op monitor interval=1s timeout=10s"));
                for (int t = 1; t <= trials; t++) {
                    String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("vip", cluster.all()));
                    if (on == null) {
                        throw new IllegalStateException("sbd trial " + t + ": the VIP runs nowhere; logs " + cluster.logs());
                    }
                    int victim = cluster.index(on);
                    try (FailoverLab.Client client = cluster.client(vip, 80)) {
                        if (FailoverLab.waitFor(Duration.ofSeconds(20), () -> client.okCount() >= 50 ? "ok" : null) == null) {
                            throw new IllegalStateException("sbd trial " + t + ": the client gets no page");
                        }
                        double[] killed = cluster.powerOff(victim);
                        FailoverProbe.Outage o = FailoverLab.waitFor(Duration.ofSeconds(60),
                                () -> FailoverProbe.outage(client.samples, killed[0], killed[1]));
                        if (o == null) {
                            throw new IllegalStateException("sbd trial " + t + ": no page within 60 s; logs " + cluster.logs());
                        }
                        out.add(o.ms());
                        System.out.printf("sbd trial %d: %s killed, outage %d ms (msgwait %d ms)%n", t, on, o.ms(),
                                MSGWAIT_MS);
                    }
                    // Its watchdog fires (the simulator powers the dead node off) before it boots again; booted,
                    // it clears its slot (the pill written for it) itself.
                    if (FailoverLab.waitFor(Duration.ofSeconds(20), () -> cluster.fenced(victim) ? "off" : null) == null) {
                        throw new IllegalStateException("sbd trial " + t + ": " + on + "'s watchdog did not fire");
                    }
                    cluster.powerOn(victim);
                    // The node's own web server went with it (a machine that boots starts it again).
                    cluster.startNodeWebServer(victim);
                    if (FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())) == null) {
                        throw new IllegalStateException("sbd trial " + t + ": " + on + " did not rejoin");
                    }
                }
            } finally {
                for (Process p : sims) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                cluster.close();
            }
        }
        return out;
    }
}
