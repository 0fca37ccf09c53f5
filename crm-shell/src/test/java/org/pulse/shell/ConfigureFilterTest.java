package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crmsh's {@code configure filter "PROG" [xml] [ID...]} on a CIB file, crmsh's own help example among them: the
 * objects in crm syntax (one line each) through sed, the output replacing them; only the named objects when ids are
 * given; a failing program or output that does not parse changes nothing.
 */
class ConfigureFilterTest {
    private static final String CIB = TestShell.cib("<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"a-meta\"><nvpair id=\"a-meta-tr\" name=\"target-role\" value=\"Stopped\"/><nvpair id=\"a-meta-mt\" name=\"migration-threshold\" value=\"1\"/></meta_attributes></primitive>"
            + "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"b-meta\"><nvpair id=\"b-meta-tr\" name=\"target-role\" value=\"Stopped\"/><nvpair id=\"b-meta-im\" name=\"is-managed\" value=\"true\"/></meta_attributes></primitive>",
            "<rsc_location id=\"l-a\" rsc=\"a\" node=\"node1\" score=\"10\"/>");

    @TempDir
    Path tmp;

    @Test
    void sedOverTheObjectsReplacesThem() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure filter \"sed 's/migration-threshold=1/migration-threshold=3/'\"\n"),
                    t.output());
            assertTrue(t.file().contains("name=\"migration-threshold\" value=\"3\""), t.file());
            assertTrue(t.file().contains("id=\"l-a\""), "the location stays: " + t.file());
            // crmsh's help example, on b only
            assertEquals(0, t.script("configure filter \"sed '/^primitive/s/target-role=[^ ]*//'\" b\n"), t.output());
            assertTrue(t.file().matches("(?s).*<primitive id=\"b\"(?:(?!</primitive>).)*</primitive>.*")
                    && !t.file().contains("b-meta-tr"), "b's target-role gone: " + t.file());
            assertTrue(t.file().contains("a-meta-tr"), "a untouched: " + t.file());
        }
    }

    @Test
    void aFailingFilterOrBadOutputChangesNothing() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("configure filter \"false\"\n"));
            assertTrue(t.output().contains("exited with status 1; nothing was changed"));
            assertEquals(before, t.file());
            assertNotEquals(0, t.script("configure filter \"sed 's/^primitive/primitve/'\"\n"));
            assertTrue(t.output().contains("'primitve' is not an object"), "the parse error is named");
            assertEquals(before, t.file());
            assertNotEquals(0, t.script("configure filter\n"));
            assertTrue(t.output().contains("name the program"));
        }
    }
}
