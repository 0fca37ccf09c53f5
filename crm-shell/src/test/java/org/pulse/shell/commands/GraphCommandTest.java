package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.TestShell;

/**
 * crmsh's {@code configure graph dot [FILE]}: the digraph has every resource, a group's members chained in a frame,
 * an order as an arrow (ending at the group's frame), a colocation dotted, a location dashed from its node; the
 * same CIB gives the same text; a graph type other than dot is refused.
 */
class GraphCommandTest {
    static final String CIB = TestShell.cib("<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
            + "<group id=\"g\"><primitive id=\"g1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/><primitive id=\"g2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></group>"
            + "<clone id=\"cl\"><primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></clone>",
            "<rsc_order id=\"o1\" first=\"cl\" then=\"g\" kind=\"Mandatory\"/>"
            + "<rsc_order id=\"o2\" first=\"a\" then=\"g\" kind=\"Optional\"/>"
            + "<rsc_colocation id=\"col1\" rsc=\"g\" with-rsc=\"cl\" score=\"INFINITY\"/>"
            + "<rsc_location id=\"l1\" rsc=\"a\" node=\"node1\" score=\"100\"/>");

    @TempDir
    Path tmp;

    @Test
    void theDigraphHasResourcesOrdersColocationsAndLocations() throws Exception {
        String dot = GraphCommand.dot(XmlParser.parse("t", CIB));
        assertTrue(dot.startsWith("digraph G {\n") && dot.endsWith("}\n"), dot);
        assertTrue(dot.contains("\t\"a\" [label=\"a\\nDummy\""), dot);
        assertTrue(dot.contains("subgraph \"cluster_g\" {"), dot);
        assertTrue(dot.contains("\t\t\"g1\" -> \"g2\";\n"), "members in start order: " + dot);
        assertTrue(dot.contains("\"c\" [label=\"clone:cl:c\\nDummy\""), dot);
        assertTrue(dot.contains("\t\"c\" -> \"g1\" [lhead=\"cluster_g\"];\n"), "mandatory order, no label: " + dot);
        assertTrue(dot.contains("\t\"a\" -> \"g1\" [label=\"Optional\",lhead=\"cluster_g\"];\n"), dot);
        assertTrue(dot.contains("\t\"g1\" -> \"c\" [style=\"dotted\",label=\"INFINITY\",ltail=\"cluster_g\"];\n"), dot);
        assertTrue(dot.contains("\t\"node:node1\" -> \"a\" [style=\"dashed\",dir=\"none\",label=\"100\"];\n"), dot);
        assertEquals(dot, GraphCommand.dot(XmlParser.parse("t", CIB)), "same CIB, same text");
    }

    @Test
    void writesTheFileAndRefusesOtherTypes() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            Path out = tmp.resolve("g.dot");
            assertEquals(0, t.script("configure graph dot " + out + "\n"), t.output());
            assertTrue(Files.readString(out).contains("subgraph \"cluster_g\""));
            assertNotEquals(0, t.script("configure graph neato\n"));
            assertTrue(t.output().contains("'neato' is no graph type; only dot is"));
            assertNotEquals(0, t.script("configure graph dot " + out + " 'p n g'\n"));
            assertTrue(t.output().contains("is no dot output format"));
        }
    }
}
