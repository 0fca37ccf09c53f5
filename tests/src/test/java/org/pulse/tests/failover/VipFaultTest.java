package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;

/**
 * Faults where a node stays alive: its link is cut, the cluster splits 2|1 while the client
 * still reaches both sides, the DC dies in the middle of a transition, an agent hangs in stop (the
 * node must be fenced). A VIP with a web server already running on every node whose page names
 * the node, so the client can tell who answers: it must never be served by a node again once
 * another one has taken over (two answering nodes in turn would be a split brain). After each
 * fault the VIP is on exactly one node, the client's ARP entry names it, the CIB is the same on
 * every live node, and the node that was cut off is fenced before the VIP moves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VipFaultTest {
    static NetnsLab lab;
    static FailoverLab cluster;
    static String vip;

    @BeforeAll
    static void start() throws Exception {
        cluster = FailoverLab.startVipAlone("VipFaultTest", "");
        lab = cluster.lab;
        vip = lab.vip(0);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), VipFaultTest::vipUp),
                "the VIP did not start within 90 s: " + FailoverAdmin.str(cluster.status(1), "text"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    static int[] liveNodes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            if (cluster.alive(i) && !cluster.fenced(i)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The node the live nodes agree holds the VIP, when the client gets that node's page through it. */
    static String vipUp() {
        String on = cluster.agreedRunningOn("vip", liveNodes());
        if (on == null) {
            return null;
        }
        return lab.httpGet(lab.client(), "http://" + vip + "/", 1000).map(String::strip).filter(on::equals)
                .isPresent() ? on : null;
    }

    /** After the fault: who answered the client, in order, must not come back to an earlier node. */
    static void assertOneAnswererAtATime(String what, List<FailoverProbe.Sample> samples) {
        List<String> seen = FailoverProbe.answerers(samples);
        assertTrue(seen.size() == new java.util.HashSet<>(seen).size(),
                what + ": the client was served by " + seen + " in turn: two nodes answered for the VIP");
    }

    static String assertRecovered(String what, String deadNode) throws Exception {
        String on = FailoverLab.waitFor(Duration.ofSeconds(60), VipFaultTest::vipUp);
        int[] live = liveNodes();
        assertNotNull(on, what + ": the VIP did not come back within 60 s: "
                + FailoverAdmin.str(cluster.status(live[0]), "text") + "; logs " + cluster.logs());
        if (deadNode != null) {
            assertTrue(!on.equals(deadNode), what + ": the VIP is said to be on the dead node " + deadNode);
        }
        // Each node's view arrives on its own time (a status update still travelling, the client's ARP entry
        // refreshed by the next packet): read again until all hold together, as FailoverFaultTest does.
        String[] problem = {null};
        String recovered = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            problem[0] = recoveryProblem(what, on, live);
            return problem[0] == null ? "recovered" : null;
        });
        assertNotNull(recovered, problem[0] + "; logs " + cluster.logs());
        return on;
    }

    /** What is not (yet) as recovered with the VIP on {@code on}, or null when everything is. */
    static String recoveryProblem(String what, String on, int[] live) {
        for (int i : live) {
            AdminArgs s = cluster.status(i);
            if (!List.of(on).equals(FailoverAdmin.activeOn(s, "vip"))) {
                return what + ": " + cluster.name(i) + " places vip elsewhere than " + on + ":\n" + FailoverAdmin.str(s, "text");
            }
        }
        String address = FailoverFaultTest.vipProblem(lab, cluster, vip, on);
        if (address != null) {
            return what + ": " + address;
        }
        if (FailoverFaultTest.sameCib(cluster, live) == null) {
            return what + ": the live nodes do not hold the same CIB";
        }
        return null;
    }

    /** The fenced node reboots clean, its crmd starts, its web server too, and it rejoins. */
    static void bringBack(int node) throws Exception {
        cluster.rebootBare(node);
        cluster.startNodeWebServer(node);
        cluster.startNode(node);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                cluster.name(node) + " did not rejoin within 120 s; logs " + cluster.logs());
        assertRecovered("after " + cluster.name(node) + " came back", null);
    }

    /** Runs a fault against the node holding the VIP and checks the outcome. */
    interface Fault {
        void inject(int victim) throws Exception;
    }

    static void faultOnVipNode(String what, Fault fault, Runnable heal) throws Exception {
        String on = vipUp();
        assertNotNull(on, what + ": the VIP is not up before the fault");
        int victim = cluster.index(on);
        try (FailoverLab.Client client = cluster.client(vip, 80)) {
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(20), () -> client.okCount() >= 50 ? "ok" : null),
                    what + ": the client does not get the page through the VIP");
            double t0 = FailoverProbe.nowMs();
            fault.inject(victim);
            double t1 = FailoverProbe.nowMs();
            FailoverProbe.Outage o = FailoverLab.waitFor(Duration.ofSeconds(60), () -> takeover(client.samples, t1, on));
            assertNotNull(o, what + ": no other node served the client within 60 s; logs " + cluster.logs());
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.fenced(victim) ? "y" : null),
                    what + ": " + on + " was not fenced within 30 s");
            Thread.sleep(1000);
            System.out.printf("%s (%s): served again by %s after %d ms%n", what, on, o.after(), o.ms());
            assertFencedBeforeServed(what, victim, o);
            assertOneAnswererAtATime(what, client.samples.stream().filter(s -> s.startMs() > t0 - 1000).toList());
        }
        if (heal != null) {
            heal.run();
        }
        assertRecovered(what, on);
        bringBack(victim);
    }

    /**
     * The switch from the old node to another as the client saw it: from the last success before
     * the first answer of another node (after the fault) to that answer. The old node may still
     * answer for a while after a split, until it sees it has no quorum.
     */
    static FailoverProbe.Outage takeover(List<FailoverProbe.Sample> samples, double faultDoneMs, String old) {
        FailoverProbe.Sample last = null;
        int failures = 0;
        for (FailoverProbe.Sample s : samples) {
            if (s.ok() && s.startMs() > faultDoneMs && !s.page().equals(old)) {
                return last == null ? null : new FailoverProbe.Outage(last.endMs(), s.endMs(), failures, last.page(), s.page());
            }
            if (s.ok()) {
                last = s;
                failures = 0;
            } else {
                failures++;
            }
        }
        return null;
    }

    /** The other node served the client only after the power switch had cut the old one off. */
    static void assertFencedBeforeServed(String what, int victim, FailoverProbe.Outage o) {
        long fencedAt = cluster.fencedAtEpochMs(victim);
        double servedAt = FailoverLab.toEpochMs(o.firstOkAfterMs());
        assertTrue(fencedAt > 0, what + ": no fencing recorded in the power switch's history");
        assertTrue(servedAt >= fencedAt - 5, what + ": the VIP answered from " + o.after() + " "
                + Math.round(fencedAt - servedAt) + " ms before " + cluster.name(victim) + " was fenced");
    }

    @Test
    @Order(1)
    void cutTheLinkOfTheVipNode() throws Exception {
        faultOnVipNode("link cut", v -> lab.linkDown(cluster.node(v)), null);
    }

    /**
     * 2|1: the VIP's node loses the other nodes but not the client (blackhole routes both ways).
     * It must stop serving (no quorum) or be fenced before the majority serves.
     */
    @Test
    @Order(2)
    void splitTwoOneWithTheClientSeeingBothSides() throws Exception {
        List<String[]> routes = new ArrayList<>();
        faultOnVipNode("split 2|1", v -> {
            for (int o : cluster.others(v)) {
                blackhole(v, o, routes);
                blackhole(o, v, routes);
            }
        }, () -> {
            for (String[] r : routes) {
                lab.exec(cluster.node(Integer.parseInt(r[0])), "ip", "route", "del", "blackhole", r[1]);
            }
        });
    }

    static void blackhole(int from, int to, List<String[]> routes) {
        String addr = cluster.node(to).address() + "/32";
        lab.execOk(cluster.node(from), "ip", "route", "add", "blackhole", addr);
        routes.add(new String[] {Integer.toString(from), addr});
    }

    /**
     * The DC dies while a transition is in flight (a slow resource starting): a new DC takes
     * over, fences it, and the slow resource ends up started on exactly one live node.
     */
    @Test
    @Order(3)
    void killTheDcInTheMiddleOfATransition() throws Exception {
        String dc = cluster.agreedDc(cluster.all());
        assertNotNull(dc);
        int dcIndex = cluster.index(dc);
        // A resource whose every action takes 2 s, allowed only on the DC so its start is in flight there.
        cluster.configure(dcIndex == 1 ? 2 : 1, List.of(
                "primitive slow ocf:pulse:Dummy params op_sleep=2 op start timeout=20s op stop timeout=20s"
                        + " op monitor interval=10s timeout=20s"));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(15), () -> {
            String text = FailoverAdmin.str(cluster.status(dcIndex), "transition");
            return text != null && !text.isBlank() && !text.contains("idle") ? text : null;
        }), "no transition in flight after adding 'slow'");
        Thread.sleep(700);
        cluster.powerOff(dcIndex);
        int[] survivors = cluster.others(dcIndex);
        String newDc = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            String d = cluster.agreedDc(survivors);
            return d != null && !d.equals(dc) ? d : null;
        });
        assertNotNull(newDc, "no new DC after the DC died mid-transition; logs " + cluster.logs());
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.fenced(dcIndex) ? "y" : null),
                dc + " was not fenced");
        String slowOn = FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("slow", survivors));
        assertNotNull(slowOn, "'slow' did not end up started on a survivor: "
                + FailoverAdmin.str(cluster.status(survivors[0]), "text"));
        System.out.println("DC " + dc + " killed mid-transition: new DC " + newDc + ", slow runs on " + slowOn);
        for (int i : survivors) {
            assertEquals(List.of(slowOn), FailoverAdmin.activeOn(cluster.status(i), "slow"));
        }
        assertRecovered("DC killed mid-transition", dc);
        bringBack(dcIndex);
    }

    /**
     * An agent hangs in stop past its timeout: the stop fails, and a failed stop means the node
     * may still hold the resource, so the node is fenced and the resource recovered elsewhere.
     */
    @Test
    @Order(4)
    void anAgentHangingInStopGetsItsNodeFenced() throws Exception {
        AdminResponse r = cluster.admin.call(cluster.socket(1), AdminRequest.replace(cluster.admin.nextId(),
                "<resources>" + resourcesXml(false) + "</resources>"));
        assertTrue(r.ok(), () -> "could not configure 'hang': " + r.error());
        String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("hang", liveNodes()));
        assertNotNull(on, "'hang' did not start");
        int victim = cluster.index(on);
        // Every action of hang now sleeps 30 s: the parameter change restarts it, and its stop times out after 3 s.
        AdminResponse r2 = cluster.admin.call(cluster.socket(cluster.others(victim)[0]), AdminRequest.replace(
                cluster.admin.nextId(), "<resources>" + resourcesXml(true) + "</resources>"));
        assertTrue(r2.ok(), () -> "could not change 'hang': " + r2.error());
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.fenced(victim) ? "y" : null),
                on + " was not fenced after the stop of 'hang' hung past its timeout; logs " + cluster.logs());
        int[] survivors = cluster.others(victim);
        System.out.println("stop of 'hang' hung on " + on + ": fenced");
        for (int i : survivors) {
            List<String> where = FailoverAdmin.activeOn(cluster.status(i), "hang");
            assertTrue(!where.contains(on), "'hang' is still said to run on the fenced " + on);
        }
        assertRecovered("stop hung", null);
        // Not brought back: with 'hang' still configured, a node that rejoins probes it, the probe hangs to its
        // 20 s timeout, the stop after it to its 3 s, and the node is fenced again, by design. The check after a
        // rejoin passed only when the rejoin took less than those 23 s: at load 55 it did not (crmd of n1
        // exited 137, fenced, while the test waited for the DC). The last test: @AfterAll closes the lab.
    }

    static String resourcesXml(boolean hang) {
        return "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\"><instance_attributes id=\"fs-ia\">"
                + "<nvpair id=\"fs-pd\" name=\"power_dir\" value=\"" + cluster.power + "\"/></instance_attributes></primitive>"
                + "<primitive id=\"vip\" class=\"ocf\" provider=\"pulse\" type=\"IPaddr\"><instance_attributes id=\"vip-ia\">"
                + "<nvpair id=\"vip-ip\" name=\"ip\" value=\"" + vip + "\"/><nvpair id=\"vip-nm\" name=\"cidr_netmask\" value=\"24\"/>"
                + "<nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes><operations>"
                + "<op id=\"vip-mon\" name=\"monitor\" interval=\"1s\" timeout=\"10s\"/></operations></primitive>"
                + "<primitive id=\"hang\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><instance_attributes id=\"hang-ia\">"
                + "<nvpair id=\"hang-sleep\" name=\"op_sleep\" value=\"" + (hang ? "30" : "0") + "\"/></instance_attributes>"
                + "<operations><op id=\"hang-stop\" name=\"stop\" interval=\"0\" timeout=\"3s\"/>"
                + "<op id=\"hang-start\" name=\"start\" interval=\"0\" timeout=\"3s\"/>"
                + "<op id=\"hang-mon\" name=\"monitor\" interval=\"5s\" timeout=\"3s\"/></operations></primitive>";
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
