package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/** Who may use crmd (pure decision), which arguments each operation takes, what agents may do. */
class AdminAccessTest {
    @Test
    void rootAndHaclusterAreUnrestrictedHaclientMembersGetAclsOthersAreRefused() throws Exception {
        assertEquals(AdminAccess.Kind.FULL, AdminAccess.decide("root", Set.of("root"), false, "root"));
        assertEquals(AdminAccess.Kind.FULL, AdminAccess.decide("hacluster", Set.of("haclient"), false, "root"));
        assertEquals(AdminAccess.Kind.ACL, AdminAccess.decide("alice", Set.of("alice", "haclient"), false, "root"));
        AdminAccess.Refused e = assertThrows(AdminAccess.Refused.class,
                () -> AdminAccess.decide("eve", Set.of("eve", "users"), false, "root"));
        assertTrue(e.getMessage().contains("'eve'") && e.getMessage().contains("haclient"), e.getMessage());
        // crmd run by an ordinary user (a developer's cluster) serves that user fully.
        assertEquals(AdminAccess.Kind.FULL, AdminAccess.decide("dev", Set.of("dev"), false, "dev"));
    }

    @Test
    void theAgentsSocketServesOnlyCrmdsOwnUser() throws Exception {
        assertEquals(AdminAccess.Kind.AGENT, AdminAccess.decide("root", Set.of(), true, "root"));
        assertThrows(AdminAccess.Refused.class, () -> AdminAccess.decide("alice", Set.of("haclient"), true, "root"));
        assertThrows(AdminAccess.Refused.class, () -> AdminAccess.decide("hacluster", Set.of("haclient"), true,
                "root"));
    }

    @Test
    void groupsComeFromIdAndAreCachedPerUser() {
        long[] now = {0};
        AdminAccess access = new AdminAccess(() -> now[0]);
        Set<String> root = access.groupsOf("root");
        assertTrue(root.contains("root"), root.toString());
        assertTrue(access.groupsOf("no-such-user-pulse").isEmpty());
        assertTrue(access.groupsOf("bad name;rm").isEmpty(), "a name id(1) would not take is not looked up");
        assertEquals(root, access.groupsOf("root"));
    }

    @Test
    void unknownArgumentsAreRefusedNamingThemAndWhatTheOperationTakes() {
        AdminResponse r = AdminHandler.checkArguments(new AdminRequest("t-1", AdminOp.RESOURCE,
                AdminArgs.of("action", "move", "resource", "web", "nod", "node2")));
        assertEquals(AdminError.BAD_REQUEST, r.error().code());
        assertTrue(r.error().message().contains("'nod'") && r.error().message().contains("node"), r.error().message());
        assertNull(AdminHandler.checkArguments(new AdminRequest("t-2", AdminOp.RESOURCE,
                AdminArgs.of("action", "move", "resource", "web", "node", "node2"))));
        assertEquals(AdminError.BAD_REQUEST, AdminHandler.checkArguments(new AdminRequest("t-3", AdminOp.STATUS,
                AdminArgs.of("verbose", true))).error().code());
    }

    @Test
    void agentsMayReadAndSetNodeAttributesOnly() throws Exception {
        assertNull(AdminHandler.checkAgent(AdminRequest.status("a")));
        assertNull(AdminHandler.checkAgent(AdminRequest.query("a")));
        assertNull(AdminHandler.checkAgent(new AdminRequest("a", AdminOp.NODE, AdminArgs.of("action", "attribute-set",
                "name", "pingd", "value", "1"))));
        AdminResponse r = AdminHandler.checkAgent(AdminRequest.replace("a", "<cib/>"));
        assertEquals(AdminError.ACCESS_DENIED, r.error().code());
        assertEquals(AdminError.ACCESS_DENIED, AdminHandler.checkAgent(AdminRequest.resource("a", "stop", "web", null))
                .error().code());
        assertEquals(AdminError.ACCESS_DENIED, AdminHandler.checkAgent(AdminRequest.node("a", "standby", "n1"))
                .error().code());
        // pgsql keeps RSC_REPL_INFO in crm_config; stonith-enabled is not an agent's to change.
        assertNull(AdminHandler.checkAgent(new AdminRequest("a", AdminOp.NODE, AdminArgs.of("action", "property-set",
                "name", "pgsql_REPL_INFO", "value", "x"))));
        assertEquals(AdminError.ACCESS_DENIED, AdminHandler.checkAgent(new AdminRequest("a", AdminOp.NODE,
                AdminArgs.of("action", "property-set", "name", "stonith-enabled", "value", "false"))).error().code());
    }
}
