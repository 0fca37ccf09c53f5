package org.pulse.shell.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.Cib;
import org.pulse.cib.CibStore;
import org.pulse.cib.xml.XmlElement;

/**
 * {@code crm --cib-file DATA_DIR/cib/cib.xml} on a node that crashed: crmd had journaled its last
 * changes beside cib.xml, so the file alone is older than what the node stored. The shell reads
 * (and writes) it as crmd does, instead of showing an old configuration and writing a CIB that
 * drops the journaled changes.
 */
class FileCibSourceStoreTest {
    @TempDir
    Path tmp;

    private static Cib cib(int epoch, String... dummies) throws Exception {
        StringBuilder rsc = new StringBuilder();
        for (String d : dummies) {
            rsc.append("<primitive id=\"").append(d).append("\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>");
        }
        return Cib.parse("test", "<cib admin_epoch=\"0\" epoch=\"" + epoch + "\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
                + "<configuration><crm_config/><nodes/><resources>" + rsc + "</resources><constraints/></configuration>"
                + "<status/></cib>");
    }

    private static List<String> primitives(XmlElement root) {
        return root.element("configuration").orElseThrow().element("resources").orElseThrow().elements("primitive")
                .stream().map(p -> p.attr("id")).toList();
    }

    @Test
    void aNodesStoredCibIsReadWithItsJournalAndWrittenSigned() throws Exception {
        Path dir = tmp.resolve("cib");
        CibStore crmds = CibStore.journaling(dir, 100);
        crmds.save(cib(1, "a"));
        crmds.save(cib(2, "a", "b")); // journaled: cib.xml still holds epoch 1, as after a crash
        Path file = dir.resolve("cib.xml");
        assertFalse(Files.readString(file).contains("\"b\""), "precondition: the change is only in the journal");

        FileCibSource source = new FileCibSource(file, "cib.xml");
        XmlElement before = source.load();
        assertEquals(List.of("a", "b"), primitives(before), "the journal's change is read");

        XmlElement after = cib(2, "a", "b", "c").root();
        source.replace(before, after);
        Cib stored = new CibStore(dir).load().orElseThrow(); // checks the signature: crmd would start on it
        assertEquals(List.of("a", "b", "c"), primitives(stored.root()), "nothing journaled was dropped");
        assertTrue(Files.readString(file).contains("\"c\""), "written into cib.xml itself");
    }

    @Test
    void aPlainFileNamedCibXmlStaysAPlainFile() throws Exception {
        Path file = tmp.resolve("cib.xml");
        Files.writeString(file, cib(1, "a").toXml());
        FileCibSource source = new FileCibSource(file, "cib.xml");
        XmlElement before = source.load();
        source.replace(before, cib(1, "a", "b").root());
        assertEquals(List.of("a", "b"), primitives(Cib.parse("f", Files.readString(file)).root()));
        assertFalse(Files.exists(tmp.resolve("cib.xml.sig")), "no signature made for a plain file");
    }
}
