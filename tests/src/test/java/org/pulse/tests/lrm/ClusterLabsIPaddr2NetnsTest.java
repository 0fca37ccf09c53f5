package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.RaTester;
import org.pulse.lab.support.TestEnv;

/**
 * ClusterLabs' IPaddr2, unchanged, through the LRM inside a network namespace (the lab's way of running a
 * node): findif, the address on the namespace's own interface, send_arp in the background holding stdout
 * (completion must not wait for it), its pid file in this test's HA_RSCTMP. TEST-NET-2 addresses only.
 */
class ClusterLabsIPaddr2NetnsTest {
    static final Path IPADDR2 = Path.of("/usr/lib/ocf/resource.d/heartbeat/IPaddr2");
    private String ns;
    private TestAgents agents;

    @BeforeEach
    void setUp() throws Exception {
        TestEnv.requireRoot();
        TestEnv.requireCommand("ip");
        TestEnv.requireCommand("nsenter");
        TestEnv.require(Files.isExecutable(IPADDR2), IPADDR2 + " (apt-get install resource-agents)");
        ns = "pulse-lrm-ip-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
        System.out.println("network namespace " + ns);
        agents = new TestAgents();
        sh("ip", "netns", "add", ns);
        // A veth pair with both ends inside the namespace (this kernel has no dummy links).
        sh("ip", "-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        sh("ip", "-n", ns, "link", "set", "d1", "up");
        sh("ip", "-n", ns, "addr", "add", "198.51.100.1/24", "dev", "d0");
        sh("ip", "-n", ns, "link", "set", "d0", "up");
        sh("ip", "-n", ns, "link", "set", "lo", "up");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ns != null) {
            sh("ip", "netns", "del", ns);
        }
        if (agents != null) {
            agents.close();
        }
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + rc + "): " + out);
        }
        return out;
    }

    @Test
    void ipaddr2CompletesTheLifecycleInsideTheNamespace() throws Exception {
        LrmConfig cfg = LrmConfig.defaults().withHaRsctmp(agents.dir.resolve("rsctmp")).withNodeName("node1")
                .withNetns(Path.of("/run/netns/" + ns));
        List<String> printed = new ArrayList<>();
        try (AgentExecutor ex = new AgentExecutor(cfg)) {
            RaTester.Report r = new RaTester(ex).run(AgentRef.parse("ocf:heartbeat:IPaddr2"), "vip",
                    Map.of("ip", "198.51.100.10", "cidr_netmask", "24"), s -> printed.add(s.format()));
            printed.forEach(System.out::println);
            assertTrue(r.passed(), String.join("\n", printed));
            long start = r.steps().stream().filter(s -> s.name().equals("start")).findFirst().orElseThrow().timeMs();
            // send_arp keeps stdout open for about a second after start returns; completion is the agent's exit.
            assertTrue(start < 1_000, "start took " + start + " ms: the LRM waited for send_arp's EOF");
        }
        assertFalse(sh("ip", "-n", ns, "-4", "addr", "show", "dev", "d0").contains("198.51.100.10"), "stop left the VIP");
        assertFalse(sh("ip", "-4", "addr").contains("198.51.100.10"), "the VIP reached the host's namespace");
    }

    @Test
    void startPutsTheAddressInTheNamespaceOnly() throws Exception {
        LrmConfig cfg = LrmConfig.defaults().withHaRsctmp(agents.dir.resolve("rsctmp")).withNetns(Path.of("/run/netns/" + ns));
        try (AgentExecutor ex = new AgentExecutor(cfg)) {
            var start = ex.execute(org.pulse.lrm.OperationRequest.of("vip", AgentRef.parse("ocf:heartbeat:IPaddr2"), "start",
                    20_000, Map.of("ip", "198.51.100.11", "cidr_netmask", "24")));
            assertEquals(0, start.rc(), start.toString());
            assertTrue(sh("ip", "-n", ns, "-4", "addr", "show", "dev", "d0").contains("198.51.100.11/24"));
            assertFalse(sh("ip", "-4", "addr").contains("198.51.100.11"));
            assertEquals(0, ex.execute(org.pulse.lrm.OperationRequest.of("vip", AgentRef.parse("ocf:heartbeat:IPaddr2"), "stop",
                    20_000, Map.of("ip", "198.51.100.11", "cidr_netmask", "24"))).rc());
        }
    }
}
