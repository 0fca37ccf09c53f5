package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.MERGE3;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second opinion: node2 stops hearing the coordinator node1 (everything from node1 is dropped
 * on node2's receiving side), node3 still hears it. Without the guard node2, next in line,
 * suspects node1 after 0.64 D, VERIFY_SUSPECT2 confirms (node1's answer is dropped too), and node2
 * makes itself coordinator of a view without node1: in crmd, a healthy DC fenced. With it, node3's
 * "heard node1 a moment ago" holds the suspicion for up to max(2 s, 4 D).
 */
class SecondOpinionTest {
    private static final long DETECTION_MS = 500;

    @TempDir
    Path dir;

    @Test
    void aSuspicionOfTheCoordinatorThatAnotherMemberContradictsIsHeld() throws Exception {
        try (TestCluster c = new TestCluster(dir, "opinion", 3, DETECTION_MS)) {
            c.start(0);
            c.recorder(0).awaitView(v -> v.size() == 1, 30_000, "node1 alone first, so it is the coordinator");
            c.start(1);
            c.start(2);
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 30_000, "3 members");
            }
            Address node1 = c.node(0).channel().getAddress();
            int[] before = {c.recorder(0).size(), c.recorder(1).size(), c.recorder(2).size()};
            DISCARD deaf = new DISCARD();
            deaf.addIgnoreMember(node1);
            ProtocolStack stack = c.node(1).channel().getProtocolStack();
            stack.insertProtocol(deaf, ProtocolStack.Position.ABOVE, MERGE3.class);
            long holdMs = SuspicionGuard.Settings.of(Timing.derive(DETECTION_MS)).maxHoldMs();
            try {
                // Well past the detection time (FD_ALL3 raises the suspicion every 80 ms), short of the longest hold.
                Thread.sleep(holdMs * 3 / 4);
                long[] held = c.node(1).heldSuspicions();
                System.out.println("FIGURE second opinion: node2 deaf to node1 for " + holdMs * 3 / 4 + " ms: " + held[0]
                        + " suspicions held, " + held[2] + " of them vetoed by another member");
                for (int i = 0; i < 3; i++) {
                    List<ClusterView> views = c.recorder(i).views();
                    for (ClusterView v : views.subList(Math.min(before[i], views.size()), views.size())) {
                        assertTrue(v.members().contains("node1"), "node" + (i + 1) + " saw a view without the healthy"
                                + " coordinator: " + v.members());
                    }
                }
                assertTrue(held[2] > 0, "node3's answer vetoed node2's suspicion of node1: " + held[2] + " vetoes");
            } finally {
                stack.removeProtocol(deaf);
            }
        }
    }
}
