package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlParser;

/**
 * The DC judges a write by its requester against the CIB's ACLs, whichever node received it, and
 * records who made an allowed write on the CIB every member stores.
 */
class AclWriteTest {
    static Cib cib() throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\">"
                + "<nvpair id=\"o-acl\" name=\"enable-acl\" value=\"true\"/>"
                + "<nvpair id=\"o-st\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
                + "<nodes/><resources>" + ControllerTest.DUMMY + "</resources><constraints/>"
                + "<acls><acl_role id=\"operator\">"
                + "<acl_permission id=\"op-read\" kind=\"read\" xpath=\"/cib\"/>"
                + "<acl_permission id=\"op-d1\" kind=\"write\" reference=\"d1\"/></acl_role>"
                + "<acl_group id=\"ops\"><role id=\"operator\"/></acl_group></acls>"
                + "</configuration><status/></cib>"));
    }

    static AdminResult write(MiniCluster c, String node, CibEdit edit, Requester by) {
        long id = c.admin(node, new AdminCommand.Write(edit, false, by));
        c.settle();
        return c.replies.get(id);
    }

    static final Requester ALICE = new Requester("alice", Set.of("haclient", "ops"), "crm", "b");

    @Test
    void aDeniedWriteIsRefusedNamingTheRuleAndNoMemberChanges() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        CibVersion before = c.nodes.get("a").cib().version();
        AdminResult r = write(c, "b", new CibEdit.ClusterProperty("maintenance-mode", "true"), ALICE);
        assertEquals(AdminResult.ACCESS_DENIED, r.code(), r.message());
        assertTrue(r.message().contains("op-read") && r.message().contains("alice"), r.message());
        for (Controller n : c.nodes.values()) {
            assertEquals(before.epoch(), n.cib().version().epoch(), n.nodeName() + " changed");
            assertFalse(n.cib().toXml().contains("maintenance-mode"));
        }
        // The same change by the cluster itself (no requester) is not subject to ACLs.
        assertTrue(write(c, "b", new CibEdit.ClusterProperty("maintenance-mode", "false"), null).ok());
    }

    @Test
    void anAllowedWriteIsRecordedWithWhoMadeItOnEveryMember() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        AdminResult r = write(c, "b", new CibEdit.ResourceMeta("d1", "target-role", "Stopped"), ALICE);
        assertTrue(r.ok(), r.message());
        for (Controller n : c.nodes.values()) {
            var root = n.cib().root();
            assertEquals("alice", root.attr("update-user"), n.nodeName());
            assertEquals("crm", root.attr("update-client"), n.nodeName());
            assertEquals("b", root.attr("update-origin"), n.nodeName());
        }
        // A user outside the group's ACLs gets nothing: default deny.
        AdminResult bob = write(c, "c", new CibEdit.ResourceMeta("d1", "target-role", "Started"),
                new Requester("bob", Set.of("haclient"), "crm_resource", "c"));
        assertEquals(AdminResult.ACCESS_DENIED, bob.code(), bob.message());
        assertTrue(bob.message().contains("no ACL grants"), bob.message());
    }
}
