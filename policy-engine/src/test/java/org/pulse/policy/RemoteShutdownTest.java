package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A remote node whose pulse-remoted stopped cleanly (SIGTERM): the daemon first asked the cluster to shut the
 * node down (its shutdown attribute), waited for its resources to be stopped, then closed the connection. That
 * closing fails the connection's monitor, which for any other remote node means it must be fenced (its
 * resources' state is unknown); for one that asked to shut down and runs nothing it must not. Should something
 * still run there, the node is fenced all the same, once the connection cannot come back.
 */
class RemoteShutdownTest {
    private static final String CONNECTION = "<primitive id=\"rem1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">"
            + "<operations><op id=\"rem1-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";

    static TestCibs connectionLost(boolean askedToShutDown, boolean d1StillThere) {
        TestCibs t = TestCibs.cluster().option("stonith-enabled", "true").node("n1").node("n2").remoteNode("rem1")
                .resources(CONNECTION).fenceDevice("fence").primitive("d1")
                .monitorFailed("rem1", "n1").notRunning("rem1", "n2")
                .running("fence", "n2").notRunning("fence", "n1");
        t = d1StillThere ? t.running("d1", "rem1").notRunning("d1", "n1") : t.notRunning("d1", "rem1").running("d1", "n1");
        t = t.notRunning("d1", "n2");
        return askedToShutDown ? t.transientAttribute("rem1", "shutdown", "1795000000") : t;
    }

    static SNode rem1(TestCibs t) {
        return t.unpack().nodes().stream().filter(n -> n.name.equals("rem1")).findFirst().orElseThrow();
    }

    @Test
    void aRemoteNodeThatAskedToShutDownAndRunsNothingIsNotFencedWhenItsConnectionEnds() {
        SNode asked = rem1(connectionLost(true, false));
        assertFalse(asked.unclean, "fenced although its daemon asked to shut down and stopped cleanly: "
                + asked.uncleanReason);
        SNode lost = rem1(connectionLost(false, false));
        assertTrue(lost.unclean, "a connection lost without a shutdown request still fences the node");
        assertTrue(lost.remoteRequiresReset, "the lost connection is what makes it unclean");
    }
}
