package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crmsh 4.4.1's {@code configure set ID.[OP.][INTERVAL.]NAME VALUE} on a CIB file, the cases compared with
 * {@code CIB_file=F crm configure set ...}: a parameter or meta attribute already there, an operation's attribute
 * (new ones too), an interval when several operations share a name; refused, file untouched: no such object,
 * no such attribute, no such operation or interval, an ambiguous monitor, a path with no name.
 */
class ConfigureSetTest {
    private static final String CIB = TestShell.cib("<primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
            + "<instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"10.0.0.1\"/></instance_attributes>"
            + "<meta_attributes id=\"vip-ma\"><nvpair id=\"vip-tr\" name=\"target-role\" value=\"Started\"/></meta_attributes>"
            + "<operations><op id=\"vip-m10\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/><op id=\"vip-m20\" name=\"monitor\" interval=\"20s\" timeout=\"20s\" role=\"Unpromoted\"/><op id=\"vip-start\" name=\"start\" interval=\"0\" timeout=\"20s\"/></operations>"
            + "</primitive>",
            "");

    @TempDir
    Path tmp;

    @Test
    void setsWhatIsThere() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure set vip.ip 10.0.0.2\n"), t.output());
            assertTrue(t.file().contains("<nvpair id=\"vip-ip\" name=\"ip\" value=\"10.0.0.2\"/>"), t.file());
            assertEquals(0, t.script("configure set vip.target-role Stopped\n"), t.output());
            assertTrue(t.file().contains("name=\"target-role\" value=\"Stopped\""), t.file());
            assertEquals(0, t.script("configure set vip.start.timeout 40s\n"), t.output());
            assertTrue(t.file().contains("<op id=\"vip-start\" name=\"start\" interval=\"0\" timeout=\"40s\"/>"), t.file());
            assertEquals(0, t.script("configure set vip.start.on-fail block\n"), t.output());
            assertTrue(t.file().contains("timeout=\"40s\" on-fail=\"block\""), t.file());
            // 10000ms is the 10s monitor (crmsh 4.4.1 compares the text and misses it)
            assertEquals(0, t.script("configure set vip.monitor.10000ms.timeout 30s\n"), t.output());
            assertTrue(t.file().contains("<op id=\"vip-m10\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>"), t.file());
            assertTrue(t.file().contains("<op id=\"vip-m20\" name=\"monitor\" interval=\"20s\" timeout=\"20s\""), t.file());
        }
    }

    @Test
    void refusesWhatIsNotThereAndChangesNothing() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String[][] cases = {
                {"configure set vip.nope 1", "vip has no attribute nope to set"},
                {"configure set zz.ip 1", "no object zz"},
                {"configure set vip.stop.timeout 5", "vip has no stop operation"},
                {"configure set vip.monitor.30s.timeout 5", "vip has no monitor operation with interval 30s"},
                {"configure set vip.monitor.timeout 5", "vip has 2 monitor operations; name the interval"},
                {"configure set vip 1", "invalid path \"vip\""},
                {"configure set vip.ip", "usage: set <id>"},
            };
            t.assertRefused(cases);
        }
    }
}
