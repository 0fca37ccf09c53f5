package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlWriter;

/**
 * crm site ticket and crm node clearstate as the DC applies them to its own CIB: status changes (num_updates,
 * not epoch), a ticket's state as crm_ticket writes it, a node's state as a fencing leaves it; an online node's
 * state is refused, naming why.
 */
class TicketAndClearStateEditTest {
    @Test
    void aTicketGrantIsAStatusWriteWithItsTime() throws Exception {
        Cib before = AdminDecisionsTest.cib("", "n1");
        Cib granted = CibEdits.apply(before, new CibEdit.Ticket("ticketA", "grant", 1_796_000_000L));
        assertEquals(before.version().epoch(), granted.version().epoch(), "a ticket is status, not configuration");
        assertEquals(before.version().numUpdates() + 1, granted.version().numUpdates());
        assertTrue(XmlWriter.toXml(granted.root()).contains("<ticket_state id=\"ticketA\" granted=\"true\""
                + " last-granted=\"1796000000\"/>"), XmlWriter.toXml(granted.root()));
        assertTrue(granted.model().tickets().get("ticketA").granted());
        Cib revoked = CibEdits.apply(granted, new CibEdit.Ticket("ticketA", "revoke", 1_796_000_100L));
        assertTrue(!revoked.model().tickets().get("ticketA").granted());
        CibEdits.Refused bad = assertThrows(CibEdits.Refused.class, () -> CibEdits.apply(before,
                new CibEdit.Ticket("ticketA", "grnat", 0)));
        assertTrue(bad.getMessage().contains("unknown ticket action 'grnat'; use one of grant, revoke, standby, activate,"
                + " delete"), bad.getMessage());
    }

    @Test
    void clearstateRefusesAnOnlineNodeAndClearsAnOfflineOne() throws Exception {
        Cib cib = AdminDecisionsTest.cib("", "n1", "n2");
        Cib n2Online = Cib.of(Cibs.updateNodeState(cib.root(), "n2", ns -> Cibs.withAttrs(ns, "in_ccm", "true",
                "crmd", "online")));
        CibEdits.Refused online = assertThrows(CibEdits.Refused.class, () -> CibEdits.apply(n2Online,
                new CibEdit.ClearState("n2")));
        assertEquals(AdminResult.REFUSED, online.code);
        assertTrue(online.getMessage().startsWith("node n2 is online"), online.getMessage());
        Cib n2Lost = Cib.of(Cibs.updateNodeState(cib.root(), "n2", ns -> Cibs.withAttrs(ns, "in_ccm", "false",
                "crmd", "offline", "expected", "member")));
        Cib cleared = CibEdits.apply(n2Lost, new CibEdit.ClearState("n2"));
        assertEquals(Planner.markDown(n2Lost.root(), "n2"), cleared.root().withAttribute("num_updates",
                n2Lost.root().attr("num_updates")));
        assertTrue(cleared.statusView().nodes().get("n2") != null);
        assertTrue(!XmlWriter.toXml(cleared.root()).contains("d1:1_last_0"), "n2's history stayed");
        assertTrue(XmlWriter.toXml(cleared.root()).contains("d1:0_last_0"), "n1's history went");
        assertEquals(AdminResult.NOT_FOUND, assertThrows(CibEdits.Refused.class, () -> CibEdits.apply(cib,
                new CibEdit.ClearState("n9"))).code);
    }
}
