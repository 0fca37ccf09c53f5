package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of bad inputs: each is refused by the store with an error that names the problem (and
 * where it is), and the stored CIB stays byte for byte as it was.
 */
class CibBadInputTest {
    static final String BASE = """
            <cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="5" num_updates="0">
              <configuration>
                <crm_config>
                  <cluster_property_set id="cib-bootstrap-options">
                    <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
                    <nvpair id="opt-recheck" name="cluster-recheck-interval" value="15min"/>
                  </cluster_property_set>
                </crm_config>
                <nodes>
                  <node id="1" uname="node1"/>
                  <node id="2" uname="node2"/>
                </nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                    <operations>
                      <op id="vip-monitor" name="monitor" interval="10s" timeout="PT20S"/>
                    </operations>
                  </primitive>
                  <group id="g">
                    <primitive id="web" class="ocf" provider="heartbeat" type="apache"/>
                    <primitive id="db" class="systemd" type="mariadb"/>
                  </group>
                  <primitive id="fence1" class="stonith" type="fence_dummy"/>
                  <clone id="ping-clone"><primitive id="ping" class="ocf" provider="pacemaker" type="ping"/></clone>
                  %RES%
                </resources>
                <constraints>
                  <rsc_colocation id="g-with-vip" rsc="g" with-rsc="vip" score="INFINITY"/>
                  <rsc_order id="vip-then-g" first="vip" then="g" kind="Mandatory"/>
                  <rsc_location id="vip-prefers-1" rsc="vip" node="node1" score="+INFINITY"/>
                  <rsc_location id="vip-on-ping" rsc="vip">
                    <rule id="vip-on-ping-rule" score="-INFINITY" boolean-op="or">
                      <expression id="e1" attribute="pingd" operation="not_defined"/>
                      <expression id="e2" attribute="pingd" operation="lte" value="0" type="integer"/>
                      <date_expression id="d1" operation="in_range" start="2024-01-01" end="2030-12-31T23:59:59Z"/>
                    </rule>
                  </rsc_location>
                  %CON%
                </constraints>
                <fencing-topology>
                  <fencing-level id="fl1" target="node1" index="1" devices="fence1"/>
                </fencing-topology>
              </configuration>
              <status/>
            </cib>
            """;

    record Bad(String name, String xml, List<String> mustSay) {
        @Override
        public String toString() {
            return name;
        }
    }

    static String res(String s) {
        return BASE.replace("%RES%", s).replace("%CON%", "");
    }

    static String con(String s) {
        return BASE.replace("%RES%", "").replace("%CON%", s);
    }

    static Bad bad(String name, String xml, String... mustSay) {
        return new Bad(name, xml, List.of(mustSay));
    }

    static Stream<Bad> badInputs() {
        String good = res("");
        List<Bad> t = new ArrayList<>();
        t.add(bad("empty file", "", "no root element"));
        t.add(bad("only whitespace", "   \n\n", "no root element"));
        t.add(bad("not XML at all", "hello, cluster", "malformed XML", ":1:"));
        t.add(bad("truncated", good.substring(0, good.length() / 2), "malformed XML", "truncated"));
        t.add(bad("mismatched end tag", "<cib validate-with=\"pacemaker-3.9\">\n<configuration>\n</cib>", "malformed XML", ":3:"));
        t.add(bad("unclosed attribute quote", "<cib validate-with=\"pacemaker-3.9>\n<configuration/></cib>", "malformed XML"));
        t.add(bad("duplicate attribute", "<cib epoch=\"1\" epoch=\"2\"><configuration/></cib>", "malformed XML"));
        t.add(bad("binary junk", "\u0000\u0001\u0002<cib/>", "malformed XML"));
        t.add(bad("wrong root", "<configuration><resources/></configuration>", "root element is <configuration>", "<cib>"));
        t.add(bad("DOCTYPE with external entity", "<?xml version=\"1.0\"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<cib>&x;</cib>", "DOCTYPE"));
        t.add(bad("entity expansion bomb", "<!DOCTYPE cib [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><cib>&b;</cib>", "DOCTYPE"));
        t.add(bad("deep nesting", "<cib>" + "<x>".repeat(300) + "</x>".repeat(300) + "</cib>", "nested deeper than"));
        t.add(bad("huge attribute value", res("<primitive id=\"big\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\" description=\""
                + "x".repeat(2 << 20) + "\"/>"), "attribute 'description'", "characters long"));
        t.add(bad("enormous attribute value", res("<primitive id=\"big\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\" description=\""
                + "x".repeat(5 << 20) + "\"/>"), "attribute value is longer than", "outside the CIB"));
        t.add(bad("version not a number", good.replace("epoch=\"5\"", "epoch=\"five\""), "epoch=\"five\"", "whole number"));
        t.add(bad("negative num_updates", good.replace("num_updates=\"0\"", "num_updates=\"-3\""), "num_updates=\"-3\""));
        t.add(bad("unknown validate-with", good.replace("pacemaker-3.9", "pacemaker-9.0"), "validate-with=\"pacemaker-9.0\""));
        t.add(bad("no validate-with", good.replace("validate-with=\"pacemaker-3.9\" ", ""), "no validate-with"));
        t.add(bad("no configuration", "<cib validate-with=\"pacemaker-3.9\"><status/></cib>", "no <configuration>"));
        t.add(bad("duplicate id", res("<primitive id=\"vip\" class=\"lsb\" type=\"foo\"/>"), "id 'vip' is already used", "line "));
        t.add(bad("duplicate node name", good.replace("uname=\"node2\"", "uname=\"node1\""), "node name 'node1' is used by two nodes"));
        t.add(bad("colocation with a missing resource", con("<rsc_colocation id=\"c2\" rsc=\"web\" with-rsc=\"vipp\" score=\"100\"/>"),
                "'c2'", "with-rsc=\"vipp\"", "does not exist", "did you mean 'vip'"));
        t.add(bad("order with a missing resource", con("<rsc_order id=\"o2\" first=\"ghost\" then=\"vip\"/>"), "'o2'", "first=\"ghost\""));
        t.add(bad("location of a missing resource", con("<rsc_location id=\"l2\" rsc=\"ghost\" node=\"node1\" score=\"5\"/>"), "'l2'", "rsc=\"ghost\""));
        t.add(bad("resource set with a missing resource", con("<rsc_order id=\"o3\"><resource_set id=\"s1\"><resource_ref id=\"vip\"/>"
                + "<resource_ref id=\"nosuch\"/></resource_set></rsc_order>"), "'nosuch'", "resource set"));
        t.add(bad("id-ref to nothing", res("<primitive id=\"p2\" class=\"lsb\" type=\"foo\"><meta_attributes id-ref=\"nowhere\"/></primitive>"),
                "id-ref=\"nowhere\""));
        t.add(bad("fencing level with a missing device", good.replace("devices=\"fence1\"", "devices=\"fence1,fence9\""), "'fence9'", "stonith"));
        t.add(bad("score is a word", con("<rsc_colocation id=\"c3\" rsc=\"web\" with-rsc=\"vip\" score=\"lots\"/>"), "'c3'", "score=\"lots\" is not a score"));
        t.add(bad("score is a fraction", con("<rsc_location id=\"l3\" rsc=\"vip\" node=\"node2\" score=\"1.5\"/>"), "score=\"1.5\""));
        t.add(bad("rule score is wrong", good.replace("score=\"-INFINITY\" boolean-op", "score=\"-INFINITE\" boolean-op"), "'vip-on-ping-rule'", "-INFINITE"));
        t.add(bad("stickiness is not a score", res("<primitive id=\"p3\" class=\"lsb\" type=\"foo\"><meta_attributes id=\"p3-m\">"
                + "<nvpair id=\"p3-s\" name=\"resource-stickiness\" value=\"sticky\"/></meta_attributes></primitive>"), "resource-stickiness=\"sticky\""));
        t.add(bad("interval in words", good.replace("interval=\"10s\"", "interval=\"ten seconds\""), "'vip-monitor'", "interval=\"ten seconds\" is not a duration"));
        t.add(bad("timeout with an unknown unit", good.replace("timeout=\"PT20S\"", "timeout=\"20 parsecs\""), "timeout=\"20 parsecs\""));
        t.add(bad("two monitors with the same interval", good.replace("<op id=\"vip-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"PT20S\"/>",
                "<op id=\"vip-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"PT20S\"/><op id=\"vip-monitor-p\" name=\"monitor\" interval=\"10000ms\" role=\"Promoted\"/>"),
                "'vip-monitor-p'", "duplicates 'vip-monitor'"));
        t.add(bad("negative duration", good.replace("interval=\"10s\"", "interval=\"-5s\""), "interval=\"-5s\""));
        t.add(bad("cluster option duration", good.replace("value=\"15min\"", "value=\"soon\""), "cluster-recheck-interval=\"soon\""));
        // Well formed but not a time: Pacemaker's crm_verify calls these invalid, and the rule never holds.
        t.add(bad("date with hour 25", good.replace("end=\"2030-12-31T23:59:59Z\"", "end=\"2030-12-31T25:00:00Z\""),
                "'d1'", "end=\"2030-12-31T25:00:00Z\" is not a date", "25 is not an hour"));
        t.add(bad("31 April", good.replace("start=\"2024-01-01\"", "start=\"2024-04-31\""), "'d1'", "day 31 is not in April 2024"));
        t.add(bad("month 13", good.replace("start=\"2024-01-01\"", "start=\"2024-13-01\""), "'d1'", "13 is not a month"));
        t.add(bad("target-role misspelt", res("<primitive id=\"p4\" class=\"lsb\" type=\"foo\"><meta_attributes id=\"p4-m\">"
                + "<nvpair id=\"p4-r\" name=\"target-role\" value=\"Sarted\"/></meta_attributes></primitive>"),
                "target-role=\"Sarted\" is not a role", "Stopped, Started"));
        t.add(bad("boolean-op xor", good.replace("boolean-op=\"or\"", "boolean-op=\"xor\""), "boolean-op=\"xor\""));
        t.add(bad("expression operation unknown", good.replace("operation=\"not_defined\"", "operation=\"like\""), "'e1'", "operation=\"like\""));
        t.add(bad("expression without value", good.replace(" value=\"0\" type=\"integer\"", ""), "'e2'", "needs a value"));
        t.add(bad("integer expression with a word", good.replace("value=\"0\" type=\"integer\"", "value=\"zero\" type=\"integer\""), "value=\"zero\" is not an integer"));
        t.add(bad("date range without ends", good.replace(" start=\"2024-01-01\" end=\"2030-12-31T23:59:59Z\"", ""), "'d1'", "in_range"));
        t.add(bad("date that is not a date", good.replace("start=\"2024-01-01\"", "start=\"next tuesday\""), "start=\"next tuesday\" is not an ISO 8601 date"));
        t.add(bad("rule without expressions", con("<rsc_location id=\"l4\" rsc=\"vip\"><rule id=\"r4\" score=\"10\"/></rsc_location>"), "'r4'", "no expressions"));
        t.add(bad("unknown class", res("<primitive id=\"p4\" class=\"docker\" type=\"nginx\"/>"), "'p4'", "unknown resource class \"docker\""));
        t.add(bad("ocf without provider", res("<primitive id=\"p5\" class=\"ocf\" type=\"Dummy\"/>"), "'p5'", "needs a provider"));
        t.add(bad("lsb with a provider", res("<primitive id=\"p6\" class=\"lsb\" provider=\"heartbeat\" type=\"foo\"/>"), "'p6'", "takes no provider"));
        t.add(bad("primitive without type", res("<primitive id=\"p7\" class=\"lsb\"/>"), "'p7'", "no type"));
        t.add(bad("empty group", res("<group id=\"g2\"/>"), "'g2'", "has no resources"));
        t.add(bad("clone of two", res("<clone id=\"c9\"><primitive id=\"a1\" class=\"lsb\" type=\"a\"/>"
                + "<primitive id=\"a2\" class=\"lsb\" type=\"b\"/></clone>"), "'c9'", "exactly one"));
        t.add(bad("empty resource set", con("<rsc_colocation id=\"c5\" score=\"10\"><resource_set id=\"c5-s\"/></rsc_colocation>"),
                "'c5-s'", "resource set is empty"));
        t.add(bad("resource set role unknown", con("<rsc_colocation id=\"c6\" score=\"10\"><resource_set id=\"c6-s\" role=\"Boss\">"
                + "<resource_ref id=\"vip\"/></resource_set></rsc_colocation>"), "'c6-s'", "role=\"Boss\""));
        t.add(bad("location with a node but no score", con("<rsc_location id=\"l6\" rsc=\"vip\" node=\"node2\"/>"), "'l6'", "neither a score"));
        t.add(bad("history with a word for a number", good.replace("<status/>", "<status><node_state id=\"1\" uname=\"node1\"><lrm id=\"1\">"
                + "<lrm_resources><lrm_resource id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
                + "<lrm_rsc_op id=\"vip_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"ok\" interval=\"0\"/>"
                + "</lrm_resource></lrm_resources></lrm></node_state></status>"), "'vip_last_0'", "rc-code=\"ok\""));
        t.add(bad("two node states for one node", good.replace("<status/>", "<status><node_state id=\"1\" uname=\"node1\"/>"
                + "<node_state id=\"1\" uname=\"node1\"/></status>"), "two <node_state> entries for node id '1'"));
        t.add(bad("order kind unknown", con("<rsc_order id=\"o5\" first=\"vip\" then=\"g\" kind=\"Always\"/>"), "kind=\"Always\""));
        return t.stream();
    }

    @TempDir
    Path dir;
    CibStore store;
    byte[] storedBytes;
    Cib stored;

    @BeforeEach
    void storeAGoodCib() throws Exception {
        store = new CibStore(dir);
        stored = store.saveXml("base.xml", res(""));
        storedBytes = Files.readAllBytes(store.cibFile());
    }

    @Test
    void theBaseCibIsValidAndEveryVariantBelowIsBad() {
        assertEquals(List.of(), CibValidator.validate("base.xml", res("")));
        assertTrue(badInputs().count() >= 25);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void refusedWithAClearErrorAndTheStoredCibUnchanged(Bad bad) throws Exception {
        try {
            store.saveXml("input.xml", bad.xml());
            fail(bad.name() + ": accepted");
        } catch (CibException e) {
            String msg = e.getMessage();
            for (String s : bad.mustSay()) {
                assertTrue(msg.contains(s), bad.name() + ": the error does not say \"" + s + "\":\n" + msg);
            }
            assertTrue(msg.contains("input.xml"), bad.name() + ": the error does not name the input: " + msg);
            assertTrue(e.problems().stream().allMatch(p -> !p.fix().isEmpty() || p.problem().contains("; ")), bad.name() + ": a problem without a fix: " + msg);
            // the problems a person sees are each one line (the huge value is not echoed back)
            assertTrue(msg.length() < 4000, bad.name() + ": the message is " + msg.length() + " characters");
        }
        assertArrayEquals(storedBytes, Files.readAllBytes(store.cibFile()), bad.name() + ": the stored CIB changed");
        assertEquals(stored, store.load().orElseThrow());
        assertEquals(List.of(), store.backups(), "nothing was written, so nothing was rotated");
    }
}
