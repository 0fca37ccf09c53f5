package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class InvocationsTest {
    private static final AgentRef DUMMY = AgentRef.ocf("heartbeat", "Dummy");
    private static final Path PATH = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    private final LrmConfig config = LrmConfig.defaults().withHaRsctmp(Path.of("/tmp/node1-rsctmp"))
            .withEnv("HA_VARRUN", "/tmp/node1-run").withNodeName("node1");

    @Test
    void probeCarriesTimeoutAndTargetButNoInterval() {
        OperationRequest probe = OperationRequest.probe("vip", DUMMY, 20_000, Map.of("ip", "192.0.2.100"))
                .withMeta("on_node", "node1");
        Invocation inv = Invocations.ocf(config, PATH, probe);
        assertEquals(List.of(PATH.toString(), "monitor"), inv.argv());
        Map<String, String> expected = new TreeMap<>(Map.of(
                "OCF_ROOT", "/usr/lib/ocf",
                "OCF_RA_VERSION_MAJOR", "1",
                "OCF_RA_VERSION_MINOR", "1",
                "OCF_RESOURCE_INSTANCE", "vip",
                "OCF_RESOURCE_TYPE", "Dummy",
                "OCF_RESOURCE_PROVIDER", "heartbeat",
                "OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:",
                "OCF_RESKEY_ip", "192.0.2.100",
                "OCF_RESKEY_crm_feature_set", "3.16.1",
                "OCF_RESKEY_CRM_meta_timeout", "20000"));
        expected.put("OCF_RESKEY_CRM_meta_op_target_rc", "7");
        expected.put("OCF_RESKEY_CRM_meta_on_node", "node1");
        expected.put("HA_RSCTMP", "/tmp/node1-rsctmp");
        expected.put("HA_VARRUN", "/tmp/node1-run");
        assertEquals(expected, new TreeMap<>(inv.env()));
        assertNull(inv.stdin(), "OCF agents get /dev/null");
        assertEquals(20_000, inv.timeoutMs());
        assertTrue(inv.dropEnvPrefixes().contains("OCF_RESKEY_"));
    }

    @Test
    void recurringMonitorCarriesIntervalAndNameAndCheckLevelUnprefixed() {
        OperationRequest mon = OperationRequest.monitor("fs", DUMMY, 10_000, 40_000, Map.of("OCF_CHECK_LEVEL", "20",
                "device", "/dev/loop0"));
        Map<String, String> env = Invocations.ocf(config, PATH, mon).env();
        assertEquals("10000", env.get("OCF_RESKEY_CRM_meta_interval"));
        assertEquals("monitor", env.get("OCF_RESKEY_CRM_meta_name"));
        assertEquals("40000", env.get("OCF_RESKEY_CRM_meta_timeout"));
        assertEquals("20", env.get("OCF_CHECK_LEVEL"));
        assertFalse(env.containsKey("OCF_RESKEY_OCF_CHECK_LEVEL"));
        assertEquals("/dev/loop0", env.get("OCF_RESKEY_device"));
    }

    @Test
    void metaGivenByTheCallerCannotContradictTheRequest() {
        OperationRequest req = OperationRequest.of("d", DUMMY, "start", 5_000, Map.of())
                .withMeta("timeout", "99").withMeta("interval", "1000").withMeta("name", "x");
        Map<String, String> env = Invocations.ocf(config, PATH, req).env();
        assertEquals("5000", env.get("OCF_RESKEY_CRM_meta_timeout"));
        assertFalse(env.containsKey("OCF_RESKEY_CRM_meta_interval"));
        assertFalse(env.containsKey("OCF_RESKEY_CRM_meta_name"));
    }

    @Test
    void emptyNotifyListsAreASingleSpace() {
        OperationRequest n = OperationRequest.of("st", AgentRef.ocf("pacemaker", "Stateful"), "notify", 20_000, Map.of())
                .withMeta("notify_type", "pre").withMeta("notify_operation", "start")
                .withMeta("notify_start_resource", "st:0 st:1").withMeta("notify_stop_resource", "")
                .withMeta("notify_all_hosts", "").withMeta("notify_active_uname", "");
        Map<String, String> env = Invocations.ocf(config, PATH, n).env();
        assertEquals("st:0 st:1", env.get("OCF_RESKEY_CRM_meta_notify_start_resource"));
        assertEquals(" ", env.get("OCF_RESKEY_CRM_meta_notify_stop_resource"));
        assertEquals(" ", env.get("OCF_RESKEY_CRM_meta_notify_all_hosts"));
        assertEquals(" ", env.get("OCF_RESKEY_CRM_meta_notify_active_uname"));
        assertEquals("pre", env.get("OCF_RESKEY_CRM_meta_notify_type"));
    }

    @Test
    void metadataCallHasNoParametersAndTheTypeAsInstance() {
        OperationRequest md = new OperationRequest("Dummy", DUMMY, "meta-data", 0, 30_000, Map.of(), Map.of(), null, 0);
        Map<String, String> env = Invocations.ocf(config, PATH, md).env();
        assertEquals("Dummy", env.get("OCF_RESOURCE_INSTANCE"));
        assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("OCF_RESKEY_")), env.toString());
    }

    @Test
    void graphAttributesSplitIntoParamsAndMeta() {
        Map<String, String> attrs = Map.of("CRM_meta_on_node", "node2", "CRM_meta_op_target_rc", "7",
                "CRM_meta_timeout", "40000", "crm_feature_set", "3.16.1", "device", "/dev/loop0");
        OperationRequest r = OperationRequest.fromGraphAttributes("fs-www", DUMMY, "monitor", attrs, "7:0:7:abc");
        assertEquals(40_000, r.timeoutMs());
        assertEquals(0, r.intervalMs());
        assertTrue(r.isProbe());
        assertEquals(7, r.expectedRc());
        assertEquals(Map.of("crm_feature_set", "3.16.1", "device", "/dev/loop0"), r.params());
        assertEquals(Map.of("on_node", "node2", "op_target_rc", "7"), r.meta());
        assertEquals("fs-www_monitor_0", r.operationKey());
        Map<String, String> env = Invocations.ocf(config, PATH, r).env();
        assertEquals("3.16.1", env.get("OCF_RESKEY_crm_feature_set"));
    }

    @Test
    void lsbMonitorRunsStatusWithoutOcfVariables() {
        OperationRequest m = OperationRequest.monitor("web", new AgentRef("lsb", null, "web"), 10_000, 15_000, Map.of());
        Invocation inv = Invocations.lsb(config, Path.of("/etc/init.d/web"), m);
        assertEquals(List.of("/etc/init.d/web", "status"), inv.argv());
        assertTrue(inv.env().keySet().stream().noneMatch(k -> k.startsWith("OCF_")));
    }

    @Test
    void fenceAgentsGetKeyValueLinesOnStdin() {
        OperationRequest r = OperationRequest.of("fence1", new AgentRef("stonith", null, "fence_x"), "reboot", 60_000,
                Map.of("plug", "node2", "ipaddr", "192.0.2.9", "pcmk_host_list", "node2", "crm_feature_set", "3.16.1"));
        Invocation inv = Invocations.stonith(config, Path.of("/usr/sbin/fence_x"), r, "reboot");
        assertEquals(List.of("/usr/sbin/fence_x"), inv.argv());
        assertArrayEquals("action=reboot\nipaddr=192.0.2.9\nplug=node2\n".getBytes(StandardCharsets.UTF_8), inv.stdin());
        OperationRequest bad = OperationRequest.of("fence1", new AgentRef("stonith", null, "fence_x"), "off", 60_000,
                Map.of("plug", "a\naction=reboot"));
        assertThrows(IllegalArgumentException.class, () -> Invocations.stonith(config, Path.of("/x"), bad, "off"));
    }

    @Test
    void requestsRejectNamesThatCannotBeVariables() {
        assertThrows(IllegalArgumentException.class, () -> OperationRequest.of("r", DUMMY, "start", 1, Map.of("a=b", "x")));
        assertThrows(IllegalArgumentException.class, () -> OperationRequest.of("r", DUMMY, "start; rm", 1, Map.of()));
        assertEquals(OperationRequest.DEFAULT_TIMEOUT_MS, OperationRequest.of("r", DUMMY, "start", 0, Map.of()).timeoutMs());
    }

    /** crm resource trace: trace_dir is the node's own unless the op names one, and only for a traced op. */
    @Test
    void aTracedOperationGetsTheNodesTraceDirectory() {
        LrmConfig traced = config.withTraceDir(Path.of("/var/lib/pulse-node1/trace_ra"));
        Map<String, String> env = Invocations.ocf(traced, PATH, OperationRequest.of("d1", DUMMY, "start", 20_000,
                Map.of("trace_ra", "1"))).env();
        assertEquals("/var/lib/pulse-node1/trace_ra", env.get("OCF_RESKEY_trace_dir"));
        assertEquals("/tmp/mine", Invocations.ocf(traced, PATH, OperationRequest.of("d1", DUMMY, "start", 20_000,
                Map.of("trace_ra", "yes", "trace_dir", "/tmp/mine"))).env().get("OCF_RESKEY_trace_dir"));
        assertFalse(Invocations.ocf(traced, PATH, OperationRequest.of("d1", DUMMY, "start", 20_000, Map.of("trace_ra",
                "0"))).env().containsKey("OCF_RESKEY_trace_dir"));
        assertFalse(Invocations.ocf(config, PATH, OperationRequest.of("d1", DUMMY, "start", 20_000, Map.of("trace_ra",
                "1"))).env().containsKey("OCF_RESKEY_trace_dir"), "no trace directory configured: the agent's own");
    }
}
