package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, a table of at least 20: each command is refused with exit status 1, its message
 * names what is wrong (the command, the word and its column for syntax errors; the id, agent or
 * parameter otherwise) and what to do, and the CIB file is byte for byte what it was.
 */
class MalformedCommandsTest {
    /** Two nodes, a primitive and a group; also the fuzz test's starting point. */
    static final String CIB = """
            <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="7" num_updates="3" admin_epoch="0">
              <configuration>
                <crm_config>
                  <cluster_property_set id="cib-bootstrap-options">
                    <nvpair name="stonith-enabled" value="false" id="cib-bootstrap-options-stonith-enabled"/>
                  </cluster_property_set>
                </crm_config>
                <nodes>
                  <node uname="node1" id="node1"/>
                  <node uname="node2" id="node2"/>
                </nodes>
                <resources>
                  <primitive id="d1" class="ocf" provider="pulse" type="Dummy"/>
                  <group id="g1">
                    <primitive id="d2" class="ocf" provider="pulse" type="Dummy"/>
                  </group>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    /** Script line, then the pieces its error must contain. */
    private record Case(String line, List<String> expected) {
        Case(String line, String... expected) {
            this(line, List.of(expected));
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("configure primitive d5", "configure primitive", "'d5'", "column 21", "class:[provider:]]type"),
            new Case("configure primitive d5 ocf:pulse:Dummy foo", "unexpected token 'foo' at column 40",
                    "'params', 'meta', 'utilization' or 'op'"),
            new Case("configure primitive d5 ocf:pulse:Dummy op monitor interval", "'interval' at column 51",
                    "name=value"),
            new Case("configure primitive 4x ocf:pulse:Dummy", "'4x' at column 21", "not a valid id"),
            new Case("configure primitive d5 ocf:pulse:NoSuchAgent", "no such resource agent ocf:pulse:NoSuchAgent",
                    "ra list"),
            new Case("configure primitive d5 ocf:Dummy", "needs a provider", "ocf:heartbeat:Dummy"),
            new Case("configure primitive d5 systemd:sshd", "class 'systemd' is not supported"),
            new Case("configure primitive v2 ocf:pulse:IPaddr", "required parameter \"ip\" not defined",
                    "params ip=<value>"),
            new Case("configure primitive v2 ocf:pulse:IPaddr params ip=192.0.2.7 nosuch=1",
                    "parameter \"nosuch\" is not known to ocf:pulse:IPaddr", "ra info"),
            new Case("configure primitive d1 ocf:pulse:Dummy", "primitive d1 already exists", "choose another id"),
            new Case("configure location l5 d1 100 node1", "unexpected token '100' at column 26", "<score>: <node>"),
            new Case("configure location l5 nosuch 100: node1", "l5", "nosuch", "does not exist"),
            new Case("configure location l8 d1 inf: node1 node2", "'node2' at column 37", "one node"),
            new Case("configure location l9 d1 rule 100: a eq 1 or b eq 2 and c eq 3", "'and' at column",
                    "split it into two rules"),
            new Case("configure location l9 d1 rule 100: date between 2026", "'between'",
                    "lt, gt, in or spec"),
            new Case("configure colocation c5 d1 d2", "unexpected token 'd1' at column 25", "<score>:"),
            new Case("configure colocation c5 inf: d1:Sometimes d2", "unknown role 'Sometimes'", "Promoted"),
            new Case("configure colocation c6 inf: nosuch d1", "c6", "nosuch", "does not exist"),
            new Case("configure order o5 Sometimes: d1 d2", "'Sometimes:' at column 20", "Mandatory:"),
            new Case("configure order o5 Mandatory: d1 ( d2", "not closed"),
            new Case("configure order o6 Mandatory: nosuch d1", "o6", "nosuch", "does not exist"),
            new Case("configure group g2 nosuch", "g2 refers to missing object nosuch"),
            new Case("configure group g3 d2", "already in group g1"),
            new Case("configure clone c2 nosuch", "missing object nosuch"),
            new Case("configure property stonith-enabled=", "empty value for stonith-enabled"),
            new Case("configure delete nosuch", "object nosuch does not exist", "'show'"),
            new Case("configure rename d1 d2", "already in use"),
            new Case("configure primitive d6 ocf:pulse:Dummy description=\"open", "unterminated quote"),
            new Case("configure primitve d5 ocf:pulse:Dummy", "unknown command 'primitve'"),
            new Case("configure erase", "erase --force"),
            new Case("resource stop nosuch", "no resource 'nosuch'"),
            new Case("resource move d1 node9", "node 'node9' is not a cluster node"),
            new Case("resource move d1 node2 PTxH", "unexpected 'PTxH'"),
            new Case("node standby node9", "Node \"node9\" is not a cluster node"),
            new Case("node attribute node1 set site", "give a name and a value"),
            new Case("cib use nosuch", "no shadow nosuch"),
            new Case("status --output yaml", "unknown output 'yaml'"));

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> eachIsRefusedClearlyAndChangesNothing() {
        assertTrue(CASES.size() >= 20);
        System.out.println("MalformedCommandsTest: " + CASES.size() + " malformed commands");
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.line(), () -> check(c)));
    }

    private void check(Case c) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "case");
        try (TestShell t = new TestShell(dir, CIB, true, null)) {
            t.env.put("PULSE_OCF_DIRS", TestShell.repoRoot().resolve("resource-agents/src/main/ocf").toString());
            int rc = t.script(c.line() + "\n");
            String out = t.output();
            assertNotEquals(0, rc, "accepted: " + c.line() + "\n" + out);
            assertTrue(out.startsWith("ERROR: "), "the first line must be the error:\n" + out);
            for (String piece : c.expected()) {
                assertTrue(out.contains(piece), "the error for '" + c.line() + "' should contain [" + piece + "]:\n" + out);
            }
            assertEquals(CIB, t.file(), "the CIB file changed after: " + c.line());
        }
    }
}
