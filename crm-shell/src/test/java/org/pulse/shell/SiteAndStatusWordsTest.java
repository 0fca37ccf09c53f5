package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crmsh's status words ops, timing and tickets (crm_mon -o, -t, -c; the expected lines are Debian's
 * crm_mon 2.1.5 on this CIB, TZ=UTC), crmsh's {@code site ticket} on a CIB file, and crmsh's corosync
 * level answered with where Pulse's membership is configured.
 */
class SiteAndStatusWordsTest {
    private static final String CIB = """
<cib validate-with="pacemaker-3.9" epoch="5" num_updates="3" admin_epoch="0" have-quorum="1" dc-uuid="1">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node uname="node1" id="1"/><node uname="node2" id="2"/></nodes>
    <resources>
      <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d1-meta"><nvpair id="d1-mt" name="migration-threshold" value="3"/></meta_attributes></primitive>
      <primitive id="d2" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>
      <rsc_ticket id="tk1" rsc="d1" ticket="ticketA" loss-policy="stop"/>
      <rsc_ticket id="tk2" rsc="d2" ticket="ticketZ"/>
    </constraints>
  </configuration>
  <status>
    <tickets>
      <ticket_state id="ticketA" granted="true" last-granted="1733580000"/>
      <ticket_state id="ticketB" granted="false" standby="true"/>
    </tickets>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="d1" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start" call-id="6" rc-code="0" op-status="0" interval="0" last-rc-change="1733580100" exec-time="21" queue-time="1" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
          <lrm_rsc_op id="d1_monitor_10000" operation_key="d1_monitor_10000" operation="monitor" call-id="7" rc-code="0" op-status="0" interval="10000" last-rc-change="1733580101" exec-time="9" queue-time="0" transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x"/>
        </lrm_resource>
        <lrm_resource id="d2" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="d2_last_0" operation_key="d2_monitor_0" operation="monitor" call-id="2" rc-code="7" op-status="0" interval="0" last-rc-change="1733580000" exec-time="5" queue-time="0" transition-key="3:0:7:x" transition-magic="0:7;3:0:7:x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="2"><lrm_resources>
        <lrm_resource id="d2" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="d2_last_0" operation_key="d2_start_0" operation="start" call-id="4" rc-code="0" op-status="0" interval="0" last-rc-change="1733580050" exec-time="30" queue-time="0" transition-key="4:1:0:x" transition-magic="0:0;4:1:0:x"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>
""";

    @TempDir
    Path tmp;

    @Test
    void statusOpsTimingAndTicketsAsCrmMonShowsThem() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("status ops\n"));
            String ops = t.output();
            assertTrue(ops.contains("""

                    Operations:
                      * Node: node1:
                        * d1: migration-threshold=3:
                          * (6) start
                          * (7) monitor: interval="10000ms"
                      * Node: node2:
                        * d2: migration-threshold=1000000:
                          * (4) start
                    """), ops);
            assertEquals(0, t.script("status timing\n"));
            String timing = t.output();
            assertTrue(timing.contains("""
                      * Node: node1:
                        * d1: migration-threshold=3:
                          * (6) start: last-rc-change="Sat Dec  7 14:01:40 2024" exec-time="21ms" queue-time="1ms" rc=0 (ok)
                          * (7) monitor: interval="10000ms" last-rc-change="Sat Dec  7 14:01:41 2024" exec-time="9ms" \
                    queue-time="0ms" rc=0 (ok)
                      * Node: node2:
                        * d2: migration-threshold=1000000:
                          * (4) start: last-rc-change="Sat Dec  7 14:00:50 2024" exec-time="30ms" queue-time="0ms" rc=0 (ok)
                    """), timing);
            assertEquals(0, t.script("status tickets\n"));
            String tickets = t.output();
            // crm_mon lists them in its hash table's order; here the status section's, then those only constraints name
            assertTrue(tickets.endsWith("""

                    Tickets:
                      * ticketA: granted last-granted="Sat Dec  7 14:00:00 2024"
                      * ticketB: revoked [standby]
                      * ticketZ: revoked
                    """), tickets);
            assertTrue(!tickets.contains("Operations:"), tickets);
            assertEquals(0, t.script("status\n"));
            String plain = t.output();
            assertTrue(!plain.contains("Tickets:") && !plain.contains("Operations:"), plain);
        }
    }

    @Test
    void siteTicketChangesTheTicketsStateOnAFile() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            // as crm_ticket: granting without force is refused, saying why and what to do
            assertNotEquals(0, t.script("site ticket grant ticketZ\n"));
            String refused = t.output();
            assertTrue(refused.contains("crm -F"), refused);
            assertEquals(before, t.file());
            t.shell.session.force = true;
            assertEquals(0, t.script("site ticket grant ticketZ\nsite ticket standby ticketA\n"), t.output());
            String xml = t.file();
            assertTrue(xml.contains("<ticket_state id=\"ticketZ\" granted=\"true\" last-granted=\""
                    + TestShell.NOW.getEpochSecond() + "\"/>"), xml);
            assertTrue(xml.contains("<ticket_state id=\"ticketA\" granted=\"true\" last-granted=\"1733580000\" standby=\"true\"/>"), xml);
            assertEquals(0, t.script("site ticket show ticketZ\nsite ticket show ticketB\nsite ticket time ticketA\n"));
            assertEquals("ticket ticketZ is granted\nticket ticketB is revoked\n"
                    + "ticket ticketA last time granted on Sat Dec  7 14:00:00 2024\n", t.output());
            assertEquals(0, t.script("site ticket revoke ticketZ\nsite ticket activate ticketA\n"), t.output());
            xml = t.file();
            assertTrue(xml.contains("<ticket_state id=\"ticketZ\" granted=\"false\""), xml);
            assertTrue(xml.contains("standby=\"false\""), xml);
            assertNotEquals(0, t.script("site ticket time nosuch\n"));
            assertTrue(t.output().contains("ticket nosuch was never granted"));
            assertNotEquals(0, t.script("site ticket give ticketA\n"));
            assertTrue(t.output().contains("usage: ticket grant|revoke|standby|activate|show|time|delete"));
        }
    }

    @Test
    void corosyncSaysWherePulsesMembershipIsConfigured() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("corosync status\n"));
            String err = t.output();
            assertTrue(err.contains("Pulse runs no corosync") && err.contains("crm cluster add"), err);
            assertEquals(before, t.file());
        }
    }
}
