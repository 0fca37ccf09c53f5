package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * Bad parameters give the contract's codes (2 invalid here, 5 not installed here, 6 misconfigured
 * everywhere) with an exit reason that names the parameter and what to do; stop of a resource
 * that cannot be running still succeeds and a probe says "not running".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PulseAgentBadParametersTest {
    private NetnsLab lab;

    @BeforeAll
    void setUp() throws IOException {
        Ocf.requireLab();
        TestEnv.requireCommand("apache2");
        lab = NetnsLab.create(1);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private void bad(Ocf.Agent a, int rc, String... reasonWords) {
        Ocf.Result r = a.run("validate-all");
        assertEquals(rc, r.rc(), () -> a.type() + " " + a.params() + ": " + r);
        for (String w : reasonWords) {
            assertTrue(r.exitReason().contains(w), () -> a.type() + " " + a.params() + ": reason '" + r.exitReason()
                    + "' should mention '" + w + "'");
        }
        // The same configuration must not break stop (nothing can be running) or a probe (7).
        assertEquals(0, a.run("stop").rc(), () -> a.type() + " stop with " + a.params());
        assertEquals(7, a.run("monitor").rc(), () -> a.type() + " probe with " + a.params());
    }

    private Ocf.Agent agent(String type, Map<String, String> params) {
        return Ocf.pulse(type, "bad", params, lab.node(1));
    }

    @Test
    void ipaddr() {
        bad(agent("IPaddr", Map.of()), 6, "ip");
        bad(agent("IPaddr", Map.of("ip", "300.1.2.3")), 6, "300.1.2.3");
        bad(agent("IPaddr", Map.of("ip", lab.vip(0), "cidr_netmask", "33")), 6, "cidr_netmask");
        bad(agent("IPaddr", Map.of("ip", lab.vip(0), "nic", "nosuch0")), 2, "nosuch0");
        bad(agent("IPaddr", Map.of("ip", "203.0.113.50")), 2, "203.0.113.50", "nic");
        bad(agent("IPaddr", Map.of("ip", lab.vip(0), "iflabel", "averyverylonglabel")), 6, "iflabel");
        bad(agent("IPaddr", Map.of("ip", lab.vip(0), "arp_sender", "carrier-pigeon")), 6, "arp_sender");
    }

    @Test
    void httpd() {
        bad(agent("httpd", Map.of("listen", "notaport", "docroot", "/tmp")), 6, "listen");
        bad(agent("httpd", Map.of("listen", "8080", "docroot", "/nonexistent/www")), 2, "docroot", "/nonexistent/www");
        bad(agent("httpd", Map.of("configfile", "/nonexistent/httpd.conf")), 5, "configfile");
        bad(agent("httpd", Map.of("listen", "8080", "docroot", "/tmp", "httpd", "/nonexistent/apache2")), 5, "apache2");
        bad(agent("httpd", Map.of("listen", "8080", "docroot", "/tmp", "pidfile", "relative.pid")), 6, "pidfile");
    }

    @Test
    void filesystem() {
        bad(agent("Filesystem", Map.of("directory", "/mnt/x")), 6, "device");
        bad(agent("Filesystem", Map.of("device", "/dev/loop0")), 6, "directory");
        bad(agent("Filesystem", Map.of("device", "/dev/nonexistent-disk", "directory", "/mnt/x")), 5,
                "/dev/nonexistent-disk");
        bad(agent("Filesystem", Map.of("device", "/dev/null", "directory", "/mnt/x", "fstype", "nosuchfs")), 5,
                "nosuchfs");
        bad(agent("Filesystem", Map.of("device", "/dev/null", "directory", "relative/dir")), 6, "directory");
        bad(agent("Filesystem", Map.of("device", "/dev/null", "directory", "/mnt/x", "options", "ro, noatime")), 6,
                "options");
    }

    @Test
    void dummyStatefulPing() {
        bad(agent("Dummy", Map.of("state", "relative.state")), 6, "state");
        bad(agent("Dummy", Map.of("state", "/etc/hostname/sub/x.state")), 2, "/etc/hostname");
        bad(agent("ping", Map.of("host_list", "192.0.2.1", "state", "/etc/hostname/x")), 2, "state");
        bad(agent("Stateful", Map.of("promoted_score", "high")), 6, "promoted_score");
        bad(agent("ping", Map.of()), 6, "host_list");
        bad(agent("ping", Map.of("host_list", "192.0.2.1", "multiplier", "-3")), 6, "multiplier");
        bad(agent("ping", Map.of("host_list", "192.0.2.1", "dampen", "soon")), 6, "dampen");
    }

    /**
     * A start with bad parameters is refused at once: it never waits for what cannot come (an address
     * to appear, a device, a server to answer) until the deadline. The bound is what that takes, a
     * quarter of the operation's timeout, not a fixed 2 s: a refusal costs a shell and a few commands
     * (0.2-0.4 s measured at load 40-80, where a process start alone can take a second), while a start
     * that waits runs into the timeout.
     */
    @Test
    void startWithBadParametersFailsWithTheSameCodeAndQuickly() {
        long timeoutMs = 20_000;
        for (Ocf.Agent a : List.of(agent("IPaddr", Map.of()), agent("httpd", Map.of("configfile", "/nonexistent")),
                agent("Filesystem", Map.of("device", "/dev/nonexistent-disk", "directory", "/mnt/x")))) {
            Ocf.Result v = a.run("validate-all");
            Ocf.Result s = Ocf.run(a, "start", 0, timeoutMs, Map.of());
            System.out.println(a.type() + " refused start in " + s.elapsedMs() + " ms (validate-all " + v.elapsedMs() + " ms)");
            assertEquals(v.rc(), s.rc(), () -> a.type() + " start " + s);
            assertEquals(v.exitReason(), s.exitReason());
            assertTrue(!s.timedOut() && s.elapsedMs() < timeoutMs / 4, () -> a.type() + " took " + s.elapsedMs()
                    + " ms to refuse a start with a " + timeoutMs + " ms timeout");
        }
    }
}
