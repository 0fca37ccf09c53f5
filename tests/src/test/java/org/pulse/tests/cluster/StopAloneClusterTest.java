package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.LocalCluster;

/**
 * SIGTERM of the last crmd of three whose peers are gone (kill -9) must stop its resources, leave and exit
 * quickly: it took more than 15 s (up to the 60 s stop timeout). Both orders: stopped at once after its peers died
 * (its DC among them, before its view shrank), and stopped once it is alone.
 */
class StopAloneClusterTest {
    /** Well under the 60 s stop timeout, with room for a loaded machine. */
    static final long BOUND_MS = 15_000;
    LocalCluster cluster;
    Path dir;

    @BeforeEach
    void start() throws Exception {
        cluster = LocalCluster.startForSuite(StopAloneClusterTest.class, 3, 2_000);
        dir = cluster.root();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2, 3) != null), "no DC" + logs());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<resources>"
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"d2\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"d3\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></resources>"));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        // (fencing off: nothing here is about fencing, and without quorum the last node stops what it runs)
        AdminResponse p = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<crm_config><cluster_property_set"
                + " id=\"o\"><nvpair id=\"o-se\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set>"
                + "</crm_config>"));
        assertTrue(p.ok(), () -> "properties failed: " + p.error());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> LocalCluster.runningOn(cluster, 1, "d1") != null
                && LocalCluster.runningOn(cluster, 1, "d2") != null && LocalCluster.runningOn(cluster, 1, "d3") != null),
                "the Dummies did not start" + logs());
    }

    @AfterEach
    void stop() throws Exception {
        LabCleanup.closeAndRemove(cluster);
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= 3; n++) {
            b.append("\n--- node").append(n).append(":\n").append(LogText.tail(cluster.log(n)));
        }
        return b.toString();
    }

    /** The node that is not the DC and the two others (the DC first). */
    int[] survivorAndPeers() {
        int dc = Integer.parseInt(cluster.agreedDc(1, 2, 3).substring("node".length()));
        int survivor = dc == 3 ? 2 : 3;
        return new int[] {survivor, dc, 6 - dc - survivor};
    }

    long stopMs(int node) throws Exception {
        long t0 = System.nanoTime();
        boolean exited = cluster.stop(node, Duration.ofSeconds(70));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(exited, "node" + node + " did not exit within 70 s of SIGTERM" + logs());
        return ms;
    }

    @Test
    void stoppedRightAfterItsPeersDiedItExitsQuickly() throws Exception {
        int[] n = survivorAndPeers();
        cluster.kill9(n[1]);
        cluster.kill9(n[2]);
        long ms = stopMs(n[0]);
        System.out.println("StopAloneClusterTest: SIGTERM right after both peers died: exit in " + ms + " ms (load "
                + LocalCluster.load() + ")");
        assertTrue(ms < BOUND_MS, "exit took " + ms + " ms" + logs());
    }

    @Test
    void stoppedOnceAloneItExitsQuickly() throws Exception {
        int[] n = survivorAndPeers();
        cluster.kill9(n[1]);
        cluster.kill9(n[2]);
        String me = "node" + n[0];
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            var s = cluster.status(n[0]);
            return s != null && me.equals(org.pulse.lab.cluster.FailoverAdmin.str(s, "members"));
        }), me + " did not see itself alone" + logs());
        long ms = stopMs(n[0]);
        System.out.println("StopAloneClusterTest: SIGTERM once alone: exit in " + ms + " ms (load " + LocalCluster.load()
                + ")");
        assertTrue(ms < BOUND_MS, "exit took " + ms + " ms" + logs());
    }
}
