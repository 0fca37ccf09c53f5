package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;

/** What the crm node fence DC suites check after the DC went down: shared by the 3- and the 4-node one. */
final class FencedDcChecks {
    private FencedDcChecks() {
    }

    /** The suites' resources: one fence device of agent {@code fenceAgent} on the lab's power switch, and Dummy d1. */
    static String resources(String fenceAgent, java.nio.file.Path powerDir) {
        return "<resources><primitive id=\"fence-sim\" class=\"stonith\" type=\"" + fenceAgent + "\">"
                + "<instance_attributes id=\"fence-sim-ia\"><nvpair id=\"fence-sim-dir\" name=\"power_dir\" value=\""
                + powerDir + "\"/></instance_attributes></primitive>"
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive></resources>";
    }

    /**
     * Configures {@link #resources} and d1's preference for the DC (plus {@code moreConstraints}) through
     * {@code survivor}, then waits (60 s) for d1 to run on the DC: the state both suites fence the DC from.
     */
    static void configureWithD1OnDc(LocalCluster cluster, int survivor, int dcIndex, String dc, String fenceAgent,
            String moreConstraints, Supplier<String> logs) throws Exception {
        AdminResponse r = cluster.admin(survivor, AdminRequest.replace(
                cluster.nextId(), resources(fenceAgent, cluster.powerDir())));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        AdminResponse c = cluster.admin(survivor, AdminRequest.replace(
                cluster.nextId(), "<constraints><rsc_location id=\"d1-on-dc\" rsc=\"d1\" node=\"" + dc
                        + "\" score=\"100\"/>" + moreConstraints + "</constraints>"));
        assertTrue(c.ok(), () -> "constraints failed: " + c.error());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> dc.equals(LocalCluster.runningOn(cluster, dcIndex,
                "d1"))), () -> "d1 did not start on the DC " + dc + " within 60 s" + logs.get());
    }

    /**
     * Waits (90 s) for the survivors to agree on a new DC whose fence history (as survivors[1] shows it) has the
     * old DC's fencing succeeded; returns that history line (tab-separated, the executor in field 5).
     */
    static String awaitRecordedFencing(LocalCluster cluster, int[] survivors, String dc, Supplier<String> logs)
            throws InterruptedException {
        String[] line = new String[1];
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> {
            if (cluster.agreedDc(survivors) == null) {
                return false;
            }
            String h = FailoverAdmin.str(cluster.status(survivors[1]), "fence_history");
            for (String l : h == null ? new String[0] : h.split("\n")) {
                String[] f = l.split("\t", -1);
                if (f.length >= 8 && f[1].equals(dc) && f[3].equals("success")) {
                    line[0] = l;
                    return true;
                }
            }
            return false;
        }), () -> "no new DC with " + dc + "'s fencing in its history within 90 s: "
                + FailoverAdmin.str(cluster.status(survivors[0]), "text") + logs.get());
        return line[0];
    }

    /** Waits (60 s) for {@code rsc} to run on a node other than {@code dc}, as {@code survivor} sees it. */
    static void awaitRecoveredElsewhere(LocalCluster cluster, int survivor, String dc, String rsc, Supplier<String> logs)
            throws InterruptedException {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            String on = LocalCluster.runningOn(cluster, survivor, rsc);
            return on != null && !on.equals(dc);
        }), () -> rsc + " was not recovered on a survivor within 60 s: "
                + FailoverAdmin.str(cluster.status(survivor), "text") + logs.get());
    }

    /** How often the power-switch simulator switched {@code node}'s outlet off (off or reboot). */
    static long outletSwitches(LocalCluster cluster, String node) {
        return LogText.readOrEmpty(cluster.powerDir().resolve(node + ".history")).lines()
                .filter(l -> l.contains("reboot") || l.contains("off")).count();
    }

    static String outlet(LocalCluster cluster, String node) {
        return LogText.readOrEmpty(cluster.powerDir().resolve(node + ".history"));
    }
}
