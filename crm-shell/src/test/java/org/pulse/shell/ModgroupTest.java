package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crmsh 4.4.1's {@code configure modgroup GROUP add|remove RSC [before|after MEMBER]} on a CIB file: a primitive
 * joins a group at its place or leaves it for the top level; what crmsh refuses (no such group, not a group, not a
 * member, an unknown sub-command) is refused with the file untouched, and so is what crmsh lets through to a
 * failing commit (a resource that does not exist, a member added twice, emptying the group).
 */
class ModgroupTest {
    private static final String CIB = TestShell.cib("<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
            + "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
            + "<group id=\"g\"><primitive id=\"g1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/><primitive id=\"g2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/><meta_attributes id=\"g-meta\"><nvpair id=\"g-meta-t\" name=\"target-role\" value=\"Started\"/></meta_attributes></group>"
            + "<clone id=\"cl\"><group id=\"cg\"><primitive id=\"c1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/><primitive id=\"c2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></group></clone>",
            "<rsc_location id=\"l-a\" rsc=\"a\" node=\"node1\" score=\"10\"/>");

    @TempDir
    Path tmp;

    private static String group(TestShell t) throws Exception {
        t.output();
        assertEquals(0, t.script("configure show g\n"));
        String out = t.output();
        return out.lines().filter(l -> l.startsWith("group ")).findFirst().orElse("no group line in: " + out);
    }

    @Test
    void addsAtTheEndBeforeOrAfterAMemberAndRemovesToTheTopLevel() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure modgroup g add a\n"), t.output());
            assertTrue(group(t).startsWith("group g g1 g2 a"), group(t));
            assertTrue(t.file().contains("<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
                    + "<meta_attributes id=\"g-meta\">") || t.file().matches("(?s).*id=\"a\".*id=\"g-meta\".*"),
                    "a goes after the last member, before the group's meta_attributes: " + t.file());
            assertEquals(0, t.script("configure modgroup g remove a\n"), t.output());
            assertTrue(group(t).startsWith("group g g1 g2"), group(t));
            assertTrue(t.file().contains("id=\"l-a\" rsc=\"a\""), "a's constraint stays: " + t.file());
            assertEquals(0, t.script("configure modgroup g add b before g2\n"), t.output());
            assertTrue(group(t).startsWith("group g g1 b g2"), group(t));
            assertEquals(0, t.script("configure modgroup g add a after g1\n"), t.output());
            assertTrue(group(t).startsWith("group g g1 a b g2"), group(t));
            assertEquals(0, t.script("configure modgroup g remove g1\n"), t.output());
            assertTrue(group(t).startsWith("group g a b g2"), group(t));
            assertTrue(t.file().matches("(?s).*<group id=\"g\">.*</group>\\s*<primitive id=\"g1\".*"),
                    "g1 right after the group: " + t.file());
            // a group inside a clone: the member leaves for the top level, after the clone
            assertEquals(0, t.script("configure modgroup cg remove c1\n"), t.output());
            assertTrue(t.file().matches("(?s).*</clone>\\s*<primitive id=\"c1\".*"), t.file());
        }
    }

    @Test
    void refusalsNameWhatIsWrongAndChangeNothing() throws Exception {
        java.nio.file.Files.createDirectories(tmp.resolve("last"));
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String[][] cases = {
                {"configure modgroup zz add a", "group zz does not exist"},
                {"configure modgroup a add b", "a is a primitive, not a group"},
                {"configure modgroup g add zz", "resource zz does not exist"},
                {"configure modgroup g add g1", "g1 is already a member of g"},
                {"configure modgroup g add c1", "c1 is in cg; take it out there first (modgroup cg remove c1)"},
                {"configure modgroup g add cl", "cl is a clone; a group holds primitives only"},
                {"configure modgroup g add a after zz", "zz is not a member of g"},
                {"configure modgroup g remove a", "a is not a member of g"},
                {"configure modgroup g bogus a", "'bogus' is unknown"},
                {"configure modgroup g remove g1 after g2", "before|after goes with add only"},
                {"configure modgroup g add", "usage: modgroup <group> add"},
            };
            t.assertRefused(cases);
        }
        try (TestShell t = new TestShell(tmp.resolve("last"), CIB.replace("<primitive id=\"g1\" class=\"ocf\""
                + " provider=\"heartbeat\" type=\"Dummy\"/>", ""), false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("configure modgroup g remove g2\n"), t.file());
            assertEquals(before, t.file());
            assertTrue(t.output().contains("g2 is the last member of g; a group holds at least one: delete the group"
                    + " instead (configure delete g)"));
        }
    }
}
