package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CibValidatorTest {
    @Test
    void scores() {
        for (String s : new String[] {"0", "100", "-100", "+5", "INFINITY", "+INFINITY", "-INFINITY", "infinity", " 7 "}) {
            assertTrue(CibValidator.isScore(s), s);
        }
        for (String s : new String[] {"", "1.5", "lots", "INF", "--1", "1e3", null}) {
            assertFalse(CibValidator.isScore(s), String.valueOf(s));
        }
    }

    @Test
    void durations() {
        for (String s : new String[] {"0", "10", "10s", "10sec", "500ms", "500msec", "1min", "2m", "1h", "3hr", "20us",
                "PT10S", "PT1M30S", "P1DT2H", "P2W", "P10S", "PT0.5S", "10 s"}) {
            assertTrue(CibValidator.isDuration(s), s);
        }
        for (String s : new String[] {"", "-5s", "ten", "10 parsecs", "1.5.2s", "P", "PT", "T10S", "10ss", null}) {
            assertFalse(CibValidator.isDuration(s), String.valueOf(s));
        }
    }

    @Test
    void datesThatExistPassAndTargetRolesInAnyCase() {
        for (String d : new String[] {"2024-02-29", "2024-12-31T23:59:59Z", "2030-01-01T24:00:00", "2024-W05-3", "2024-060",
                "20241231T235959Z", "2019-09-23 13:00:00 -05:00"}) {
            assertEquals(null, RuleChecks.calendarProblem(d), d);
        }
        for (String d : new String[] {"2023-02-29", "2024-00-10", "2024-06-31", "2024-01-01T24:30", "2024-01-01T12:60",
                "2024-01-01T12:00:61"}) {
            assertTrue(RuleChecks.calendarProblem(d) != null, d);
        }
        for (String role : new String[] {"Started", "stopped", "Promoted", "Unpromoted", "Master", "Slave", "#default"}) {
            assertEquals(List.of(), CibValidator.validate("r.xml", CibBadInputTest.res("<primitive id=\"p\" class=\"lsb\" "
                    + "type=\"foo\"><meta_attributes id=\"p-m\"><nvpair id=\"p-r\" name=\"target-role\" value=\"" + role
                    + "\"/></meta_attributes></primitive>")), role);
        }
    }

    /**
     * One grammar: a date the validator accepts in a rule is a date the rule evaluator reads (the rule
     * can hold), and one it refuses is one the evaluator reads as none, whatever the form. Compact forms
     * (20241231, 20241231T1200) were accepted here and never held there before the two shared a reader.
     */
    @Test
    void theValidatorAndTheRulesReadDatesAlike() {
        String[] dates = {"2024-12-31", "20241231", "20241231T1200", "20241231T120000Z", "2024-366", "2024-W01-1",
                "2024-W01-1T08:00", "2024-1-5", "epoch", "2019-09-23 13:00:00 -05:00", "2024-12-31T12:00:00.5+01:00",
                "2024366", "2024W011", "2024-W01", "2024", "2024-12", "now", "T12:00", "2024-12-31x", "2024-04-31",
                "2024-12-31T25:00", "2023-366", "2024-W53-1", "next tuesday"};
        for (String d : dates) {
            List<CibProblem> p = CibValidator.validate("d.xml", CibBadInputTest.con(
                    "<rsc_location id=\"l-d\" rsc=\"vip\"><rule id=\"l-d-r\" score=\"10\">"
                            + "<date_expression id=\"l-d-e\" operation=\"gt\" start=\"" + d + "\"/></rule></rsc_location>"));
            java.time.Instant at = org.pulse.cib.model.IsoDates.read(d).instant();
            if (at == null) {
                assertEquals(1, p.size(), d + ": " + p);
                assertTrue(p.get(0).message().contains("start=\"" + d + "\" is not"), p.toString());
            } else {
                assertEquals(List.of(), p, d);
                org.pulse.cib.model.RuleExpression.Date rule = new org.pulse.cib.model.RuleExpression.Date(
                        "l-d-e", "gt", d, null, null, null);
                assertTrue(rule.matches(org.pulse.cib.model.RuleContext.at(at.plusSeconds(1))), d);
                assertFalse(rule.matches(org.pulse.cib.model.RuleContext.at(at)), d);
            }
        }
    }

    /** A duration refused names why: a decimal because Pacemaker would read only its whole part. */
    @Test
    void aRefusedDurationSaysWhy() {
        List<CibProblem> p = CibValidator.validate("o.xml", CibBadInputTest.res(
                "<primitive id=\"dx\" class=\"lsb\" type=\"foo\"><operations>"
                        + "<op id=\"dx-mon\" name=\"monitor\" interval=\"1.5s\"/></operations></primitive>"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).message().contains("interval=\"1.5s\" is not a duration: Pacemaker reads only the whole number"),
                p.toString());
        assertTrue(p.get(0).problem().contains("1500ms"), p.toString());
    }

    /** A piece of configuration to be merged object by object: what it defines twice, nothing about references. */
    @Test
    void identityProblemsFindIdsDefinedTwiceOnly() throws Exception {
        org.pulse.cib.xml.XmlElement conf = org.pulse.cib.xml.XmlParser.parse("f.xml", """
                <configuration><constraints>
                  <rsc_location id="l-x" rsc="elsewhere" node="node1" score="100"/>
                  <rsc_location id="l-x" rsc="d2" node="node2" score="100"/>
                  <rsc_order id="o"><resource_set id="s"><resource_ref id="a"/><resource_ref id="a"/></resource_set></rsc_order>
                </constraints></configuration>
                """);
        List<CibProblem> p = CibValidator.identityProblems("f.xml", conf);
        assertEquals(1, p.size(), p.toString());
        assertEquals("l-x", p.get(0).elementId());
        assertEquals(3, p.get(0).line());
        assertTrue(p.get(0).message().contains("already used by <rsc_location> at line 2"), p.toString());
    }

    @Test
    void theEmptyCibIsValid() {
        assertEquals(List.of(), CibValidator.validate(Cib.empty()));
    }

    @Test
    void aValidCibHasNoProblemsAndAWarningIsNotAnError() throws CibException {
        assertEquals(List.of(), CibValidator.validate("base.xml", CibBadInputTest.res("")));
        List<CibProblem> p = CibValidator.validate("w.xml", CibBadInputTest.con(
                "<rsc_location id=\"l9\" rsc=\"vip\" node=\"node7\" score=\"10\"/>"));
        assertEquals(1, p.size(), p.toString());
        assertEquals(CibProblem.Severity.WARNING, p.get(0).severity());
        assertTrue(p.get(0).message().contains("node 'node7'") && p.get(0).message().contains("node1, node2"), p.toString());
        assertFalse(CibValidator.hasErrors(p));
        CibValidator.parseValid("w.xml", CibBadInputTest.con("<rsc_location id=\"l9\" rsc=\"vip\" node=\"node7\" score=\"10\"/>"));
    }

    /** A bundle with a child makes guest nodes BUNDLE-0..replicas-1: constraints may name them, and the bundle is valid. */
    @Test
    void aBundleIsAcceptedAndItsGuestNodesAreKnown() throws CibException {
        String bundle = "<bundle id=\"site\"><podman image=\"localhost/web:1\" replicas=\"2\"/>"
                + "<network control-port=\"3121\"/><primitive id=\"httpd\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\"/></bundle>";
        String xml = CibBadInputTest.res(bundle).replace("</constraints>",
                "<rsc_location id=\"l-guest\" rsc=\"vip\" node=\"site-1\" score=\"10\"/>"
                + "<rsc_location id=\"l-none\" rsc=\"vip\" node=\"site-2\" score=\"10\"/></constraints>");
        List<CibProblem> p = CibValidator.validate("b.xml", xml);
        assertEquals(1, p.size(), p.toString());   // site-2 does not exist (2 replicas): a warning, site-1 none
        assertTrue(p.get(0).message().contains("node 'site-2'"), p.toString());
        assertFalse(CibValidator.hasErrors(p));
    }

    @Test
    void problemsNameSourceLineIdAndFix() {
        List<CibProblem> p = CibValidator.validate("site.xml", CibBadInputTest.con(
                "<rsc_order id=\"o7\" first=\"vip\" then=\"nothere\"/>"));
        assertEquals(1, p.size(), p.toString());
        CibProblem x = p.get(0);
        assertEquals("site.xml", x.source());
        assertEquals("o7", x.elementId());
        assertTrue(x.line() > 30, "line " + x.line());
        assertTrue(x.message().startsWith("site.xml:" + x.line() + ": error: in 'o7': then=\"nothere\""), x.message());
        assertFalse(x.fix().isEmpty());
    }

    @Test
    void aColocationWithoutScoreIsAllowedButWarnedAbout() {
        List<CibProblem> p = CibValidator.validate("c.xml", CibBadInputTest.con(
                "<rsc_colocation id=\"c5\" rsc=\"web\" with-rsc=\"vip\"/>"));
        assertEquals(1, p.size(), p.toString());
        assertFalse(p.get(0).isError());
        assertTrue(p.get(0).message().contains("no effect"), p.toString());
    }

    @Test
    void agentParametersAreTheAgentsBusiness() {
        // an agent parameter called "interval" or "timeout" may have any format the agent reads
        assertEquals(List.of(), CibValidator.validate("p.xml", CibBadInputTest.res(
                "<primitive id=\"p1\" class=\"ocf\" provider=\"acme\" type=\"poller\"><instance_attributes id=\"p1-i\">"
                        + "<nvpair id=\"p1-i-interval\" name=\"interval\" value=\"every other tuesday\"/></instance_attributes>"
                        + "<meta_attributes id=\"p1-m\"><nvpair id=\"p1-m-ft\" name=\"failure-timeout\" value=\"10min\"/>"
                        + "</meta_attributes></primitive>")));
        List<CibProblem> p = CibValidator.validate("p.xml", CibBadInputTest.res(
                "<primitive id=\"p1\" class=\"ocf\" provider=\"acme\" type=\"poller\">"
                        + "<meta_attributes id=\"p1-m\"><nvpair id=\"p1-m-ft\" name=\"failure-timeout\" value=\"a while\"/>"
                        + "</meta_attributes></primitive>"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).message().contains("in 'p1-m-ft': option failure-timeout=\"a while\" is not a duration"), p.toString());
    }

    @Test
    void booleanAndEnumeratedOptionsAreCheckedAsCrmVerifyDoes() {
        // an operator's typo in a value must not silently give the default (fencing stays on)
        String bad = CibBadInputTest.BASE.replace("%RES%", "").replace("%CON%", "")
                .replace("value=\"false\"/>", "value=\"maybe\"/><nvpair id=\"opt-nq\" name=\"no-quorum-policy\" "
                        + "value=\"stopp\"/><nvpair id=\"opt-ps\" name=\"placement-strategy\" value=\"Balanced\"/>");
        List<CibProblem> p = CibValidator.validate("o.xml", bad);
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).message().contains("in 'opt-stonith': option stonith-enabled=\"maybe\" is not a boolean"),
                p.toString());
        assertTrue(p.get(1).message().contains("no-quorum-policy=\"stopp\" is not one of stop, freeze, ignore"),
                p.toString());
        assertTrue(CibValidator.hasErrors(p));
        for (String ok : new String[] {"true", "False", "yes", "off", "1", "n"}) {
            assertEquals(List.of(), CibValidator.validate("o.xml", CibBadInputTest.res(
                    "<primitive id=\"p1\" class=\"ocf\" provider=\"acme\" type=\"x\"><meta_attributes id=\"p1-m\">"
                            + "<nvpair id=\"p1-m-im\" name=\"is-managed\" value=\"" + ok + "\"/></meta_attributes>"
                            + "</primitive>")), ok);
        }
    }

    @Test
    void countsAreWholeNumbersInEitherSpelling() {
        // stonith-max-attempts=abc was stored, passed verify, and the DC fenced 10 times, not the operator's number
        for (String name : new String[] {"stonith-max-attempts", "fencing-max-attempts"}) {
            for (String badValue : new String[] {"abc", "0", "-3", "2.5", "INFINITY", ""}) {
                List<CibProblem> p = CibValidator.validate("o.xml", withOption(name, badValue));
                assertEquals(1, p.size(), name + "=" + badValue + ": " + p);
                assertTrue(p.get(0).message().contains("in 'opt-n': option " + name + "=\"" + badValue
                        + "\" is not a positive whole number (the cluster would use the default instead)"), p.toString());
                assertTrue(CibValidator.hasErrors(p));
            }
            for (String ok : new String[] {"1", "10", " 3 ", "+5"}) {
                assertEquals(List.of(), CibValidator.validate("o.xml", withOption(name, ok)), name + "=" + ok);
            }
        }
        assertEquals(1, CibValidator.validate("o.xml", withOption("batch-limit", "lots")).size());
        assertEquals(List.of(), CibValidator.validate("o.xml", withOption("migration-limit", "-1")));
    }

    @Test
    void bothSpellingsOfAFencingOptionWithDifferentValuesAreWarnedAbout() {
        // stonith-max-attempts=3 then fencing-max-attempts=2: the DC used 2 and said "stonith-max-attempts=2"
        String both = withOption("fencing-max-attempts", "2").replace("<nvpair id=\"opt-n\"",
                "<nvpair id=\"opt-old\" name=\"stonith-max-attempts\" value=\"3\"/><nvpair id=\"opt-n\"");
        List<CibProblem> p = CibValidator.validate("o.xml", both);
        assertEquals(1, p.size(), p.toString());
        assertFalse(CibValidator.hasErrors(p));
        assertTrue(p.get(0).message().contains("in 'opt-n': both fencing-max-attempts=\"2\" and stonith-max-attempts=\"3\""
                + " are set; the cluster uses fencing-max-attempts"), p.toString());
        assertEquals(List.of(), CibValidator.validate("o.xml", both.replace("value=\"3\"", "value=\"2\"")));
    }

    private static String withOption(String name, String value) {
        return CibBadInputTest.BASE.replace("%RES%", "").replace("%CON%", "").replace("value=\"false\"/>",
                "value=\"false\"/><nvpair id=\"opt-n\" name=\"" + name + "\" value=\"" + value + "\"/>");
    }

    @Test
    void durationsInMilliseconds() {
        assertEquals(10_000L, CibValidator.durationMs("10"));
        assertEquals(10_000L, CibValidator.durationMs("10s"));
        assertEquals(10_000L, CibValidator.durationMs("PT10S"));
        assertEquals(10_000L, CibValidator.durationMs("P10S"));
        assertEquals(500L, CibValidator.durationMs("500ms"));
        assertEquals(120_000L, CibValidator.durationMs("2min"));
        assertEquals(120_000L, CibValidator.durationMs("2m"));
        assertEquals(90_000L, CibValidator.durationMs("PT1M30S"));
        assertEquals(3_600_000L, CibValidator.durationMs("1h"));
        assertEquals(86_400_000L + 7_200_000L, CibValidator.durationMs("P1DT2H"));
        assertEquals(500L, CibValidator.durationMs("PT0.5S"));
        assertEquals(null, CibValidator.durationMs("ten"));
    }

    @Test
    void nodeIdsAndUserNamesAreNotXmlIds() {
        // corosync node id "1" next to an element with id "1": legal in Pacemaker's schema
        String xml = CibBadInputTest.BASE.replace("%CON%", "").replace("%RES%",
                "<primitive id=\"1\" class=\"lsb\" type=\"one\"/>").replace("</configuration>",
                "<acls><acl_target id=\"vip\"><role id=\"readers\"/></acl_target>"
                        + "<acl_role id=\"readers\"><acl_permission id=\"p1\" kind=\"read\" reference=\"g\"/></acl_role></acls></configuration>");
        assertEquals(List.of(), CibValidator.validate("n.xml", xml));
        List<CibProblem> p = CibValidator.validate("n.xml", CibBadInputTest.BASE.replace("%CON%", "").replace("%RES%", "")
                .replace("uname=\"node2\"", "uname=\"node2\"/><node id=\"2\" uname=\"node3\"")
                .replace("</configuration>", "<acls><acl_target id=\"u\"><role id=\"writers\"/></acl_target></acls></configuration>"));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).message().contains("two <node> entries have id '2'"), p.toString());
        assertTrue(p.get(1).message().contains("role 'writers' is not defined"), p.toString());
    }
}
