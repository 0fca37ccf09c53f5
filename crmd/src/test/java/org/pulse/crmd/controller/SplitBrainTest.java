package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;

/**
 * Split-brain safety (DESIGN.md §4): wait_for_all, two_node with its fencing requirement, the fence
 * race in a two-node split decided by pcmk_delay_base / pcmk_delay_max, and tie-breakers for an
 * exact half split. Each scenario drives real controllers through MiniCluster.
 */
class SplitBrainTest {
    static final QuorumConfig TWO_NODE = new QuorumConfig(true, true, QuorumConfig.TieBreaker.NONE);
    static final String DUMMY = ControllerTest.DUMMY;
    static final String FENCE = ControllerTest.FENCE;

    /** A fence device with these Pacemaker fencer parameters. */
    static String fence(String... nameValue) {
        StringBuilder b = new StringBuilder("<primitive id=\"fence\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + "<instance_attributes id=\"fia\">");
        for (int i = 0; i < nameValue.length; i += 2) {
            b.append("<nvpair id=\"f").append(i).append("\" name=\"").append(nameValue[i]).append("\" value=\"")
                    .append(nameValue[i + 1]).append("\"/>");
        }
        return b.append("</instance_attributes></primitive>").toString();
    }

    /** MiniCluster whose controllers have these quorum options; each node's fence delays use seed + its index. */
    static MiniCluster cluster(List<String> names, Cib cib, QuorumConfig q, long seed) {
        MiniCluster c = new MiniCluster(names, cib, new PolicyEngineScheduler());
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            c.nodes.put(n, new Controller(ControllerConfig.defaults(n, names).withQuorum(q), new PolicyEngineScheduler(),
                    cib, new SplittableRandom(seed + i)));
        }
        return c;
    }

    static String holder(MiniCluster c, String rsc) {
        return c.running.entrySet().stream().filter(e -> e.getValue().contains(rsc)).map(Map.Entry::getKey)
                .reduce("", String::concat);
    }

    static void split(MiniCluster c, String viewId, List<List<String>> halves) {
        for (List<String> half : halves) {
            for (String m : half) {
                c.deliver(m, new Event.ViewChanged(new View(viewId + half.get(0), half)));
            }
        }
        c.settle();
    }

    // ---- wait_for_all

    @Test
    void waitForAllKeepsAPartitionWithoutQuorumUntilEveryNodeWasSeenOnce() throws Exception {
        QuorumConfig q = new QuorumConfig(false, true, QuorumConfig.TieBreaker.NONE);
        MiniCluster c = cluster(List.of("a", "b", "c"), ControllerTest.cib(DUMMY + FENCE, ""), q, 1);
        c.nodes.remove("c");
        c.view("v1", List.of("a", "b"));
        Controller a = c.nodes.get("a");
        assertFalse(a.hasConfirmedQuorum(), "2 of 3 votes, but c was never seen since a started");
        assertTrue(holder(c, "d1").isEmpty(), "d1 started while wait_for_all waits: " + c.running);
        StatusReport s = a.status();
        assertEquals(Boolean.FALSE, s.quorate());
        assertTrue(s.waitingForAll());
        assertTrue(s.quorumReason().contains("wait_for_all") && s.quorumReason().contains("[c]"), s.quorumReason());
        assertTrue(c.log.stream().anyMatch(l -> l.startsWith("a join of view v1 complete") && l.contains("wait_for_all")),
                "the join log line must say wait_for_all holds quorum back: " + c.log);
        assertTrue(c.nodes.get("b").status().waitingForAll(), "b started at the same time and has not seen c either");

        c.nodes.put("c", new Controller(ControllerConfig.defaults("c", List.of("a", "b", "c")).withQuorum(q),
                new PolicyEngineScheduler(), ControllerTest.cib(DUMMY + FENCE, "")));
        c.view("v2", List.of("a", "b", "c"));
        assertTrue(a.hasConfirmedQuorum());
        assertFalse(a.status().waitingForAll());
        assertEquals(1, holder(c, "d1").length(), "d1 runs once all were seen: " + c.running);

        // Once satisfied, losing a node is the ordinary majority rule: 2 of 3 keep quorum.
        c.crash("c");
        c.view("v3", List.of("a", "b"));
        assertTrue(a.hasConfirmedQuorum(), a.status().quorumReason());
        assertEquals("2 of 3 votes", a.status().quorumReason());
    }

    @Test
    void withoutWaitForAllTwoOfThreeAreQuorateAtOnce() throws Exception {
        MiniCluster c = cluster(List.of("a", "b", "c"), ControllerTest.cib(DUMMY + FENCE, ""), QuorumConfig.MAJORITY, 1);
        c.nodes.remove("c");
        c.view("v1", List.of("a", "b"));
        assertTrue(c.nodes.get("a").hasConfirmedQuorum());
        assertFalse(c.nodes.get("a").status().waitingForAll());
    }

    // ---- two_node

    @Test
    void twoNodeNeedsExactlyTwoConfiguredNodes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControllerConfig.defaults("a", List.of("a", "b", "c")).withQuorum(TWO_NODE));
        assertTrue(e.getMessage().contains("two_node") && e.getMessage().contains("[a, b, c]"), e.getMessage());
    }

    @Test
    void twoNodeLetsTheLoneSurvivorKeepQuorumFenceThePeerAndRunTheService() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE, ""), TWO_NODE, 7);
        c.view("v1", List.of("a", "b"));
        String holder = holder(c, "d1");
        assertEquals(1, holder.length(), "d1 runs on one node: " + c.running + " log " + c.log);
        String survivor = holder.equals("a") ? "b" : "a";
        c.crash(holder);
        c.view("v2", List.of(survivor));
        Controller s = c.nodes.get(survivor);
        assertTrue(s.hasConfirmedQuorum(), "1 of 2 votes with two_node: " + s.status().quorumReason());
        assertTrue(s.status().quorumReason().contains("two_node"), s.status().quorumReason());
        assertEquals(1, c.fenceRequests.size(), "the lost peer is fenced once: " + c.fenceRequests);
        assertEquals(holder, c.fenceRequests.get(0).params().get("port"));
        assertTrue(c.running.get(survivor).contains("d1"), "d1 moved to the survivor after fencing; log " + c.log);
    }

    @Test
    void withoutTwoNodeALoneNodeOfTwoHasNoQuorum() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE, ""), QuorumConfig.MAJORITY, 7);
        c.view("v1", List.of("a", "b"));
        String holder = holder(c, "d1");
        String survivor = holder.equals("a") ? "b" : "a";
        c.crash(holder);
        c.view("v2", List.of(survivor));
        assertFalse(c.nodes.get(survivor).hasConfirmedQuorum());
        assertTrue(c.fenceRequests.isEmpty(), "a partition without quorum does not fence: " + c.fenceRequests);
    }

    @Test
    void aTwoNodeNodeThatRestartsAloneWaitsForItsPeerInsteadOfFencingIt() throws Exception {
        Cib start = ControllerTest.cib(DUMMY + FENCE, "");
        MiniCluster c = cluster(List.of("a", "b"), start, TWO_NODE, 3);
        c.view("v1", List.of("a", "b"));
        Cib bStored = c.nodes.get("b").cib();
        // b is power-cycled and boots while the link to a is still cut: a fresh controller with b's CIB.
        c.nodes.put("b", new Controller(ControllerConfig.defaults("b", List.of("a", "b")).withQuorum(TWO_NODE),
                new PolicyEngineScheduler(), bStored, new SplittableRandom(3)));
        c.running.get("b").clear();
        c.nodes.remove("a");
        c.view("v2", List.of("b"));
        Controller b = c.nodes.get("b");
        assertFalse(b.hasConfirmedQuorum(), "two_node implies wait_for_all: " + b.status().quorumReason());
        assertTrue(b.status().waitingForAll());
        assertTrue(b.status().quorumReason().contains("[a]"), b.status().quorumReason());
        assertTrue(c.fenceRequests.isEmpty(), "b must not fence a before it saw it: " + c.fenceRequests);
        assertFalse(c.running.get("b").contains("d1"), "b started d1 without quorum");
    }

    @Test
    void twoNodeWithFencingOffKeepsResourcesStoppedAndSaysWhy() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE,
                "<nvpair id=\"se\" name=\"stonith-enabled\" value=\"false\"/>"), TWO_NODE, 1);
        c.view("v1", List.of("a", "b"));
        assertTrue(c.nodes.get("a").hasConfirmedQuorum());
        assertEquals("", holder(c, "d1"), "d1 started with two_node and fencing off");
        String why = c.nodes.get("a").status().blocked().get("d1");
        assertNotNull(why, "status gives no reason for d1");
        assertTrue(why.contains("two_node") && why.contains("stonith-enabled=false"), why);
    }

    @Test
    void twoNodeWithFencingTurnedOffNeverStartsTheLostNodesResourceOnTheSurvivor() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE, ""), TWO_NODE, 1);
        c.view("v1", List.of("a", "b"));
        String holder = holder(c, "d1");
        assertEquals(1, holder.length());
        long id = c.admin("a", ControllerTest.property("stonith-enabled", "false"));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        String other = holder.equals("a") ? "b" : "a";
        // The cluster link breaks: both halves keep quorum (two_node) and nobody can fence.
        split(c, "v2", List.of(List.of("a"), List.of("b")));
        assertTrue(c.nodes.get(other).hasConfirmedQuorum());
        assertTrue(c.fenceRequests.isEmpty());
        assertFalse(c.running.get(other).contains("d1"), "d1 started on " + other + " while " + holder
                + " still runs it; log " + c.log);
        assertTrue(c.running.get(holder).contains("d1"), "the holder keeps what it runs");
        String why = c.nodes.get(other).status().blocked().get("d1");
        assertTrue(why != null && why.contains("two_node") && why.contains("stonith-enabled=false"), String.valueOf(why));
    }

    @Test
    void twoNodeWithoutAFenceDeviceKeepsResourcesStoppedAndSaysWhy() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY, ""), TWO_NODE, 1);
        c.view("v1", List.of("a", "b"));
        assertEquals("", holder(c, "d1"));
        String why = c.nodes.get("a").status().blocked().get("d1");
        assertTrue(why != null && why.contains("two_node") && why.contains("no fence device"), String.valueOf(why));
    }

    @Test
    void twoNodeWithFencingRunsTheService() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE, ""), TWO_NODE, 1);
        c.view("v1", List.of("a", "b"));
        assertEquals(1, holder(c, "d1").length(), "log " + c.log);
        assertNull(c.nodes.get("a").status().blocked().get("d1"));
    }

    // ---- the fence race

    @Test
    void inATwoNodeSplitTheDelayedSideLosesTheFenceRace() throws Exception {
        // The usual setup: a delay for fencing a, so a shoots first and survives.
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + fence("pcmk_delay_base", "a:5s;b:0s"),
                ""), TWO_NODE, 11);
        c.view("v1", List.of("a", "b"));
        split(c, "v2", List.of(List.of("a"), List.of("b")));
        assertTrue(c.nodes.get("a").hasConfirmedQuorum() && c.nodes.get("b").hasConfirmedQuorum(),
                "two_node: both halves are quorate, fencing decides");
        assertEquals(List.of("b"), c.fenceRequests.stream().map(r -> r.params().get("port")).toList(),
                "a fences b at once, b waits 5 s before fencing a; log " + c.log);
        Duration wait = Duration.between(c.now, c.timers.entrySet().stream()
                .filter(e -> e.getKey().startsWith("b\u0000fence-delay:")).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("b has no fence delay timer: " + c.timers.keySet())));
        assertEquals(Duration.ofSeconds(5), wait);
        // a's fencing powered b off before its delay ran out.
        c.crash("b");
        c.running.get("b").clear();
        c.advance(10_000, "fence-delay");
        assertEquals(1, c.fenceRequests.size(), "exactly one side was fenced: " + c.fenceRequests);
        assertTrue(c.running.get("a").contains("d1"), "the survivor runs d1: " + c.running + " log " + c.log);
    }

    @Test
    void aDelayedFenceStillRunsWhenNobodyShootsFirst() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + fence("pcmk_delay_base", "a:5s"), ""),
                TWO_NODE, 11);
        c.view("v1", List.of("a", "b"));
        c.crash("a");
        c.view("v2", List.of("b"));
        assertTrue(c.fenceRequests.isEmpty(), "fencing a waits 5 s");
        assertFalse(c.running.get("b").contains("d1") && c.running.get("a").contains("d1"));
        c.advance(4_999, "fence-delay");
        assertTrue(c.fenceRequests.isEmpty(), "fired early");
        c.advance(1, "fence-delay");
        assertEquals(List.of("a"), c.fenceRequests.stream().map(r -> r.params().get("port")).toList());
        assertTrue(c.running.get("b").contains("d1"), "b runs d1 after fencing a; log " + c.log);
    }

    @Test
    void withPriorityFencingDelayTheSideRunningTheServiceWinsTheFenceRace() throws Exception {
        String prioritized = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<meta_attributes id=\"d1-m\"><nvpair id=\"d1-p\" name=\"priority\" value=\"10\"/>"
                + "</meta_attributes></primitive>";
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(prioritized + FENCE,
                "<nvpair id=\"pfd\" name=\"priority-fencing-delay\" value=\"15s\"/>"), TWO_NODE, 5);
        c.view("v1", List.of("a", "b"));
        String holder = holder(c, "d1");
        assertEquals(1, holder.length());
        String other = holder.equals("a") ? "b" : "a";
        split(c, "v2", List.of(List.of("a"), List.of("b")));
        assertEquals(List.of(other), c.fenceRequests.stream().map(r -> r.params().get("port")).toList(),
                "the holder of d1 (priority 10) fences at once, the other waits; log " + c.log);
        Duration wait = Duration.between(c.now, c.timers.entrySet().stream()
                .filter(e -> e.getKey().startsWith(other + "\u0000fence-delay:")).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no fence delay on " + other + ": " + c.timers.keySet())));
        assertEquals(Duration.ofSeconds(15), wait);
        assertTrue(c.log.stream().anyMatch(l -> l.contains("priority-fencing-delay=15s")), "the log says why");
    }

    @Test
    void priorityFencingDelayOnlyDelaysTheHeaviestLostNodeInAnEvenOrMinoritySplit() throws Exception {
        String r = "<primitive id=\"r%d\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><meta_attributes"
                + " id=\"m%d\"><nvpair id=\"p%d\" name=\"priority\" value=\"%d\"/></meta_attributes></primitive>";
        Cib base = ControllerTest.cib(String.format(r, 1, 1, 1, 5) + String.format(r, 2, 2, 2, 1),
                "<nvpair id=\"pfd\" name=\"priority-fencing-delay\" value=\"20\"/>");
        List<String> voters = List.of("a", "b", "c", "d");
        org.pulse.cib.xml.XmlElement onC = running("c", "r1");
        org.pulse.cib.xml.XmlElement onD = running("d", "r2");
        Cib cib = Cib.of(Cibs.updateNodeState(Cibs.updateNodeState(base.root(), "c",
                ns -> Cibs.withLrm(ns, onC)), "d", ns -> Cibs.withLrm(ns, onD)));
        View half = new View("v", List.of("a", "b"));
        assertEquals(20_000, PriorityFencingDelay.of(cib, voters, half, "c").delayMs(), "c runs r1 (5): heaviest");
        assertEquals(0, PriorityFencingDelay.of(cib, voters, half, "d").delayMs(), "d runs r2 (1)");
        assertEquals(0, PriorityFencingDelay.of(cib, voters, new View("v", List.of("a", "b", "d")), "c").delayMs(),
                "a majority partition has no race to lose");
        assertEquals(0, PriorityFencingDelay.of(cib, voters, new View("v", List.of("a", "b", "c")), "c").delayMs(),
                "a member (a failed stop) is fenced without it");
        assertEquals(0, PriorityFencingDelay.of(base, voters, half, "c").delayMs(), "equal priorities: no delay");
    }

    /** An lrm section saying rsc was started on node. */
    static org.pulse.cib.xml.XmlElement running(String node, String rsc) throws Exception {
        return org.pulse.cib.xml.XmlParser.parse("lrm", "<lrm id=\"" + node + "\"><lrm_resources><lrm_resource id=\""
                + rsc + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\"" + rsc
                + "_last_0\" operation=\"start\" call-id=\"1\" rc-code=\"0\" op-status=\"0\" interval=\"0\""
                + " transition-key=\"1:1:0:x\"/></lrm_resource></lrm_resources></lrm>");
    }

    @Test
    void aRandomFenceDelayComesFromTheControllersSeed() throws Exception {
        long seed = 20261122L;
        System.out.println("aRandomFenceDelayComesFromTheControllersSeed seed=" + seed);
        long first = randomDelayMs(seed);
        assertEquals(first, randomDelayMs(seed), "the same seed gives the same delay");
        long expected = FenceDelay.of(Map.of("pcmk_delay_base", "1s", "pcmk_delay_max", "10s"), "reboot", "a",
                new SplittableRandom(seed + 1)).delayMs();
        assertEquals(expected, first, "b (index 1) draws its first fence delay from seed + 1");
        assertTrue(first >= 1000 && first <= 10_000, "between base and max: " + first);
        java.util.Set<Long> seen = new java.util.TreeSet<>();
        for (long s = 0; s < 8; s++) {
            seen.add(randomDelayMs(s));
        }
        assertTrue(seen.size() > 1, "pcmk_delay_max gave the same delay for 8 seeds: " + seen);
    }

    /** b's delay before fencing a, lost in a two-node cluster whose device has base 1 s and max 10 s. */
    private static long randomDelayMs(long seed) throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + fence("pcmk_delay_base", "1s",
                "pcmk_delay_max", "10s"), ""), TWO_NODE, seed);
        c.view("v1", List.of("a", "b"));
        c.crash("a");
        c.view("v2", List.of("b"));
        assertTrue(c.fenceRequests.isEmpty(), "the fence ran before its delay");
        return c.timers.entrySet().stream().filter(e -> e.getKey().startsWith("b\u0000fence-delay:"))
                .map(e -> Duration.between(c.now, e.getValue()).toMillis()).findFirst()
                .orElseThrow(() -> new AssertionError("no fence delay timer: " + c.timers.keySet() + " log " + c.log));
    }

    @Test
    void aFenceDelayThatOutlivesItsViewIsDropped() throws Exception {
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + fence("pcmk_delay_base", "a:5s"), ""),
                TWO_NODE, 11);
        c.view("v1", List.of("a", "b"));
        c.nodes.keySet().retainAll(List.of("b"));
        c.view("v2", List.of("b"));
        // The link heals before the delay ran out: a is back, nobody may be fenced.
        c.nodes.put("a", new Controller(ControllerConfig.defaults("a", List.of("a", "b")).withQuorum(TWO_NODE),
                new PolicyEngineScheduler(), c.nodes.get("b").cib(), new SplittableRandom(1)));
        c.view("v3", List.of("b", "a"));
        c.advance(10_000, "fence-delay");
        assertTrue(c.fenceRequests.isEmpty(), "a fence of a view that is gone ran: " + c.fenceRequests);
    }

    // ---- tie-breakers

    @Test
    void withoutATieBreakerBothHalvesOfATwoTwoSplitStop() throws Exception {
        MiniCluster c = cluster(List.of("a", "b", "c", "d"), ControllerTest.cib(DUMMY + FENCE, ""),
                QuorumConfig.MAJORITY, 1);
        c.view("v1", List.of("a", "b", "c", "d"));
        split(c, "v2", List.of(List.of("a", "b"), List.of("c", "d")));
        assertFalse(c.nodes.get("a").hasConfirmedQuorum());
        assertFalse(c.nodes.get("c").hasConfirmedQuorum());
        assertEquals("", holder(c, "d1"), "d1 stops on both sides: " + c.running);
    }

    @Test
    void tieBreakerLowestGivesQuorumToTheHalfWithTheFirstNode() throws Exception {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.LOWEST);
        // The nodes list order decides, not the names: c is listed first.
        List<String> nodes = List.of("c", "a", "b", "d");
        MiniCluster c = cluster(nodes, ControllerTest.cib(DUMMY + FENCE, ""), q, 1);
        c.view("v1", List.of("a", "b", "c", "d"));
        split(c, "v2", List.of(List.of("a", "b"), List.of("c", "d")));
        assertFalse(c.nodes.get("a").hasConfirmedQuorum(), c.nodes.get("a").status().quorumReason());
        assertTrue(c.nodes.get("a").status().quorumReason().contains("lowest"));
        Controller dc = c.nodes.get("c");
        assertTrue(dc.hasConfirmedQuorum(), dc.status().quorumReason());
        assertTrue(dc.status().quorumReason().contains("tie_breaker = lowest"), dc.status().quorumReason());
        assertEquals(List.of("a", "b"), c.fenceRequests.stream().map(r -> r.params().get("port")).sorted().toList(),
                "the quorate half fences the other");
        assertTrue(c.running.get("c").contains("d1") || c.running.get("d").contains("d1"),
                "d1 runs in the quorate half: " + c.running + " log " + c.log);
        assertFalse(c.running.get("a").contains("d1") || c.running.get("b").contains("d1"),
                "the half without quorum stopped d1: " + c.running);
    }

    @Test
    void tieBreakerPingFollowsWhatTheDcReaches() throws Exception {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.ping("192.0.2.1"));
        List<String> nodes = List.of("a", "b", "c", "d");
        MiniCluster c = cluster(nodes, ControllerTest.cib(DUMMY + FENCE, ""), q, 1);
        c.view("v1", nodes);
        assertTrue(c.nodes.get("a").hasConfirmedQuorum(), "4 of 4 need no tie-breaker");
        // An answer to a ping sent before the split says nothing about it.
        java.time.Instant beforeSplit = c.now;
        c.now = c.now.plusSeconds(1);
        Map<String, java.util.Set<String>> runningBefore = copy(c.running);
        split(c, "v2", List.of(List.of("a", "b"), List.of("c", "d")));
        Controller a = c.nodes.get("a");
        assertFalse(a.hasConfirmedQuorum(), "no ping answer yet: " + a.status().quorumReason());
        assertTrue(a.status().quorumReason().contains("undecided"), a.status().quorumReason());
        assertTrue(c.fenceRequests.isEmpty());
        assertEquals(runningBefore, c.running, "an undecided half waits instead of stopping what it runs");
        c.deliver("a", new Event.PingResult("192.0.2.1", true, beforeSplit));
        c.deliver("c", new Event.PingResult("192.0.2.1", true, beforeSplit));
        c.settle();
        assertFalse(a.hasConfirmedQuorum() || c.nodes.get("c").hasConfirmedQuorum(),
                "a stale answer (sent before the view) decided the tie");
        c.deliver("c", new Event.PingResult("192.0.2.1", false, c.now));
        c.deliver("a", new Event.PingResult("192.0.2.1", true, c.now));
        c.settle();
        assertTrue(a.hasConfirmedQuorum(), a.status().quorumReason());
        assertEquals("1", a.cib().root().attr("have-quorum"));
        assertFalse(c.nodes.get("c").hasConfirmedQuorum());
        assertTrue(a.status().quorumReason().contains("ping:192.0.2.1"), a.status().quorumReason());
        assertEquals(List.of("c", "d"), c.fenceRequests.stream().map(r -> r.params().get("port")).sorted().toList());
        assertTrue(c.running.get("c").isEmpty() && c.running.get("d").isEmpty(),
                "the half that lost the tie stopped what it ran: " + c.running);
        c.deliver("a", new Event.PingResult("192.0.2.1", false, c.now));
        c.settle();
        assertFalse(a.hasConfirmedQuorum(), "the target stopped answering: " + a.status().quorumReason());
        assertEquals("0", a.cib().root().attr("have-quorum"));
    }

    static Map<String, java.util.Set<String>> copy(Map<String, java.util.Set<String>> running) {
        Map<String, java.util.Set<String>> out = new java.util.TreeMap<>();
        running.forEach((n, r) -> out.put(n, new java.util.TreeSet<>(r)));
        return out;
    }

    @Test
    void tieBreakerLeaseGivesQuorumToTheHalfWhoseDcHoldsItWhileItIsValid() throws Exception {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.lease("/shared/pulse.lease"));
        List<String> nodes = List.of("a", "b", "c", "d");
        MiniCluster c = cluster(nodes, ControllerTest.cib(DUMMY + FENCE, ""), q, 1);
        c.view("v1", nodes);
        assertTrue(c.log.stream().noneMatch(l -> l.contains("taking the lease")), "no tie, no lease: " + c.log);
        java.time.Instant beforeSplit = c.now;
        c.now = c.now.plusSeconds(1);
        split(c, "v2", List.of(List.of("a", "b"), List.of("c", "d")));
        assertTrue(c.log.contains("a taking the lease /shared/pulse.lease to break an even split")
                && c.log.contains("c taking the lease /shared/pulse.lease to break an even split"), c.log.toString());
        Controller a = c.nodes.get("a");
        assertFalse(a.hasConfirmedQuorum());
        assertTrue(a.status().quorumReason().contains("undecided"), a.status().quorumReason());
        // A result of an attempt made before the lease was wanted says nothing.
        c.deliver("a", new Event.LeaseResult("/shared/pulse.lease", true, c.now.plusSeconds(4), beforeSplit));
        assertFalse(a.hasConfirmedQuorum(), "a stale lease result counted");
        c.deliver("c", new Event.LeaseResult("/shared/pulse.lease", false, null, c.now));
        c.deliver("a", new Event.LeaseResult("/shared/pulse.lease", true, c.now.plusSeconds(4), c.now));
        c.settle();
        assertTrue(a.hasConfirmedQuorum(), a.status().quorumReason());
        assertTrue(a.status().quorumReason().contains("holds the lease"), a.status().quorumReason());
        assertFalse(c.nodes.get("c").hasConfirmedQuorum());
        assertEquals(List.of("c", "d"), c.fenceRequests.stream().map(r -> r.params().get("port")).sorted().toList());
        // Renewals stop coming (the storage hangs): a stops counting on the lease when it runs out.
        c.advance(3_999, "lease-expiry");
        assertTrue(a.hasConfirmedQuorum(), "lost the lease early");
        c.advance(1, "lease-expiry");
        assertFalse(a.hasConfirmedQuorum(), "still quorate on a lease that ran out: " + a.status().quorumReason());
        assertEquals("0", a.cib().root().attr("have-quorum"));
        // The link heals: no tie, the lease is let go.
        c.view("v3", nodes);
        assertTrue(c.log.contains("a letting the lease go: /shared/pulse.lease"), c.log.toString());
    }

    @Test
    void aNodeWaitingForAllDoesNotTakeTheLease() throws Exception {
        QuorumConfig q = new QuorumConfig(false, true, QuorumConfig.TieBreaker.lease("/shared/pulse.lease"));
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE, ""), q, 1);
        c.nodes.remove("b");
        c.view("v1", List.of("a"));
        assertTrue(c.nodes.get("a").status().waitingForAll());
        assertTrue(c.log.stream().noneMatch(l -> l.contains("taking the lease")),
                "a node that never saw its peer took the lease from it: " + c.log);
    }

    @Test
    void pingTieBreakerWithFencingOffKeepsResourcesStopped() throws Exception {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.ping("192.0.2.1"));
        MiniCluster c = cluster(List.of("a", "b"), ControllerTest.cib(DUMMY + FENCE,
                "<nvpair id=\"se\" name=\"stonith-enabled\" value=\"false\"/>"), q, 1);
        c.view("v1", List.of("a", "b"));
        String why = c.nodes.get("a").status().blocked().get("d1");
        assertTrue(why != null && why.contains("tie_breaker = ping:192.0.2.1"), String.valueOf(why));
    }
}
