package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lab.support.TestEnv;

/**
 * The interactive shell in a real terminal: bin/crm runs inside tmux, keys are sent with
 * send-keys and the screen read with capture-pane. Shows TAB completing a resource id, an agent
 * name and an agent parameter (from the agent's meta-data), UP recalling the previous line, the
 * history surviving into the next session, and the question about pending changes on leaving
 * the configure level.
 */
class InteractiveShellTmuxTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config>
                  <cluster_property_set id="cib-bootstrap-options">
                    <nvpair name="stonith-enabled" value="false" id="cib-bootstrap-options-stonith-enabled"/>
                  </cluster_property_set>
                </crm_config>
                <nodes><node uname="node1" id="node1"/><node uname="node2" id="node2"/></nodes>
                <resources>
                  <primitive id="webserver" class="ocf" provider="pulse" type="httpd"/>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path home;

    private final String socket = "pulse-crm-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    /** One tmux session per crm run: crm1, crm2, ... */
    private String session = "crm0";

    @AfterEach
    void killServer() throws Exception {
        run(List.of("tmux", "-L", socket, "kill-server"));
        // tmux leaves its socket file behind; it is ours, so it goes too
        String uid = run(List.of("id", "-u"));
        if (uid != null) {
            Path dir = Path.of(System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp"), "tmux-" + uid.trim());
            Files.deleteIfExists(dir.resolve(socket));
        }
    }

    @Test
    void completionOfIdsAgentsAndParametersAndHistoryRecall() throws Exception {
        TestEnv.requireCommand("tmux");
        Path root = TestEnv.root();
        boolean built;
        try (var s = Files.list(root.resolve("crm-shell/target"))) {
            built = s.anyMatch(p -> p.getFileName().toString().matches("crm-shell-.*\\.jar"))
                    && Files.isDirectory(root.resolve("crm-shell/target/lib"));
        } catch (IOException e) {
            built = false;
        }
        TestEnv.require(built, "crm-shell packaged (bin/crm runs crm-shell/target/*.jar); run mvn package");
        Path cib = home.resolve("cib.xml");
        Files.writeString(cib, CIB);
        String cmd = "env HOME=" + home + " CIB_file=" + cib + " PULSE_OCF_DIRS=" + root.resolve("resource-agents/src/main/ocf")
                + " " + root.resolve("bin/crm");

        start(cmd);
        waitFor("crm(cib.xml)#");
        keys("configure", "Enter");
        waitFor("crm(cib.xml)configure#");

        // A resource id: "show webs<TAB>" becomes "show webserver".
        keys("show webs", "Tab");
        waitFor("configure# show webserver");
        keys("Enter");
        waitFor("primitive webserver ocf:pulse:httpd");

        // An agent name, then a parameter from the agent's meta-data: "cidr<TAB>" becomes "cidr_netmask=".
        keys("primitive vip ocf:pulse:IPad", "Tab");
        waitFor("primitive vip ocf:pulse:IPaddr");
        keys("params cid", "Tab");
        waitFor("primitive vip ocf:pulse:IPaddr params cidr_netmask=");
        keys("24 ip=192.0.2.10", "Enter");
        keys("commit", "Enter");
        waitFor("configure# commit");

        // UP twice recalls the primitive line.
        keys("Up");
        keys("Up");
        waitFor("configure# primitive vip ocf:pulse:IPaddr params cidr_netmask=24 ip=192.0.2.10");
        keys("C-u");
        keys("quit", "Enter");
        waitForExit();
        assertTrue(Files.readString(cib).contains("id=\"vip-instance_attributes-cidr_netmask\""),
                "the completed command was committed to the file");

        // A new session: the history file carries the lines over, and UP finds them.
        Path history = home.resolve(".config/pulse/crm_history");
        assertTrue(Files.readString(history).contains("primitive vip ocf:pulse:IPaddr params cidr_netmask=24 ip=192.0.2.10"),
                "history file " + history);
        start(cmd);
        waitFor("crm(cib.xml)#");
        keys("Up");
        waitFor("crm(cib.xml)# quit");
        keys("Up");
        keys("Up");
        waitFor("crm(cib.xml)# primitive vip ocf:pulse:IPaddr");
        keys("C-u");

        // Leaving configure with a change pending asks, as crmsh does; y commits it.
        keys("configure", "Enter");
        keys("primitive d3 ocf:pulse:Dummy", "Enter");
        keys("up", "Enter");
        waitFor("There are changes pending. Do you want to commit them (y/n)?");
        keys("y", "Enter");
        keys("quit", "Enter");
        waitForExit();
        assertTrue(Files.readString(cib).contains("id=\"d3\""), "answered y: d3 was committed");
    }

    private void start(String command) throws Exception {
        // After crm exits the pane stays a moment with its status, so a failure to start shows on the screen.
        String wrapped = command + "; echo \"crm exited with status $?\"; sleep 3";
        session = "crm" + (Integer.parseInt(session.substring(3)) + 1);
        String out = run(List.of("tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", wrapped));
        if (out == null) {
            fail("tmux could not start the session " + session);
        }
    }

    /** Key names (Enter, Tab, Up, C-u) are pressed; anything else is typed literally (tmux would read "up" as a key). */
    private void keys(String... keys) throws Exception {
        for (String k : keys) {
            List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", session));
            if (!List.of("Enter", "Tab", "Up", "C-u").contains(k)) {
                cmd.add("-l");
            }
            cmd.add(k);
            run(cmd);
        }
        Thread.sleep(150);
    }

    private String screen() throws Exception {
        String s = run(List.of("tmux", "-L", socket, "capture-pane", "-p", "-t", session));
        return s == null ? "" : s;
    }

    private void waitFor(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = screen();
            if (last.contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("the screen did not show [" + text + "] within 30 s; it shows:\n" + last);
    }

    private void waitForExit() throws Exception {
        waitFor("crm exited with status 0");
        run(List.of("tmux", "-L", socket, "kill-session", "-t", session));
    }

    /** Runs a command; its output, or null when it failed. */
    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? out : null;
    }
}
