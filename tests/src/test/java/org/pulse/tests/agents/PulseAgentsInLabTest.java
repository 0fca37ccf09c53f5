package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.Procs;
import org.pulse.lab.support.TestEnv;

/**
 * Pulse's own agents, as root, in a two-node network-namespace lab with a client: each passes the
 * {@code crm ra test} lifecycle and has the real effect it promises, seen from outside the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PulseAgentsInLabTest {
    /** How long a holder process may take to enter a mount (a shell's start is 5 ms here, unloaded). */
    static final Duration HOLDER_START = Duration.ofSeconds(30);

    private NetnsLab lab;

    @BeforeAll
    void setUp() throws IOException {
        Ocf.requireLab();
        for (String cmd : List.of("ip", "nsenter", "setsid", "xmllint", "arping", "ping", "curl", "apache2",
                "losetup", "mkfs.ext4", "fuser")) {
            TestEnv.requireCommand(cmd);
        }
        lab = NetnsLab.create(2);
        System.out.println("lab: " + lab);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static void print(String what, org.pulse.lrm.RaTester.Report steps) {
        System.out.println(what + ":\n" + Ocf.describe(steps));
    }

    @Test
    void dummyLifecycleAndMigration() throws IOException {
        Ocf.Agent d = Ocf.pulse("Dummy", "d1", Map.of(), lab.node(1));
        print("Dummy", Ocf.lifecycle(d));
        Path state = lab.node(1).rsctmp().resolve("Dummy-d1.state");
        assertEquals(0, d.run("start").rc());
        assertTrue(Files.exists(state), "default state file under the node's HA_RSCTMP");
        Ocf.Agent target = Ocf.pulse("Dummy", "d1", Map.of(), lab.node(2));
        assertEquals(0, d.run("migrate_to").rc());
        assertEquals(0, target.run("migrate_from").rc());
        assertEquals(7, d.run("monitor").rc(), "gone from the source after migrate_to");
        assertEquals(0, target.run("monitor").rc(), "running on the target after migrate_from");
        assertEquals(0, target.with("fake", "changed").run("reload").rc());
        assertEquals("changed", Files.readString(lab.node(2).rsctmp().resolve("Dummy-d1.state")).strip());
        assertEquals(0, target.run("stop").rc());
    }

    @Test
    void dummyTestKnobsHangAndFailOnPurpose() throws IOException {
        Ocf.Agent slow = Ocf.pulse("Dummy", "slow", Map.of("op_sleep", "30"), lab.node(1));
        Ocf.Result hung = Ocf.run(slow, "start", 0, 1000, Map.of());
        assertTrue(hung.timedOut(), "the LRM gives up at the deadline: " + hung);
        // The deadline (1 s) and the kill's grace, not the agent's 30 s: the bound is what tells them apart, with
        // room for a loaded machine's process starts and kills (a fixed 3 s was 3x the deadline).
        assertTrue(hung.elapsedMs() < 10_000, hung::toString);
        for (long pid : lab.processesIn(lab.node(1))) {
            String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertFalse(cmd.startsWith("sleep 30"), "the agent's child was killed with its group: " + pid);
        }
        Ocf.Agent picky = Ocf.pulse("Dummy", "picky", Map.of("fail_start_on", "n1"), lab.node(1));
        Ocf.Result onN1 = Ocf.runWithMeta(picky, "start", Map.of("on_node", "n1"));
        assertEquals(1, onN1.rc(), onN1::toString);
        assertTrue(onN1.exitReason().contains("fail_start_on"), onN1.exitReason());
        assertEquals(7, picky.run("monitor").rc());
        Ocf.Result onN2 = Ocf.runWithMeta(picky, "start", Map.of("on_node", "n2"));
        assertEquals(0, onN2.rc(), onN2::toString);
        assertEquals(0, picky.run("stop").rc());
        assertEquals(0, slow.with("op_sleep", "0").run("stop").rc());
    }

    @Test
    void statefulPromotesAndDemotes() throws IOException {
        Ocf.Agent s = Ocf.pulse("Stateful", "st", Map.of(), lab.node(1));
        print("Stateful", Ocf.lifecycle(s));
        assertEquals(0, s.run("start").rc());
        assertEquals(0, s.monitor(11_000).rc(), "unpromoted after start");
        assertEquals(0, s.run("promote").rc());
        assertEquals(8, s.monitor(10_000).rc(), "promoted → 8");
        assertEquals(0, s.run("demote").rc());
        assertEquals(0, s.monitor(11_000).rc());
        assertEquals(0, s.run("stop").rc());
        assertEquals(1, s.run("promote").rc(), "cannot promote a stopped instance");
        // Without a cluster the promotion score cannot be set; that must never fail an action.
        Ocf.Result r = Ocf.run(s, "start", 0, 20_000, Map.of("PATH", "/usr/bin:/bin"));
        assertEquals(0, r.rc(), r::toString);
        assertEquals(0, s.run("stop").rc());
    }

    @Test
    void pingPublishesReachableHostsTimesMultiplier() throws IOException {
        String unreachable = NetnsLab.SUBNET_PREFIX + "99";
        Ocf.Agent p = Ocf.pulse("ping", "pn", Map.of("host_list", lab.node(2).address() + " " + unreachable,
                "multiplier", "100", "timeout", "1"), lab.node(1));
        print("ping", Ocf.lifecycle(p));
        assertEquals(0, p.run("start").rc());
        Path state = lab.node(1).rsctmp().resolve("ping-pn.state");
        assertEquals("100", Files.readString(state).strip(), "one of two hosts answers: 1 x 100");
        lab.linkDown(lab.node(2));
        try {
            assertEquals(0, p.monitor(10_000).rc());
            assertEquals("0", Files.readString(state).strip(), "nothing answers once node 2's link is down");
        } finally {
            lab.linkUp(lab.node(2));
        }
        assertEquals(0, p.run("stop").rc());
    }

    @Test
    void ipaddrIsReachableFromTheClientAfterStartAndGoneAfterStop() throws IOException {
        String vip = lab.vip(0);
        Ocf.Agent ip = Ocf.pulse("IPaddr", "vip0", Map.of("ip", vip), lab.node(1));
        print("IPaddr", Ocf.lifecycle(ip));
        assertFalse(lab.ping(lab.client(), vip, 1000), "not reachable before start");
        Ocf.Result start = ip.run("start");
        assertEquals(0, start.rc(), start::toString);
        assertTrue(lab.ping(lab.client(), vip, 2000), "client reaches the VIP right after start");
        assertTrue(lab.execOk(lab.node(1), "ip", "-o", "addr", "show", "dev", NetnsLab.IFNAME).contains(vip + "/24"),
                "prefix found from the subnet of eth0");
        assertEquals(0, ip.run("stop").rc());
        assertFalse(lab.ping(lab.client(), vip, 1000), "client no longer reaches it after stop");
        // With a label, and with nic and cidr given.
        Ocf.Agent labelled = ip.with("nic", NetnsLab.IFNAME).with("cidr_netmask", "32").with("iflabel", "vip");
        assertEquals(0, labelled.run("start").rc());
        String addrs = lab.execOk(lab.node(1), "ip", "-o", "addr", "show", "dev", NetnsLab.IFNAME);
        assertTrue(addrs.contains(vip + "/32") && addrs.contains(NetnsLab.IFNAME + ":vip"), addrs);
        assertEquals(0, labelled.monitor(10_000).rc());
        assertEquals(0, labelled.run("stop").rc());
    }

    /**
     * Live migration is make-before-break: migrate_to keeps the address on the source,
     * migrate_from adds it on the target and announces it (the client's ARP entry moves while the
     * source still answers), and only the source's stop takes it away there.
     */
    @Test
    void ipaddrMigratesMakeBeforeBreak() throws Exception {
        String vip = lab.vip(5);
        Map<String, String> params = Map.of("ip", vip, "nic", NetnsLab.IFNAME);
        Ocf.Agent source = Ocf.pulse("IPaddr", "vip5", params, lab.node(1));
        Ocf.Agent target = Ocf.pulse("IPaddr", "vip5", params, lab.node(2));
        Map<String, String> migration = Map.of("migrate_source", "n1", "migrate_target", "n2");
        try {
            String metadata = source.run("meta-data").stdout();
            assertTrue(metadata.contains("<action name=\"migrate_to\"")
                    && metadata.contains("<action name=\"migrate_from\""), "advertised in meta-data");
            Ocf.Result notHere = Ocf.runWithMeta(source, "migrate_to", migration);
            assertEquals(1, notHere.rc(), "migrate_to of an address not configured here: " + notHere);
            assertTrue(notHere.exitReason().contains("not configured on this node"), notHere.exitReason());

            assertEquals(0, source.run("start").rc());
            assertTrue(lab.ping(lab.client(), vip, 2000));
            assertEquals(Optional.of(lab.mac(lab.node(1))), lab.neighbourMac(lab.client(), vip));

            Ocf.Result noTarget = Ocf.runWithMeta(source, "migrate_to", Map.of("migrate_source", "n1"));
            assertEquals(1, noTarget.rc(), noTarget::toString);
            assertTrue(noTarget.exitReason().contains("migrate_target"), noTarget.exitReason());
            Ocf.Result badParams = Ocf.runWithMeta(source.with("cidr_netmask", "33"), "migrate_to", migration);
            assertEquals(6, badParams.rc(), "migrate_to validates like start: " + badParams);

            Ocf.Result to = Ocf.runWithMeta(source, "migrate_to", migration);
            assertEquals(0, to.rc(), to::toString);
            assertTrue(hasAddress(1, vip), "still on the source after migrate_to");
            assertFalse(hasAddress(2, vip), "not yet on the target after migrate_to");
            assertEquals(0, source.monitor(10_000).rc(), "the source still runs it after migrate_to");

            Ocf.Result from = Ocf.runWithMeta(target, "migrate_from", migration);
            assertEquals(0, from.rc(), from::toString);
            assertTrue(hasAddress(1, vip) && hasAddress(2, vip), "on both nodes after migrate_from, until the"
                    + " source's stop");
            assertEquals(0, target.monitor(10_000).rc(), "the target runs it after migrate_from");
            // The client sent nothing since: only the target's gratuitous ARP can have moved its entry.
            String want = lab.mac(lab.node(2));
            long deadline = System.nanoTime() + 500_000_000L;
            while (!lab.neighbourMac(lab.client(), vip).equals(Optional.of(want)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(Optional.of(want), lab.neighbourMac(lab.client(), vip),
                    "the client's ARP entry points at the target while the source still has the address");

            assertEquals(0, source.run("stop").rc());
            assertFalse(hasAddress(1, vip), "gone from the source after its stop");
            assertTrue(hasAddress(2, vip), "only on the target after the source's stop");
            assertEquals(7, source.monitor(10_000).rc());
            assertTrue(lab.ping(lab.client(), vip, 2000), "the client reaches the VIP on the target");
            Ocf.Result again = Ocf.runWithMeta(target, "migrate_from", migration);
            assertEquals(0, again.rc(), "a repeated migrate_from succeeds: " + again);
        } finally {
            source.run("stop");
            target.run("stop");
        }
    }

    private boolean hasAddress(int node, String ip) {
        return lab.execOk(lab.node(node), "ip", "-o", "-4", "addr", "show", "dev", NetnsLab.IFNAME)
                .contains(" " + ip + "/");
    }

    @Test
    void ipaddrMonitorFailsAndStartFailsFastWhenTheLinkIsDown() {
        Ocf.Agent ip = Ocf.pulse("IPaddr", "vip1", Map.of("ip", lab.vip(1)), lab.node(2));
        assertEquals(0, ip.run("start").rc());
        lab.linkDown(lab.node(2));
        try {
            Ocf.Result mon = ip.monitor(10_000);
            assertEquals(1, mon.rc(), mon::toString);
            assertTrue(mon.exitReason().contains("carrier"), mon.exitReason());
            assertEquals(0, ip.run("stop").rc());
            Ocf.Result start = ip.run("start");
            assertEquals(1, start.rc(), start::toString);
            assertTrue(start.exitReason().contains("carrier"), start.exitReason());
        } finally {
            lab.linkUp(lab.node(2));
        }
        assertEquals(0, ip.run("stop").rc());
    }

    @ParameterizedTest
    @CsvSource({"perl, 2, 500", "arping, 4, 3000"})
    void ipaddrMoveUpdatesTheClientsArpEntryByGratuitousArp(String sender, int vipIndex, long withinMs)
            throws Exception {
        TestEnv.requireCommand(sender);
        String vip = lab.vip(vipIndex);
        Map<String, String> params = Map.of("ip", vip, "arp_sender", sender);
        Ocf.Agent on1 = Ocf.pulse("IPaddr", "vip" + vipIndex, params, lab.node(1));
        Ocf.Agent on2 = Ocf.pulse("IPaddr", "vip" + vipIndex, params, lab.node(2));
        assertEquals(0, on1.run("start").rc());
        assertTrue(lab.ping(lab.client(), vip, 2000));
        assertEquals(Optional.of(lab.mac(lab.node(1))), lab.neighbourMac(lab.client(), vip));
        assertEquals(0, on1.run("stop").rc());
        Ocf.Result start = on2.run("start");
        assertEquals(0, start.rc(), start::toString);
        long t0 = System.nanoTime();
        // The client sends nothing meanwhile: only node 2's gratuitous ARP can change its entry.
        String want = lab.mac(lab.node(2));
        long deadline = t0 + withinMs * 1_000_000L;
        Optional<String> seen = lab.neighbourMac(lab.client(), vip);
        while (!seen.equals(Optional.of(want)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            seen = lab.neighbourMac(lab.client(), vip);
        }
        System.out.println("arp_sender=" + sender + ": client's ARP entry on node 2 " + (System.nanoTime() - t0) / 1_000_000
                + " ms after start returned (start " + start.elapsedMs() + " ms)");
        assertEquals(Optional.of(want), seen, "client's ARP entry for the VIP points at node 2 within " + withinMs
                + " ms of start (" + sender + ")");
        assertTrue(lab.ping(lab.client(), vip, 2000));
        assertEquals(0, on2.run("stop").rc());
        Path pidfile = lab.node(2).rsctmp().resolve("IPaddr-vip" + vipIndex + ".arp.pid");
        assertFalse(Files.exists(pidfile), "stop stops the background sender");
    }

    @Test
    void ipv6AddressLifecycle() {
        // Give the nodes an IPv6 subnet (documentation prefix 2001:db8::/32) for this test.
        lab.execOk(lab.node(1), "ip", "-6", "addr", "add", "2001:db8:51::11/64", "dev", NetnsLab.IFNAME, "nodad");
        Ocf.Agent ip6 = Ocf.pulse("IPaddr", "vip6", Map.of("ip", "2001:db8:51::200"), lab.node(1));
        try {
            assertEquals(0, ip6.run("monitor").rc() == 7 ? 0 : 1);
            assertEquals(0, ip6.run("start").rc());
            assertTrue(lab.execOk(lab.node(1), "ip", "-6", "-o", "addr", "show", "dev", NetnsLab.IFNAME)
                    .contains("2001:db8:51::200/64"));
            assertEquals(0, ip6.monitor(10_000).rc());
            assertEquals(0, ip6.run("stop").rc());
            assertEquals(0, ip6.run("stop").rc());
            assertEquals(7, ip6.run("monitor").rc());
        } finally {
            lab.exec(lab.node(1), "ip", "-6", "addr", "del", "2001:db8:51::11/64", "dev", NetnsLab.IFNAME);
        }
    }

    @Test
    void httpdLifecycleAndServingThroughTheVip() throws IOException {
        Path docroot = lab.dir("www");
        Files.writeString(docroot.resolve("index.html"), "<html><body>pulse lab page</body></html>\n");
        lab.execOk(lab.node(1), "chmod", "-R", "a+rX", lab.workDir().toString());
        Ocf.Agent plain = Ocf.pulse("httpd", "web0", Map.of("listen", lab.node(1).address() + ":8080",
                "docroot", docroot.toString()), lab.node(1));
        print("httpd", Ocf.lifecycle(plain));

        String vip = lab.vip(3);
        Ocf.Agent ip = Ocf.pulse("IPaddr", "vip3", Map.of("ip", vip), lab.node(1));
        Ocf.Agent web = Ocf.pulse("httpd", "web", Map.of("listen", vip + ":80", "docroot", docroot.toString()),
                lab.node(1));
        Ocf.Result early = web.run("start");
        assertEquals(1, early.rc(), "start before the VIP exists fails: " + early);
        // half the operation's timeout (20 s): what tells a refusal from a wait for the address to appear
        assertTrue(!early.timedOut() && early.elapsedMs() < 10_000, "and fails fast, not at the timeout: " + early);
        assertTrue(early.exitReason().contains("bind"), early.exitReason());
        assertEquals(0, ip.run("start").rc());
        try {
            Ocf.Result start = web.run("start");
            assertEquals(0, start.rc(), start::toString);
            assertEquals(Optional.of("<html><body>pulse lab page</body></html>\n"),
                    lab.httpGet(lab.client(), "http://" + vip + "/", 2000), "client gets the page through the VIP");
            assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + vip + "/server-status", 2000),
                    "server-status is for 127.0.0.1 only");
            assertEquals(0, web.monitor(10_000).rc());
            String ps = lab.execOk(lab.node(1), "ps", "-eo", "user,args");
            assertTrue(ps.lines().anyMatch(l -> l.startsWith("www-data") && l.contains(lab.node(1).rsctmp().toString())),
                    "workers run as www-data");
            assertEquals(0, web.run("stop").rc());
            assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + vip + "/", 1000));
            assertEquals(7, web.run("monitor").rc());
        } finally {
            web.run("stop");
            ip.run("stop");
        }
    }

    @Test
    void httpdRunsDebiansOwnApacheConfiguration() throws IOException {
        TestEnv.require(Files.isRegularFile(Path.of("/etc/apache2/apache2.conf")) && Files.isRegularFile(
                Path.of("/etc/apache2/mods-enabled/status.load")), "Debian's apache2 configuration with mod_status");
        Ocf.Agent web = Ocf.pulse("httpd", "debian", Map.of("configfile", "/etc/apache2/apache2.conf"), lab.node(2));
        Ocf.Result v = web.run("validate-all");
        assertEquals(6, v.rc(), "Listen is in ports.conf, so the agent asks for statusurl: " + v);
        assertTrue(v.exitReason().contains("statusurl"), v.exitReason());
        web = web.with("statusurl", "http://127.0.0.1/server-status");
        print("httpd (Debian configuration)", Ocf.lifecycle(web));
        try {
            assertEquals(0, web.run("start").rc());
            assertTrue(lab.httpGet(lab.client(), "http://" + lab.node(2).address() + "/", 2000).isPresent(),
                    "Debian's default page reaches the client");
        } finally {
            assertEquals(0, web.run("stop").rc());
        }
        assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + lab.node(2).address() + "/", 1000));
    }

    @Test
    void httpdStartGivesUpCleanlyBeforeItsTimeout() throws IOException {
        Path docroot = lab.dir("www-deaf");
        lab.execOk(lab.node(2), "chmod", "-R", "a+rX", lab.workDir().toString());
        // The server starts, but the status URL points elsewhere: start must not hang to the LRM's kill.
        Ocf.Agent web = Ocf.pulse("httpd", "deaf", Map.of("listen", lab.node(2).address() + ":8083",
                "docroot", docroot.toString(), "statusurl", "http://127.0.0.1:9/server-status"), lab.node(2));
        // The agent gives up a tenth of the timeout (at least 0.5 s) before it. With a 4 s timeout that 0.5 s also
        // had to hold the agent's own start and its last probe: at load 40-60 it answered at 4,290 ms, killed.
        // 10 s leaves it 1 s; it still waits for the server most of the time rather than failing at once.
        long timeoutMs = 10_000;
        Ocf.Result start = Ocf.run(web, "start", 0, timeoutMs, Map.of());
        assertEquals(1, start.rc(), start::toString);
        assertFalse(start.timedOut(), "the agent answered before the LRM's deadline: " + start);
        assertTrue(start.elapsedMs() >= timeoutMs / 2 && start.elapsedMs() < timeoutMs, start::toString);
        assertTrue(start.exitReason().contains("did not answer"), start.exitReason());
        assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + lab.node(2).address() + ":8083/", 1000),
                "the half-started server was killed");
        assertEquals(0, web.run("stop").rc());
    }

    @Test
    void httpdStopKillsTheWholeServerGroupWhenTermIsIgnored() throws Exception {
        Path docroot = lab.dir("www-stuck");
        Files.writeString(docroot.resolve("index.html"), "<html>stuck</html>\n");
        lab.execOk(lab.node(2), "chmod", "-R", "a+rX", lab.workDir().toString());
        Ocf.Agent web = Ocf.pulse("httpd", "stuck", Map.of("listen", lab.node(2).address() + ":8082",
                "docroot", docroot.toString(), "term_wait", "300"), lab.node(2));
        assertEquals(0, web.run("start").rc());
        long master = Long.parseLong(Files.readString(lab.node(2).rsctmp().resolve("httpd-stuck.pid")).strip());
        // A stopped master cannot act on TERM: stop must fall back to KILL of the group.
        lab.execOk(lab.node(2), "kill", "-STOP", Long.toString(master));
        Ocf.Result stop = web.run("stop");
        assertEquals(0, stop.rc(), stop::toString);
        // term_wait (0.3 s), then KILL of the group: half the operation's timeout (20 s) tells it from a stop
        // that waits for the stopped master, with room for a loaded machine (a fixed 3 s was tight there)
        assertTrue(stop.elapsedMs() < 10_000, "bounded by term_wait, not the timeout: " + stop);
        for (long pid : lab.processesIn(lab.node(2))) {
            String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            String state = Files.readString(Path.of("/proc/" + pid + "/stat"));
            state = state.substring(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3);
            assertTrue(!cmd.contains("httpd-stuck") || state.equals("Z"), "left alive: " + pid + " " + cmd);
        }
        assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + lab.node(2).address() + ":8082/", 1000));
        assertEquals(7, web.run("monitor").rc());
    }

    @Test
    void httpdRunsAsAnOrdinaryUserOnAHighPort() throws IOException {
        TestEnv.requireCommand("setpriv");
        Path home = lab.dir("nobody");
        Path docroot = lab.dir("www-nobody");
        Files.writeString(docroot.resolve("index.html"), "<html>no root needed</html>\n");
        lab.execOk(lab.node(1), "chmod", "-R", "a+rX", lab.workDir().toString());
        lab.execOk(lab.node(1), "chown", "nobody", home.toString());
        String agent = Ocf.PULSE.resolve("httpd").toString();
        List<String> asNobody = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env",
                "HA_RSCTMP=" + home, "OCF_RESOURCE_INSTANCE=mine", "OCF_RESKEY_listen=127.0.0.1:18080",
                "OCF_RESKEY_docroot=" + docroot, agent);
        List<String> start = new java.util.ArrayList<>(asNobody);
        start.add("start");
        List<String> stop = new java.util.ArrayList<>(asNobody);
        stop.add("stop");
        NetnsLab.Result r = lab.exec(lab.node(1), start.toArray(String[]::new));
        try {
            assertEquals(0, r.rc(), r.stderr());
            assertEquals(Optional.of("<html>no root needed</html>\n"),
                    lab.httpGet(lab.node(1), "http://127.0.0.1:18080/", 2000));
            String ps = lab.execOk(lab.node(1), "ps", "-eo", "user,args");
            assertTrue(ps.lines().filter(l -> l.contains(home.toString())).allMatch(l -> l.startsWith("nobody")), ps);
        } finally {
            NetnsLab.Result s2 = lab.exec(lab.node(1), stop.toArray(String[]::new));
            assertEquals(0, s2.rc(), s2.stderr());
        }
        assertEquals(Optional.empty(), lab.httpGet(lab.node(1), "http://127.0.0.1:18080/", 1000));
        List<String> low = new java.util.ArrayList<>(asNobody);
        low.set(low.indexOf("OCF_RESKEY_listen=127.0.0.1:18080"), "OCF_RESKEY_listen=80");
        low.add("validate-all");
        NetnsLab.Result v = lab.exec(lab.node(1), low.toArray(String[]::new));
        assertEquals(4, v.rc(), "port 80 without root → OCF_ERR_PERM: " + v.stderr());
        assertTrue(v.stderr().contains("1024"), v.stderr());
    }

    @Test
    void filesystemLifecycleDepthsAndBusyUnmount() throws Exception {
        NetnsLab.LoopDevice loop = lab.loopImage("fs1", 32);
        Path mnt = lab.workDir().resolve("mnt-fs1");
        Ocf.Agent fs = Ocf.pulse("Filesystem", "fs1", Map.of("device", loop.device(), "directory", mnt.toString(),
                "fstype", "ext4"), lab.node(1));
        print("Filesystem", Ocf.lifecycle(fs));
        assertEquals(0, fs.run("start").rc());
        assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()), "mounted, visible outside the namespace");
        for (int depth : new int[] {0, 10, 20}) {
            Ocf.Result r = fs.monitorDepth(depth);
            assertEquals(0, r.rc(), "depth " + depth + ": " + r);
        }
        Files.writeString(mnt.resolve("data.txt"), "written through the mount\n");
        // A process (in the node) holds a file open and ignores TERM: stop must KILL it and unmount.
        Process holder = lab.start(lab.node(1), List.of("sh", "-c",
                "trap '' TERM; exec 3<" + mnt.resolve("data.txt") + "; cd " + mnt + "; while :; do sleep 1; done"),
                Map.of(), lab.node(1).runDir().resolve("holder.log"));
        assertTrue(Procs.awaitHolding(holder.pid(), mnt, HOLDER_START), "the holder did not open the file within "
                + HOLDER_START);
        Ocf.Result stop = fs.run("stop");
        assertEquals(0, stop.rc(), stop::toString);
        assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()), "unmounted");
        holder.waitFor();
        assertFalse(holder.isAlive(), "the holder was killed");
        assertEquals(7, fs.run("monitor").rc());
        // The data survived: mount again and read it.
        assertEquals(0, fs.run("start").rc());
        assertEquals("written through the mount\n", Files.readString(mnt.resolve("data.txt")));
        assertEquals(0, fs.run("stop").rc());
    }

    /**
     * A VIP's and a filesystem's start are on a failover's path (the group of bench/failover starts them in turn), and
     * every program an agent runs costs ~5 ms on this VM, 100 ms and more while it is busy: IPaddr's start runs ip
     * three times (the link, the address, the add) and perl once (the first gratuitous ARP pair), where it ran ip six
     * times; Filesystem's start runs mount alone, where it ran eleven programs (grep, sed, awk, stat and mkdir).
     */
    @Test
    void startsOnTheFailoverPathRunFewPrograms() throws Exception {
        Path calls = lab.workDir().resolve("program-calls.log");
        String path = countingPath(calls, "ip", "perl", "arping", "awk", "sed", "grep", "stat", "mkdir", "mount", "cat",
                "readlink", "tr", "id", "rm", "mv", "sleep", "modprobe", "timeout", "blkid", "findmnt") + ":"
                + System.getenv("PATH");
        Ocf.Agent ip = Ocf.pulse("IPaddr", "vip9", Map.of("ip", lab.vip(9), "nic", NetnsLab.IFNAME, "cidr_netmask", "24"),
                lab.node(1));
        Ocf.Result start = Ocf.run(ip, "start", 0, 20_000, Map.of("PATH", path));
        assertEquals(0, start.rc(), start::toString);
        List<String> ipStart = Files.readAllLines(calls);
        assertEquals(0, ip.monitor(10_000).rc(), "the address is up after that start");
        assertEquals(0, ip.run("stop").rc());
        assertEquals(List.of("ip", "ip", "ip", "perl"), ipStart, "IPaddr start's programs");

        Files.delete(calls);
        NetnsLab.LoopDevice loop = lab.loopImage("fs9", 32);
        Path mnt = Files.createDirectories(lab.workDir().resolve("mnt-fs9"));
        Ocf.Agent fs = Ocf.pulse("Filesystem", "fs9", Map.of("device", loop.device(), "directory", mnt.toString(),
                "fstype", "ext4"), lab.node(1));
        Ocf.Result fsStart = Ocf.run(fs, "start", 0, 20_000, Map.of("PATH", path));
        assertEquals(0, fsStart.rc(), fsStart::toString);
        List<String> fsPrograms = Files.readAllLines(calls);
        assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()), "mounted");
        assertEquals(0, fs.run("monitor").rc());
        assertEquals(0, fs.run("stop").rc());
        assertEquals(List.of("mount"), fsPrograms, "Filesystem start's programs");
    }

    /** A directory of wrappers that append their name to {@code log}, then run the real program of that name. */
    private String countingPath(Path log, String... programs) throws IOException {
        Path bin = lab.dir("bin-counting");
        for (String prog : programs) {
            Optional<Path> real = java.util.stream.Stream.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
                    "/sbin", "/bin").map(d -> Path.of(d, prog)).filter(Files::isExecutable).findFirst();
            if (real.isEmpty()) {
                continue;
            }
            Path w = bin.resolve(prog);
            Files.writeString(w, "#!/bin/sh\necho " + prog + " >>" + log + "\nexec " + real.get() + " \"$@\"\n");
            w.toFile().setExecutable(true);
        }
        return bin.toString();
    }

    /** A PATH of symlinks to every program of the usual PATH except {@code missing}. */
    private String pathWithout(String... missing) throws IOException {
        Path bin = lab.dir("bin-without-" + String.join("-", missing));
        List<String> skip = List.of(missing);
        for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path dir = Path.of(d);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path link = bin.resolve(p.getFileName());
                    if (!skip.contains(p.getFileName().toString()) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, p);
                    }
                }
            }
        }
        return bin.toString();
    }

    @Test
    void filesystemFindsHoldersThroughProcWithoutFuser() throws Exception {
        NetnsLab.LoopDevice loop = lab.loopImage("fs4", 32);
        Path mnt = lab.node(1).mountRoot().resolve("fs4");
        Ocf.Agent fs = Ocf.pulse("Filesystem", "fs4", Map.of("device", loop.device(), "directory", mnt.toString(),
                "term_wait", "300"), lab.node(1));
        Map<String, String> noFuser = Map.of("PATH", pathWithout("fuser"));
        assertEquals(0, Ocf.run(fs, "start", 0, 20_000, noFuser).rc());
        Files.writeString(mnt.resolve("held.txt"), "x");
        Process byFd = lab.start(lab.node(1), List.of("sh", "-c", "exec 3<" + mnt.resolve("held.txt")
                + "; trap '' TERM; while :; do sleep 1; done"), Map.of(), lab.node(1).runDir().resolve("fd.log"));
        Process byCwd = lab.start(lab.node(1), List.of("sh", "-c", "cd " + mnt + " && exec sleep 600"), Map.of(),
                lab.node(1).runDir().resolve("cwd.log"));
        assertTrue(Procs.awaitHolding(byFd.pid(), mnt, HOLDER_START) && Procs.awaitHolding(byCwd.pid(), mnt, HOLDER_START),
                "the holders did not enter the mount within " + HOLDER_START);
        Ocf.Result stop = Ocf.run(fs, "stop", 0, 20_000, noFuser);
        assertEquals(0, stop.rc(), stop::toString);
        byFd.waitFor();
        byCwd.waitFor();
        assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()));
    }

    @Test
    void httpdMonitorsWithWgetWhenCurlIsMissing() throws IOException {
        Path docroot = lab.dir("www-wget");
        Files.writeString(docroot.resolve("index.html"), "<html>wget</html>\n");
        lab.execOk(lab.node(1), "chmod", "-R", "a+rX", lab.workDir().toString());
        Ocf.Agent web = Ocf.pulse("httpd", "wget", Map.of("listen", lab.node(1).address() + ":8084",
                "docroot", docroot.toString()), lab.node(1));
        Map<String, String> noCurl = Map.of("PATH", pathWithout("curl"));
        assertEquals(0, Ocf.run(web, "start", 0, 20_000, noCurl).rc());
        try {
            assertEquals(0, Ocf.run(web, "monitor", 10_000, 20_000, noCurl).rc());
            assertTrue(lab.httpGet(lab.client(), "http://" + lab.node(1).address() + ":8084/", 2000).isPresent());
        } finally {
            assertEquals(0, Ocf.run(web, "stop", 0, 20_000, noCurl).rc());
        }
        Ocf.Result neither = Ocf.run(web, "validate-all", 0, 20_000, Map.of("PATH", pathWithout("curl", "wget")));
        assertEquals(5, neither.rc(), neither::toString);
        assertTrue(neither.exitReason().contains("curl") && neither.exitReason().contains("wget"), neither.exitReason());
    }

    @Test
    void filesystemMountPointWithASpace() throws Exception {
        NetnsLab.LoopDevice loop = lab.loopImage("fs5", 16);
        Path mnt = lab.node(1).mountRoot().resolve("my data");
        Ocf.Agent fs = Ocf.pulse("Filesystem", "fs5", Map.of("device", loop.device(), "directory", mnt.toString()),
                lab.node(1));
        assertEquals(0, fs.run("start").rc());
        assertEquals(0, fs.monitor(20_000).rc(), "found in mountinfo, where the space is written \\040");
        assertEquals(0, fs.run("start").rc(), "and start knows it is already mounted");
        assertEquals(0, fs.run("stop").rc());
        assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()));
    }

    @Test
    void filesystemRefusesToMountADeviceAlreadyMountedElsewhere() throws Exception {
        NetnsLab.LoopDevice loop = lab.loopImage("fs3", 32);
        Ocf.Agent on1 = Ocf.pulse("Filesystem", "fs3", Map.of("device", loop.device(),
                "directory", lab.node(1).mountRoot().resolve("fs3").toString()), lab.node(1));
        Ocf.Agent on2 = Ocf.pulse("Filesystem", "fs3", Map.of("device", loop.device(),
                "directory", lab.node(2).mountRoot().resolve("fs3").toString()), lab.node(2));
        assertEquals(0, on1.run("start").rc());
        Ocf.Result second = on2.run("start");
        assertEquals(1, second.rc(), "shared storage mounted twice would be split brain: " + second);
        assertTrue(second.exitReason().contains("already mounted on " + lab.node(1).mountRoot()), second.exitReason());
        assertEquals(7, on2.run("monitor").rc());
        assertEquals(0, on1.run("stop").rc());
        assertEquals(0, on2.run("start").rc(), "free again once node 1 let go");
        assertEquals(0, on2.run("stop").rc());
    }

    @Test
    void filesystemStopFailsRatherThanLiesWhenItMayNotKill() throws Exception {
        NetnsLab.LoopDevice loop = lab.loopImage("fs2", 32);
        Path mnt = lab.workDir().resolve("mnt-fs2");
        Ocf.Agent fs = Ocf.pulse("Filesystem", "fs2", Map.of("device", loop.device(), "directory", mnt.toString(),
                "force_unmount", "false"), lab.node(1));
        assertEquals(0, fs.run("start").rc());
        Process holder = lab.start(lab.node(1), List.of("sh", "-c", "cd " + mnt + " && exec sleep 600"), Map.of(),
                lab.node(1).runDir().resolve("holder2.log"));
        assertTrue(Procs.awaitHolding(holder.pid(), mnt, HOLDER_START), "the holder did not enter the mount within "
                + HOLDER_START);
        Ocf.Result stop = fs.run("stop");
        assertEquals(1, stop.rc(), stop::toString);
        assertTrue(stop.exitReason().contains("busy") && stop.exitReason().contains("sleep"), stop.exitReason());
        assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()), "still mounted, and stop said so");
        holder.destroyForcibly().waitFor();
        assertEquals(0, fs.run("stop").rc());
        assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()));
    }
}
