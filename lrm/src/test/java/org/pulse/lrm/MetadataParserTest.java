package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetadataParserTest {
    private static final AgentRef A = AgentRef.ocf("test", "A");
    static final String OCF = "<?xml version=\"1.0\"?>\n<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
            + "<resource-agent name=\"A\" version=\"2.0\"><version>1.1</version>"
            + "<longdesc lang=\"en\">Long</longdesc><shortdesc lang=\"en\">Short</shortdesc>"
            + "<parameters>"
            + "<parameter name=\"ip\" unique-group=\"addr\" required=\"1\"><shortdesc>IP</shortdesc><content type=\"string\"/></parameter>"
            + "<parameter name=\"mode\" reloadable=\"1\"><content type=\"select\" default=\"a\"><option value=\"a\"/><option value=\"b\"/></content></parameter>"
            + "<parameter name=\"password\"><content type=\"string\"/></parameter>"
            + "</parameters><actions>"
            + "<action name=\"start\" timeout=\"20s\"/><action name=\"monitor\" timeout=\"2m\" interval=\"10\" depth=\"0\"/>"
            + "<action name=\"monitor\" role=\"Promoted\" timeout=\"30s\" interval=\"9s\"/><action name=\"stop\" timeout=\"1500ms\"/>"
            + "</actions></resource-agent>\n";

    @Test
    void parsesParametersActionsAndVersion() throws MetadataException {
        AgentMetadata md = MetadataParser.parse(A, OCF);
        assertEquals("A", md.name());
        assertEquals("1.1", md.version());
        assertEquals("2.0", md.agentVersion());
        assertEquals("Short", md.shortdesc());
        assertEquals(3, md.parameters().size());
        AgentMetadata.Parameter ip = md.parameter("ip").orElseThrow();
        assertTrue(ip.required() && ip.unique());
        assertEquals("addr", ip.uniqueGroup());
        AgentMetadata.Parameter mode = md.parameter("mode").orElseThrow();
        assertEquals("a", mode.defaultValue());
        assertEquals(java.util.List.of("a", "b"), mode.options());
        assertTrue(mode.reloadable());
        assertTrue(md.parameter("password").orElseThrow().privateParam(), "password is private when none is marked");
        assertEquals(20_000, md.timeoutMs("start", -1));
        assertEquals(120_000, md.timeoutMs("monitor", -1), "the role-less monitor first");
        assertEquals(1_500, md.timeoutMs("stop", -1));
        assertEquals(-1, md.timeoutMs("promote", -1));
        assertEquals(10_000, md.actions().get(1).intervalMs());
        assertEquals("Promoted", md.actions().get(2).role());
    }

    @Test
    void garbageIsRefusedWithWhereAndWhat() {
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataParser.parse(A, "this is <not xml"));
        assertTrue(e.getMessage().contains("ocf:test:A") && e.getMessage().contains("line"), e.getMessage());
        MetadataException r = assertThrows(MetadataException.class, () -> MetadataParser.parse(A, "<html><body/></html>"));
        assertTrue(r.getMessage().contains("<html>"), r.getMessage());
        assertThrows(MetadataException.class, () -> MetadataParser.parse(A, ""));
    }

    @Test
    void externalEntitiesAreNeverRead() throws MetadataException {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE resource-agent [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<resource-agent name=\"A\"><shortdesc>&x;</shortdesc></resource-agent>";
        try {
            AgentMetadata md = MetadataParser.parse(A, xxe);
            assertFalse(md.shortdesc().contains("root:"), "an external entity was expanded");
        } catch (MetadataException refused) {
            // Refusing the document is fine too.
        }
    }

    @Test
    void durations() {
        assertEquals(20_000, MetadataParser.durationMs("20s", -1));
        assertEquals(20_000, MetadataParser.durationMs("20", -1));
        assertEquals(60_000, MetadataParser.durationMs("1m", -1));
        assertEquals(250, MetadataParser.durationMs("250ms", -1));
        assertEquals(7_200_000, MetadataParser.durationMs("2h", -1));
        assertEquals(-1, MetadataParser.durationMs("soon", -1));
        assertEquals(-1, MetadataParser.durationMs("", -1));
    }
}
