package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code configure show} prints what crmsh 4.4 prints for the same CIB: show/rich.xml was built
 * by crmsh from most reference cases, show/rich.show is {@code crm -D plain configure show} on it
 * (see crmsh-ref/generate.sh). And the text reads back: applying it to an empty CIB gives the
 * same configuration.
 */
class ShowReferenceTest {
    static final Path SHOW = Path.of("src/test/resources/crmsh-ref/show");

    @TempDir
    Path tmp;

    @Test
    void showPrintsWhatCrmshPrints() throws Exception {
        try (TestShell t = new TestShell(tmp, Files.readString(SHOW.resolve("rich.xml")), false, null)) {
            assertEquals(0, t.script("configure show\n"));
            assertEquals(Files.readString(SHOW.resolve("rich.show")), t.output());
        }
    }

    @Test
    void showOutputParsesBackToTheSameConfiguration() throws Exception {
        String text;
        Path a = Files.createDirectories(tmp.resolve("a"));
        try (TestShell t = new TestShell(a, Files.readString(SHOW.resolve("rich.xml")), false, null)) {
            t.script("configure show\n");
            text = t.output();
        }
        Path b = Files.createDirectories(tmp.resolve("b"));
        try (TestShell t = new TestShell(b, null, false, null)) {
            // nodes and properties first, as in the text; the shell orders the rest itself
            int rc = t.script("configure\n" + text + "commit\n");
            assertEquals(0, rc, t.output());
            t.script("configure show\n");
            assertEquals(text, t.output());
        }
    }
}
