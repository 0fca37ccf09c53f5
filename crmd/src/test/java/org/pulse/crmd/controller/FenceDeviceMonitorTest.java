package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;

/**
 * A fence device with a recurring monitor, on a one-node cluster whose controller's operations run
 * through the real LRM and the real fence_pulse_sim (MiniCluster's fake LRM answers 0 to anything
 * of class stonith, which hid the defect). The controller acknowledges a fence device's start itself
 * (a device has no process), so the LRM never sees it; its monitor used to answer 7 every time.
 */
class FenceDeviceMonitorTest {
    @Test
    void aFenceDevicesRecurringMonitorSucceedsThoughTheLrmNeverSawItsStart() throws Exception {
        Path work = Files.createTempDirectory("pulse-fence-monitor-");
        Path power = Files.createDirectories(work.resolve("power"));
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\"/></crm_config><nodes/><resources>"
                + "<primitive id=\"fence\" class=\"stonith\" type=\"fence_pulse_sim\"><instance_attributes id=\"fia\">"
                + "<nvpair id=\"fpd\" name=\"power_dir\" value=\"" + power + "\"/></instance_attributes>"
                + "<operations><op id=\"fmon\" name=\"monitor\" interval=\"2s\" timeout=\"20s\"/></operations></primitive>"
                + "</resources><constraints/></configuration><status/></cib>"));
        LrmConfig lrmConfig = LrmConfig.defaults().withNodeName("a").withStonithDirs(List.of(Path.of("src/main/fence").toAbsolutePath()))
                .withHaRsctmp(Files.createDirectories(work.resolve("rsctmp")))
                .withEnv("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        Controller a = new Controller(ControllerConfig.defaults("a", List.of("a")), new PolicyEngineScheduler(), cib);
        List<String> ran = new ArrayList<>();
        List<OpResult> monitors = new ArrayList<>();
        try (AgentExecutor lrm = new AgentExecutor(lrmConfig)) {
            Deque<Event> events = new ArrayDeque<>();
            events.add(new Event.ViewChanged(new View("v1", List.of("a"))));
            Instant now = Instant.parse("2026-11-22T12:00:00Z");
            // A failed monitor makes the DC recover the device and monitor it again: three are enough.
            for (int i = 0; i < 10_000 && !events.isEmpty() && monitors.size() < 3; i++) {
                for (Effect f : a.handle(events.poll(), now)) {
                    if (f instanceof Effect.Send s) {
                        events.add(new Event.MessageReceived("a", s.message()));
                    } else if (f instanceof Effect.RunOperation r) {
                        OpRequest req = r.request();
                        ran.add(req.resourceId() + " " + req.action() + " " + req.intervalMs());
                        ExecOutcome o = lrm.execute(toLrm(req));
                        OpResult res = OpResult.of(req, o.rc(), OpStatus.ofCode(o.status().code()), o.exitReason(), o.execTimeMs());
                        if (req.resourceId().equals("fence") && req.action().equals("monitor") && req.recurring()) {
                            monitors.add(res);
                        }
                        events.add(new Event.OperationCompleted(res));
                    }
                }
            }
        } finally {
            try (var walk = Files.walk(work)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        assertFalse(monitors.isEmpty(), "the fence device's recurring monitor never ran: " + ran);
        for (OpResult m : monitors) {
            assertEquals(0, m.rc(), "the fence device's monitor: " + m + "; operations run: " + ran);
        }
        String xml = a.cib().toXml();
        assertFalse(xml.contains("fail-count-fence"), "the fence device has a fail count: " + xml);
        assertTrue(xml.contains("operation_key=\"fence_monitor_2000\""), "no monitor result in the status: " + xml);
    }

    /** As CrmdRuntime.runOperation turns a controller request into an LRM one. */
    static OperationRequest toLrm(OpRequest req) {
        Map<String, String> params = new TreeMap<>();
        Map<String, String> meta = new TreeMap<>();
        req.params().forEach((k, v) -> {
            if (k.startsWith("CRM_meta_")) {
                meta.put(k.substring("CRM_meta_".length()), v);
            } else {
                params.put(k, v);
            }
        });
        meta.remove("interval");
        meta.remove("timeout");
        meta.remove("name");
        AgentSpec s = req.agent();
        return new OperationRequest(req.resourceId(), new AgentRef(s.cls(), s.provider(), s.type()), req.action(),
                req.intervalMs(), req.timeoutMs(), params, meta, req.opKey(), 0);
    }
}
