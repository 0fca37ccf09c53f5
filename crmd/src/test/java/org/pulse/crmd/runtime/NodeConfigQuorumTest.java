package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.crmd.controller.QuorumConfig;

/** two_node, wait_for_all and tie_breaker in the node config. */
class NodeConfigQuorumTest {
    static NodeConfig parse(String nodes, String... extra) throws NodeConfig.ConfigException {
        List<String> lines = new ArrayList<>(List.of("node = a", "nodes = " + nodes));
        lines.addAll(List.of(extra));
        return NodeConfig.parse(NodeConfigTest.FILE, lines);
    }

    static final String TWO = "a@127.0.0.1:7801, b@127.0.0.1:7802";
    static final String THREE = TWO + ", c@127.0.0.1:7803";

    @Test
    void byDefaultAMajorityDecides() throws Exception {
        assertEquals(QuorumConfig.MAJORITY, parse(THREE).quorum());
    }

    @Test
    void twoNodeImpliesWaitForAllUnlessItIsTurnedOff() throws Exception {
        QuorumConfig q = parse(TWO, "two_node = true").quorum();
        assertTrue(q.twoNode() && q.waitForAll());
        q = parse(TWO, "two_node = yes", "wait_for_all = false").quorum();
        assertTrue(q.twoNode());
        assertFalse(q.waitForAll());
        assertTrue(parse(THREE, "wait_for_all = 1").quorum().waitForAll());
    }

    @Test
    void twoNodeWithThreeNodesIsRefusedNamingTheKeyAndLine() {
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(THREE, "two_node = true"));
        assertTrue(e.getMessage().contains("crmd.conf:3") && e.getMessage().contains("two_node")
                && e.getMessage().contains("exactly 2 nodes"), e.getMessage());
    }

    @Test
    void tieBreakers() throws Exception {
        assertEquals(QuorumConfig.TieBreaker.LOWEST, parse(THREE, "tie_breaker = lowest").quorum().tieBreaker());
        assertEquals(QuorumConfig.TieBreaker.ping("192.0.2.1"),
                parse(THREE, "tie_breaker = ping:192.0.2.1").quorum().tieBreaker());
        assertEquals(QuorumConfig.TieBreaker.lease("/shared/pulse.lease"),
                parse(THREE, "tie_breaker = lease:/shared/pulse.lease").quorum().tieBreaker());
        NodeConfig.ConfigException relative = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(THREE, "tie_breaker = lease:pulse.lease"));
        assertTrue(relative.getMessage().contains("lease:/ABSOLUTE/PATH"), relative.getMessage());
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(THREE, "tie_breaker = highest"));
        assertTrue(e.getMessage().contains(":3:") && e.getMessage().contains("tie_breaker"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse(THREE, "tie_breaker = ping:"));
        assertTrue(e.getMessage().contains("ping:ADDRESS"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse(THREE, "wait_for_all = maybe"));
        assertTrue(e.getMessage().contains("wait_for_all = maybe is not true or false"), e.getMessage());
    }

    @Test
    void anArbitratorWithItsAlgorithmAndTieBreaker() throws Exception {
        QuorumConfig.TieBreaker tb = parse(THREE, "tie_breaker = arbitrator:192.0.2.7").quorum().tieBreaker();
        assertEquals(QuorumConfig.TieBreaker.arbitrator("192.0.2.7:5403", QuorumConfig.Arbitration.DEFAULT), tb);
        tb = parse(THREE, "tie_breaker = arbitrator:qnet.example:6000", "arbitrator_algorithm = lms",
                "arbitrator_tie_breaker = c").quorum().tieBreaker();
        assertEquals("qnet.example:6000", tb.target());
        assertEquals(new QuorumConfig.Arbitration(QuorumConfig.Arbitration.Algorithm.LMS, "c"), tb.arbitration());
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(THREE, "tie_breaker = arbitrator:192.0.2.7", "arbitrator_tie_breaker = zed"));
        assertTrue(e.getMessage().contains("arbitrator_tie_breaker = zed is not lowest, highest or one of the nodes"),
                e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(THREE, "tie_breaker = arbitrator:192.0.2.7", "arbitrator_algorithm = 2nodelms"));
        assertTrue(e.getMessage().contains("is not ffsplit or lms"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse(THREE, "arbitrator_algorithm = lms"));
        assertTrue(e.getMessage().contains("goes with tie_breaker = arbitrator:HOST only"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class,
                () -> parse(TWO, "two_node = true", "tie_breaker = arbitrator:192.0.2.7"));
        assertTrue(e.getMessage().contains("remove two_node"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse(THREE, "tie_breaker = arbitrator:host:99999"));
        assertTrue(e.getMessage().contains("arbitrator:HOST[:PORT]"), e.getMessage());
    }
}
