package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * crmsh's ACL commands (role, acl_target, acl_group) into Pacemaker's acls XML and back, and
 * CIB_user with --cib-file: the file shown, and changed, as that user's ACLs allow.
 */
class AclShellTest {
    private static final String CIB = """
            <cib admin_epoch="0" epoch="7" num_updates="3" validate-with="pacemaker-3.9">
              <configuration>
                <crm_config>
                  <cluster_property_set id="cib-bootstrap-options">
                    <nvpair id="opt-acl" name="enable-acl" value="true"/>
                  </cluster_property_set>
                </crm_config>
                <nodes><node id="1" uname="node1"/></nodes>
                <resources>
                  <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
                  <primitive id="db" class="ocf" provider="heartbeat" type="Dummy">
                    <instance_attributes id="db-params">
                      <nvpair id="db-pw" name="password" value="secret"/>
                    </instance_attributes>
                  </primitive>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path dir;

    private record Run(int rc, String out) {
    }

    private Run crm(String user, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.toString());
        env.put("CIB_file", dir.resolve("cib.xml").toString());
        if (user != null) {
            env.put("CIB_user", user);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Crm crm = new Crm(env, new ByteArrayInputStream(new byte[0]), ps, ps, Clock.fixed(TestShell.NOW,
                ZoneOffset.UTC));
        CommandLine cl = Crm.commandLine(crm);
        cl.setOut(new java.io.PrintWriter(ps, true));
        cl.setErr(new java.io.PrintWriter(ps, true));
        int rc = cl.execute(args);
        return new Run(rc, bytes.toString(StandardCharsets.UTF_8));
    }

    private void setUp() throws Exception {
        Files.writeString(dir.resolve("cib.xml"), CIB);
        Run r = crm(null, "configure", "role", "operator", "read", "xpath:/cib", "write", "ref:web", "deny",
                "xpath://nvpair[@name='password']");
        assertEquals(0, r.rc(), r.out());
        assertEquals(0, crm(null, "configure", "role", "typed", "deny", "type:nvpair", "attribute:value").rc());
        assertEquals(0, crm(null, "configure", "acl_target", "alice", "operator").rc());
        assertEquals(0, crm(null, "configure", "acl_group", "ops", "typed").rc());
    }

    @Test
    void rolesTargetsAndGroupsBecomePacemakersXmlAndShowBack() throws Exception {
        setUp();
        String xml = Files.readString(dir.resolve("cib.xml"));
        assertTrue(xml.contains("<acl_permission id=\"operator-read\" kind=\"read\" xpath=\"/cib\"/>"), xml);
        assertTrue(xml.contains("<acl_permission id=\"operator-write\" kind=\"write\" reference=\"web\"/>"), xml);
        assertTrue(xml.contains("kind=\"deny\" xpath=\"//nvpair[@name='password']\""), xml);
        assertTrue(xml.contains("<acl_permission id=\"typed-deny\" kind=\"deny\" object-type=\"nvpair\""
                + " attribute=\"value\"/>"), xml);
        assertTrue(xml.contains("<acl_target id=\"alice\">") && xml.contains("<acl_group id=\"ops\">"), xml);
        String show = crm(null, "configure", "show").out();
        String expected = """
                role operator \\
                \tread xpath:"/cib" \\
                \twrite ref:web \\
                \tdeny xpath:"//nvpair[@name='password']"
                role typed \\
                \tdeny type:nvpair attribute:value
                acl_target alice operator
                acl_group ops typed
                """;
        assertTrue(show.endsWith(expected), show);

        // Round trip: the shown lines, loaded into a CIB without acls, give the same acls.
        Path script = dir.resolve("acls.crm");
        Files.writeString(script, expected.replace(" \\\n\t", " "));
        Files.writeString(dir.resolve("cib.xml"), CIB);
        assertEquals(0, crm(null, "configure", "load", "update", script.toString()).rc());
        assertEquals(show, crm(null, "configure", "show").out());
    }

    @Test
    void badAclCommandsSayWhatIsExpected() throws Exception {
        setUp();
        Run r = crm(null, "configure", "role", "r2", "admin", "xpath:/cib");
        assertEquals(1, r.rc());
        assertTrue(r.out().contains("read, write or deny"), r.out());
        r = crm(null, "configure", "role", "r3", "read", "ref:web", "attribute:x");
        assertTrue(r.rc() != 0 && r.out().contains("type:ELEMENT"), r.out());
        r = crm(null, "configure", "acl_target", "bob", "nosuchrole");
        assertTrue(r.rc() != 0 && r.out().contains("nosuchrole"), r.out());
        r = crm(null, "configure", "role", "operator", "read", "xpath:/cib");
        assertTrue(r.rc() != 0 && r.out().contains("already exists"), r.out());
    }

    @Test
    void cibUserSeesOnlyWhatItMayRead() throws Exception {
        setUp();
        String asAlice = crm("alice", "configure", "show", "xml").out();
        assertFalse(asAlice.contains("secret") || asAlice.contains("db-pw"), asAlice);
        assertTrue(asAlice.contains("<primitive id=\"web\""), asAlice);
        String nobody = crm("nobody-pulse", "configure", "show").out();
        assertFalse(nobody.contains("web") || nobody.contains("enable-acl"), nobody);
        String root = crm("root", "configure", "show", "xml").out();
        assertTrue(root.contains("secret"), "root is exempt");
    }

    @Test
    void cibUserWritesAreCheckedAndNothingHiddenIsLost() throws Exception {
        setUp();
        String before = Files.readString(dir.resolve("cib.xml"));
        Run denied = crm("alice", "configure", "primitive", "x", "ocf:heartbeat:Dummy");
        assertTrue(denied.rc() != 0 && denied.out().contains("access denied") && denied.out().contains("operator-read"),
                denied.out());
        assertEquals(before, Files.readString(dir.resolve("cib.xml")), "nothing written");

        Run allowed = crm("alice", "resource", "stop", "web");
        assertEquals(0, allowed.rc(), allowed.out());
        String after = Files.readString(dir.resolve("cib.xml"));
        assertTrue(after.contains("target-role") && after.contains("secret"), "the hidden password stays: " + after);
    }
}
