package org.pulse.shell.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * A change made from one configuration carried over to a newer one (LiveCibSource's retry): the DC
 * wrote the nodes section meanwhile, or another operator changed other objects; a conflict only when
 * both changed the same object.
 */
class RebaseTest {
    static XmlElement conf(String nodes, String resources, String constraints) throws Exception {
        String xml = "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><configuration>"
                + "<crm_config/><nodes>" + nodes + "</nodes><resources>" + resources + "</resources><constraints>"
                + constraints + "</constraints></configuration><status/></cib>";
        return Tree.section(Cib.parse("test", xml).root(), "configuration");
    }

    static final String N1 = "<node id=\"1\" uname=\"node1\"/>";
    static final String N2 = "<node id=\"2\" uname=\"node2\"/>";
    static final String D1 = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>";
    static final String D1_STOPPED = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
            + "<meta_attributes id=\"d1-m\"><nvpair id=\"d1-m-t\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>"
            + "</primitive>";
    static final String D2 = "<primitive id=\"d2\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>";
    static final String L1 = "<rsc_location id=\"l1\" rsc=\"d1\" node=\"node1\" score=\"10\"/>";

    @Test
    void aNewResourceCarriesOverTheNodesTheDcWroteMeanwhile() throws Exception {
        XmlElement base = conf(N1, D1, "");
        Rebase.Result r = Rebase.rebase(base, conf(N1, D1 + D2, L1), conf(N1 + N2, D1, ""));
        assertEquals(Set.of(), r.conflicts());
        assertEquals(conf(N1 + N2, D1 + D2, L1), r.configuration());
    }

    @Test
    void aChangeAndADeletionOfOtherObjectsKeepTheirs() throws Exception {
        XmlElement base = conf(N1, D1 + D2, L1);
        // mine: d2 deleted, d1 stopped; theirs: node2 added, the constraint deleted
        Rebase.Result r = Rebase.rebase(base, conf(N1, D1_STOPPED, L1), conf(N1 + N2, D1 + D2, ""));
        assertEquals(Set.of(), r.conflicts());
        assertEquals(conf(N1 + N2, D1_STOPPED, ""), r.configuration());
    }

    @Test
    void bothChangingOneObjectIsAConflictAndNothingCarriesOver() throws Exception {
        XmlElement base = conf(N1, D1, "");
        XmlElement theirs = conf(N1, D1_STOPPED + D2, "");
        Rebase.Result r = Rebase.rebase(base, conf(N1, "", ""), theirs);
        assertEquals(Set.of("resources primitive d1"), r.conflicts());
        assertEquals(theirs, r.configuration());
        // the same change on both sides is no conflict
        Rebase.Result same = Rebase.rebase(base, conf(N1, D1_STOPPED, ""), conf(N1 + N2, D1_STOPPED, ""));
        assertTrue(same.conflicts().isEmpty(), same.conflicts().toString());
        assertEquals(conf(N1 + N2, D1_STOPPED, ""), same.configuration());
    }
}
