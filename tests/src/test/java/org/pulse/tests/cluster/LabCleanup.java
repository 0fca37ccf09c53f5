package org.pulse.tests.cluster;

import java.io.IOException;
import java.time.Duration;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Procs;

/** The end of a lab test class: what it started is stopped and its directory removed (kept with -Dpulse.keep=true). */
final class LabCleanup {
    private LabCleanup() {
    }

    /** A remote node's pulse-remoted named by the outlet (power/remote1.pid) is killed, then the cluster closed. */
    static void closeAndRemove(LocalCluster cluster) throws IOException {
        if (cluster != null) {
            try {
                Procs.killAndAwait(RemoteNodeFailureTest.daemonPid(cluster.powerDir()), Duration.ofSeconds(10));
            } catch (IOException | NumberFormatException e) {
                // no daemon
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cluster.closeAndRemove();
        }
    }
}
