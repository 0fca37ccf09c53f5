package org.pulse.bench.failover;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pulse.lab.support.NetnsLab;

/**
 * bench/failover's poison-pill case (h): the outage a client sees when the poison-pill disk is the
 * only fence device (stonith:fence_pulse_sbd on a loop device laid out with msgwait {@value #MSGWAIT_MS}
 * ms, watchdog {@value WatchdogBench#WATCHDOG_MS} ms, one pulse-watchdog-sim per node, as
 * SbdPoisonPillLabTest), the node holding the VIP dying as in case (a) (link down + SIGKILL). msgwait
 * bounds the outage from below: the fencer writes the pill and waits msgwait before it confirms. The
 * lab and trials are WatchdogBench's; this is what the disk adds.
 */
final class SbdBench {
    static final long WATCHDOG_MS = WatchdogBench.WATCHDOG_MS;
    static final long MSGWAIT_MS = 5000;
    static final long LOOP_MS = 500;

    private SbdBench() {
    }

    static long detectionMs(long fdMs) {
        return WatchdogBench.detectionMs(fdMs);
    }

    static final WatchdogBench.Fencing POISON_PILL = new WatchdogBench.Fencing() {
        public String label() {
            return "sbd";
        }

        public String bound() {
            return "msgwait " + MSGWAIT_MS + " ms";
        }

        public WatchdogBench.Setup prepare(NetnsLab lab, Path repo) throws Exception {
            String disk = lab.loopImage("sbd", 4).device();
            NetnsLab.Result created = NetnsLab.run(List.of(repo.resolve("crmd/src/main/fence/fence_pulse_sbd").toString(),
                    "create", disk, "--nodes", "n1,n2,n3", "--watchdog-ms", Long.toString(WATCHDOG_MS), "--msgwait-ms",
                    Long.toString(MSGWAIT_MS), "--loop-ms", Long.toString(LOOP_MS)), Map.of(), Duration.ofSeconds(30));
            if (!created.ok()) {
                throw new IllegalStateException("fence_pulse_sbd create " + disk + ": " + created.stdout() + created.stderr());
            }
            return new WatchdogBench.Setup("sbd_devices = " + disk + "\n", List.of(
                    "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                    "primitive sbd stonith:fence_pulse_sbd params devices=" + disk + " op monitor interval=5s timeout=20s"));
        }
    };

    static List<Long> trials(Path repo, int trials, long requestedFdMs) throws Exception {
        return WatchdogBench.trials(repo, trials, requestedFdMs, POISON_PILL);
    }
}
