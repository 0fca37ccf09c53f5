package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.Cib;
import org.pulse.crmd.alerts.AlertCall;
import org.slf4j.LoggerFactory;

/**
 * The runner with real processes: Pacemaker's own alert_file.sh.sample (Debian's pacemaker-common)
 * fed by two consecutive CIBs, and an agent that hangs (ignoring TERM) killed at its timeout while
 * the others run on.
 */
class AlertRunnerTest {
    static final Path SAMPLE = Path.of("/usr/share/pacemaker/alerts/alert_file.sh.sample");

    private static Path executable(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static Cib cib(Path agent, Path recipient, String status) throws Exception {
        return Cib.parse("t", "<cib admin_epoch=\"0\" epoch=\"2\" num_updates=\"0\" validate-with=\"pacemaker-3.9\" dc-uuid=\"node1\">"
                + "<configuration><crm_config/><nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/></nodes>"
                + "<resources/><constraints/><alerts><alert id=\"f\" path=\"" + agent + "\">"
                + "<recipient id=\"f-r\" value=\"" + recipient + "\"/></alert></alerts></configuration><status>" + status
                + "</status></cib>");
    }

    private static String ns(String node, boolean member, String ops) {
        return "<node_state id=\"" + node + "\" uname=\"" + node + "\" in_ccm=\"" + member + "\" crmd=\"online\" join=\"member\""
                + " expected=\"member\"><lrm id=\"" + node + "\"><lrm_resources><lrm_resource id=\"vip\" class=\"ocf\""
                + " provider=\"heartbeat\" type=\"Dummy\">" + ops + "</lrm_resource></lrm_resources></lrm></node_state>";
    }

    private static long pgid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f[0].equals("Z") ? -1 : Long.parseLong(f[2]);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void pacemakersSampleRecordsWhatTheCibChanged(@TempDir Path dir) throws Exception {
        assertTrue(Files.isRegularFile(SAMPLE), SAMPLE + " is missing: install Debian's pacemaker-common");
        Path agent = dir.resolve("alert_file.sh");
        Files.copy(SAMPLE, agent);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("alerts.log");
        Cib before = cib(agent, log, ns("node1", true, "") + ns("node2", true, ""));
        String start = "<lrm_rsc_op id=\"vip_last_0\" operation=\"start\" transition-key=\"3:1:0:node1@v\" call-id=\"4\""
                + " rc-code=\"0\" op-status=\"0\" interval=\"0\" last-rc-change=\"5\" exec-time=\"10\"/>";
        Cib after = cib(agent, log, ns("node1", true, start) + ns("node2", false, ""));
        try (AlertRunner r = new AlertRunner("node1", LoggerFactory.getLogger("test"), before, 1, java.time.Instant.EPOCH)) {
            r.cibApplied(after, Instant.parse("2026-12-06T09:00:00.5Z"));
        }
        String text = Files.readString(log);
        assertTrue(text.contains("Node 'node2' is now 'lost'"), text);
        assertTrue(text.contains("Resource operation 'start' for 'vip' on 'node1': ok"), text);
    }

    @Test
    void aHangingAgentIsKilledAtItsTimeoutAndTheOthersRunOn(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("hang.pid");
        // Ignores TERM, so only the KILL after the grace period ends it; its child sleeps in the same group.
        Path hang = executable(dir, "hang.sh", "#!/bin/sh\ntrap '' TERM\necho $$ > " + pidFile + "\nsleep 60 &\nwait\nsleep 60\n");
        Path quick = executable(dir, "quick.sh", "#!/bin/sh\necho \"$CRM_alert_kind $CRM_alert_node_sequence\" >> \"$CRM_alert_recipient\"\n");
        Path out = dir.resolve("quick.log");
        try (AlertRunner r = new AlertRunner("node1", LoggerFactory.getLogger("test"), null, 1, java.time.Instant.EPOCH)) {
            long t0 = System.nanoTime();
            CompletableFuture<AlertRunner.Outcome> hung = CompletableFuture.supplyAsync(
                    () -> r.run(new AlertCall("h", hang.toString(), null, 1000, Map.of("CRM_alert_kind", "node"))));
            Thread.sleep(200);
            for (int i = 1; i <= 3; i++) {
                AlertRunner.Outcome o = r.run(new AlertCall("q", quick.toString(), out.toString(), 5000,
                        Map.of("CRM_alert_kind", "node", "CRM_alert_node_sequence", Integer.toString(i),
                                "CRM_alert_recipient", out.toString())));
                assertEquals(0, o.exitCode());
            }
            assertEquals(List.of("node 1", "node 2", "node 3"), Files.readAllLines(out));
            assertFalse(hung.isDone(), "the quick ones did not wait for the hanging one");
            AlertRunner.Outcome o = hung.get();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(o.timedOut());
            assertTrue(ms >= 1000 && ms < 1000 + AlertRunner.KILL_GRACE_MS + 3000, "ended after " + ms + " ms");
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            // Its sleeping child went with the group (a zombie waiting for init to reap it counts as gone).
            long until = System.nanoTime() + 3_000_000_000L;
            while (ProcessHandle.allProcesses().anyMatch(p -> pgid(p.pid()) == pid) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertTrue(ProcessHandle.allProcesses().noneMatch(p -> pgid(p.pid()) == pid),
                    "a process of the hanging agent's group survived");
        }
    }
}
