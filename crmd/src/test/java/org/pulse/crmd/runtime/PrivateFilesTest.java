package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path dir;

    @Test
    void savedInputsAreOwnerOnlyWhateverTheUmaskAndReplaceAtomically() throws Exception {
        Path pe = dir.resolve("pe");
        Files.createDirectories(pe);
        Files.setPosixFilePermissions(pe, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateFiles.privateDirectory(pe);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pe)));

        PrivateFiles.writeAtomically(pe, "pe-input-1.xml", "<cib passwd=\"secret\"/>".getBytes(StandardCharsets.UTF_8));
        Path f = pe.resolve("pe-input-1.xml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        PrivateFiles.writeAtomically(pe, "pe-input-1.xml", "<cib/>".getBytes(StandardCharsets.UTF_8));
        assertEquals("<cib/>", Files.readString(f));
        try (var s = Files.list(pe)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }
}
