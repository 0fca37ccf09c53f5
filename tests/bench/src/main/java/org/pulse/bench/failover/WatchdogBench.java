package org.pulse.bench.failover;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.failover.WatchdogSims;
import org.pulse.lab.support.NetnsLab;

/**
 * bench/failover's watchdog case: the outage a client sees with watchdog-only fencing (no fence
 * device; stonith-watchdog-timeout {@value #STONITH_WATCHDOG_MS} ms, watchdog {@value #WATCHDOG_MS} ms, one
 * pulse-watchdog-sim per node), the node holding the VIP dying as in case (a) (link down + SIGKILL).
 * stonith-watchdog-timeout bounds the outage from below: the survivors wait it out after losing the
 * node. A lab of its own (its nodes feed watchdogs, which the other cases must not have: a node they
 * kill would be powered off again by its watchdog after it came back).
 */
final class WatchdogBench {
    static final long WATCHDOG_MS = 2000;
    static final long STONITH_WATCHDOG_MS = 5000;

    private WatchdogBench() {
    }

    /**
     * failure_detection_ms of this lab: at least 500 (the lab tests' setting); with 200, a node booting
     * again while four JVMs and three simulators share two cores was suspected at once and stayed apart.
     */
    static long detectionMs(long fdMs) {
        return Math.max(500, fdMs);
    }

    /**
     * What differs between the self-fencing labs (this one's watchdog-only fencing, SbdBench's poison-pill
     * disk): the name in messages, the bound printed with each trial, and what the lab adds once it exists.
     */
    interface Fencing {
        /** "watchdog", "sbd": the trial lines and errors. */
        String label();

        /** The setting that bounds the outage from below, as printed with each trial. */
        String bound();

        /** Prepares the lab (a disk, say); returns the node config's extra lines and the CIB's fencing lines. */
        Setup prepare(NetnsLab lab, Path repo) throws Exception;
    }

    /** @param nodeConfig lines after the watchdog's in each node's config; @param cib crm lines that set fencing up */
    record Setup(String nodeConfig, List<String> cib) {
    }

    /** Watchdog-only fencing: no fence device, stonith-watchdog-timeout. */
    static final Fencing WATCHDOG_ONLY = new Fencing() {
        public String label() {
            return "watchdog";
        }

        public String bound() {
            return "stonith-watchdog-timeout " + STONITH_WATCHDOG_MS + " ms";
        }

        public Setup prepare(NetnsLab lab, Path repo) {
            return new Setup("", List.of("property stonith-enabled=true no-quorum-policy=stop stonith-action=off"
                    + " stonith-watchdog-timeout=" + STONITH_WATCHDOG_MS + "ms"));
        }
    };

    static List<Long> trials(Path repo, int trials, long requestedFdMs) throws Exception {
        return trials(repo, trials, requestedFdMs, WATCHDOG_ONLY);
    }

    /** The trials of a lab whose nodes feed a pulse-watchdog-sim each, fenced as {@code fencing} says. */
    static List<Long> trials(Path repo, int trials, long requestedFdMs, Fencing fencing) throws Exception {
        long fdMs = detectionMs(requestedFdMs);
        String label = fencing.label();
        List<Long> out = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create(FailoverLab.NODES)) {
            Setup setup = fencing.prepare(lab, repo);
            WatchdogSims sims = WatchdogSims.start(lab, repo, WATCHDOG_MS);
            FailoverLab cluster = FailoverLab.start(lab, repo, fdMs, i -> sims.nodeConfig(i) + setup.nodeConfig());
            try {
                if (FailoverLab.waitFor(Duration.ofSeconds(180), () -> cluster.agreedDc(cluster.all())) == null) {
                    throw new IllegalStateException("the " + label + " lab did not form in 180 s; logs " + cluster.logs());
                }
                for (int i = 1; i <= FailoverLab.NODES; i++) {
                    cluster.startNodeWebServer(i);
                }
                String vip = lab.vip(0);
                List<String> cib = new ArrayList<>(setup.cib());
                cib.add("rsc_defaults resource-stickiness=100");
                cib.add("primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                        + " op monitor interval=1s timeout=10s");
                cluster.configureWhenJoined(1, cib);
                for (int t = 1; t <= trials; t++) {
                    String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("vip", cluster.all()));
                    if (on == null) {
                        throw new IllegalStateException(label + " trial " + t + ": the VIP runs nowhere; logs " + cluster.logs());
                    }
                    int victim = cluster.index(on);
                    try (FailoverLab.Client client = cluster.client(vip, 80)) {
                        if (FailoverLab.waitFor(Duration.ofSeconds(20), () -> client.okCount() >= 50 ? "ok" : null) == null) {
                            throw new IllegalStateException(label + " trial " + t + ": the client gets no page");
                        }
                        double[] killed = cluster.powerOff(victim);
                        FailoverProbe.Outage o = FailoverLab.waitFor(Duration.ofSeconds(60),
                                () -> FailoverProbe.outage(client.samples, killed[0], killed[1]));
                        if (o == null) {
                            throw new IllegalStateException(label + " trial " + t + ": no page within 60 s; logs " + cluster.logs());
                        }
                        out.add(o.ms());
                        System.out.printf("%s trial %d: %s killed, outage %d ms (%s)%n", label, t, on, o.ms(),
                                fencing.bound());
                    }
                    // Its watchdog fires (the simulator powers the dead node off) before it boots again (with a
                    // poison-pill disk, booted, it clears its own slot).
                    if (FailoverLab.waitFor(Duration.ofSeconds(20), () -> cluster.fenced(victim) ? "off" : null) == null) {
                        throw new IllegalStateException(label + " trial " + t + ": " + on + "'s watchdog did not fire");
                    }
                    cluster.powerOn(victim);
                    // The node's own web server went with it (a machine that boots starts it again).
                    cluster.startNodeWebServer(victim);
                    if (FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())) == null) {
                        throw new IllegalStateException(label + " trial " + t + ": " + on + " did not rejoin");
                    }
                }
            } finally {
                sims.close(); // first: the cluster's teardown kills the nodes, and the watchdogs must not fire then
                cluster.close();
            }
        }
        return out;
    }
}
