package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;

/** Versions: Pacemaker's order and bump rules; the Cib document's helpers. */
class CibTest {
    private static final String XML = """
            <cib validate-with="pacemaker-3.0" admin_epoch="1" epoch="12" num_updates="3">
              <configuration>
                <crm_config/>
                <nodes><node id="1" uname="n1"/></nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"/>
                  <group id="g"><primitive id="a" class="lsb" type="foo"/></group>
                </resources>
                <constraints/>
              </configuration>
              <status><node_state id="1" uname="n1"/></status>
            </cib>
            """;

    @Test
    void versionsCompareAdminEpochThenEpochThenNumUpdates() {
        List<CibVersion> sorted = List.of(new CibVersion(0, 0, 0), new CibVersion(0, 0, 9), new CibVersion(0, 1, 0),
                new CibVersion(0, 1, 5), new CibVersion(0, 10, 0), new CibVersion(1, 0, 0), new CibVersion(2, 0, 1));
        List<CibVersion> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertEquals(sorted, shuffled);
        assertTrue(new CibVersion(1, 0, 0).isNewerThan(new CibVersion(0, 99, 99)));
        assertTrue(new CibVersion(0, 2, 0).isNewerThan(new CibVersion(0, 1, 1000)));
        assertFalse(new CibVersion(0, 2, 0).isNewerThan(new CibVersion(0, 2, 0)));
        assertEquals("1.2.3", new CibVersion(1, 2, 3).toString());
        assertThrows(IllegalArgumentException.class, () -> new CibVersion(0, -1, 0));
    }

    @Test
    void bumpRules() {
        CibVersion v = new CibVersion(1, 4, 7);
        assertEquals(new CibVersion(1, 5, 0), v.nextConfiguration());
        assertEquals(new CibVersion(1, 4, 8), v.nextStatus());
        assertTrue(v.nextConfiguration().isNewerThan(v.nextStatus()));
    }

    @Test
    void versionIsReadFromTheRoot() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        assertEquals(new CibVersion(1, 12, 3), cib.version());
        assertEquals("pacemaker-3.0", cib.validateWith());
        assertEquals(CibVersion.ZERO, Cib.parse("t", "<cib><configuration/></cib>").version());
        CibException e = assertThrows(CibException.class, () -> Cib.parse("t.xml", "<cib epoch=\"x\"/>"));
        assertTrue(e.getMessage().contains("epoch=\"x\""), e.getMessage());
    }

    @Test
    void aConfigurationChangeBumpsEpochAndZeroesNumUpdates() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        XmlElement vip = cib.findById("vip").orElseThrow();
        Cib changed = cib.next(cib.withElementReplaced("vip", vip.withAttribute("description", "service address")));
        assertEquals(new CibVersion(1, 13, 0), changed.version());
        assertEquals("13", changed.root().attr("epoch"));
        assertEquals("0", changed.root().attr("num_updates"));
        // a root attribute other than the version counts as configuration too
        assertEquals(new CibVersion(1, 13, 0), cib.next(cib.root().withAttribute("validate-with", "pacemaker-3.9")).version());
    }

    @Test
    void aStatusChangeBumpsNumUpdates() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        Cib changed = cib.next(cib.withNodeState(XmlElement.of("node_state", "id", "1", "uname", "n1", "crmd", "online")));
        assertEquals(new CibVersion(1, 12, 4), changed.version());
        assertEquals(new CibVersion(1, 12, 4), cib.next(cib.root().withAttribute("have-quorum", "1")).version(),
                "quorum is cluster state, not configuration");
        assertEquals(new CibVersion(1, 12, 4), cib.next(cib.root().withAttribute("dc-uuid", "2")).version());
        Cib added = cib.next(cib.withNodeState(XmlElement.of("node_state", "id", "2", "uname", "n2")));
        assertEquals(2, added.status().elements("node_state").size());
        assertEquals(new CibVersion(1, 12, 4), added.version());
    }

    @Test
    void noChangeKeepsTheVersionAndVersionsInTheNewTreeAreIgnored() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        assertSame(cib, cib.next(cib));
        Cib claimsNewer = cib.withVersion(new CibVersion(5, 0, 0));
        assertSame(cib, cib.next(claimsNewer), "only the version differs: no change");
    }

    @Test
    void replacingAnElementSharesTheUntouchedSubtrees() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        Cib changed = cib.withElementReplaced("a", XmlElement.of("primitive", "id", "a", "class", "lsb", "type", "bar"));
        assertSame(cib.status(), changed.status());
        assertSame(cib.configurationSection("nodes").orElseThrow(), changed.configurationSection("nodes").orElseThrow());
        assertSame(cib.findById("vip").orElseThrow(), changed.findById("vip").orElseThrow());
        assertNotSame(cib.findById("g").orElseThrow(), changed.findById("g").orElseThrow());
        assertEquals("bar", changed.findById("a").orElseThrow().attr("type"));
        assertTrue(changed.withElementRemoved("a").findById("a").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cib.withElementReplaced("nope", XmlElement.of("x")));
        assertTrue(e.getMessage().contains("'nope'"));
    }

    @Test
    void writingAndReadingBackGivesTheSameDocument() throws CibException {
        Cib cib = Cib.parse("t.xml", XML);
        assertEquals(cib, Cib.parse("again", cib.toXml()));
        assertTrue(cib.toXml().startsWith("<?xml"));
    }

    @Test
    void theRootMustBeCib() {
        CibException e = assertThrows(CibException.class, () -> Cib.parse("t.xml", "<configuration/>"));
        assertTrue(e.getMessage().contains("<configuration>") && e.getMessage().contains("<cib>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cib.of(XmlElement.of("status")));
    }

    @Test
    void readingAFileNamesItWhenItCannot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("cib.xml");
        CibException e = assertThrows(CibException.class, () -> Cib.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("no such file"), e.getMessage());
        java.nio.file.Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0x3c});
        e = assertThrows(CibException.class, () -> Cib.read(f));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        java.nio.file.Files.writeString(f, XML);
        assertEquals(f.toString(), Cib.read(f).source());
        assertEquals(new CibVersion(1, 12, 3), Cib.read(f).version());
    }
}
