package org.pulse.cib.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pulse.cib.Cib;
import org.pulse.cib.CibException;
import org.pulse.cib.xml.XmlElement;

/**
 * Pacemaker's ACL semantics as documented in Pacemaker Explained ("Access Control Lists"), one
 * row per rule: default deny, exempt users, enable-acl=false, deny over write over read on the
 * same element, the more specific (deeper) match winning, references, object-type with
 * attribute, XPath predicates, groups, named targets and the legacy acl_user form.
 */
class CibAclTest {
    private static final String RESOURCES = """
            <resources>
              <primitive id="web" class="ocf" provider="heartbeat" type="apache">
                <meta_attributes id="web-meta">
                  <nvpair id="web-meta-target-role" name="target-role" value="Started"/>
                  <nvpair id="web-meta-prio" name="priority" value="1"/>
                </meta_attributes>
              </primitive>
              <primitive id="db" class="ocf" provider="heartbeat" type="pgsql">
                <instance_attributes id="db-params">
                  <nvpair id="db-pw" name="password" value="secret"/>
                </instance_attributes>
              </primitive>
              <primitive id="fence" class="stonith" type="fence_dummy"/>
            </resources>""";

    static XmlElement cib(boolean enableAcl, String acls) {
        String xml = """
                <cib admin_epoch="0" epoch="7" num_updates="3" validate-with="pacemaker-3.9">
                  <configuration>
                    <crm_config>
                      <cluster_property_set id="cib-bootstrap-options">
                        <nvpair id="opt-acl" name="enable-acl" value="%s"/>
                        <nvpair id="opt-mm" name="maintenance-mode" value="false"/>
                      </cluster_property_set>
                    </crm_config>
                    <nodes><node id="1" uname="node1"/></nodes>
                    %s
                    <constraints/>
                    <acls>%s</acls>
                  </configuration>
                  <status/>
                </cib>""".formatted(enableAcl, RESOURCES, acls);
        try {
            return Cib.parse("test", xml).root();
        } catch (CibException e) {
            throw new AssertionError(e);
        }
    }

    static Arguments row(String rule, boolean enableAcl, String acls, AclSubject who, String id, String expected) {
        return Arguments.of(rule, enableAcl, acls, who, id, expected);
    }

    static Stream<Arguments> table() {
        AclSubject hugo = AclSubject.user("hugo", "haclient");
        String readAll = "<acl_role id='r'><acl_permission id='r-all' kind='read' xpath='/cib'/></acl_role>";
        return Stream.of(
                row("enable-acl=false: ACLs are not applied", false, "", hugo, "db", "write"),
                row("default deny: a user no acl_target names may do nothing", true, "", hugo, "web", "none"),
                row("root is exempt", true, "", AclSubject.user("root"), "db", "write"),
                row("hacluster is exempt", true, "", AclSubject.user("hacluster", "haclient"), "db", "write"),
                row("read on /cib reads everything below", true,
                        readAll + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db-pw", "read"),
                row("deny beats write on the same element", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' xpath=\"//primitive[@id='db']\"/>"
                                + "<acl_permission id='d' kind='deny' reference='db'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db", "none"),
                row("write beats read on the same element", true,
                        "<acl_role id='r'><acl_permission id='rd' kind='read' reference='web'/>"
                                + "<acl_permission id='w' kind='write' object-type='primitive'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web", "write"),
                row("the more specific write beats a general deny", true,
                        "<acl_role id='r'><acl_permission id='d' kind='deny' xpath='/cib/configuration/resources'/>"
                                + "<acl_permission id='w' kind='write' xpath=\"//primitive[@id='web']\"/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web", "write"),
                row("... and the general deny still holds beside it", true,
                        "<acl_role id='r'><acl_permission id='d' kind='deny' xpath='/cib/configuration/resources'/>"
                                + "<acl_permission id='w' kind='write' xpath=\"//primitive[@id='web']\"/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db", "none"),
                row("the more specific deny beats a general write", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' xpath='/cib'/>"
                                + "<acl_permission id='d' kind='deny' xpath=\"//nvpair[@name='password']\"/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db-pw", "none"),
                row("the more specific read beats a general write", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' xpath='/cib'/>"
                                + "<acl_permission id='rd' kind='read' reference='db'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db-params", "read"),
                row("a reference covers the element's subtree", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web-meta-target-role",
                        "write"),
                row("a reference covers nothing else", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db", "none"),
                row("object-type with attribute: elements having the attribute", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' object-type='primitive'"
                                + " attribute='provider'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web", "write"),
                row("object-type with attribute: not the elements without it", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' object-type='primitive'"
                                + " attribute='provider'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "fence", "none"),
                row("xpath predicates with and", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write'"
                                + " xpath=\"//nvpair[@name='target-role' and @value='Started']\"/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web-meta-target-role",
                        "write"),
                row("xpath predicates select only matching siblings", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write'"
                                + " xpath=\"//nvpair[@name='target-role' and @value='Started']\"/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "web-meta-prio", "none"),
                row("an xpath selecting an attribute applies to its element", true,
                        "<acl_role id='r'><acl_permission id='rd' kind='read' xpath='//primitive/@provider'/></acl_role>"
                                + "<acl_target id='hugo'><role id='r'/></acl_target>", hugo, "db", "read"),
                row("acl_group applies to members of the group", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_group id='ops'><role id='r'/></acl_group>",
                        AclSubject.user("carol", "haclient", "ops"), "web", "write"),
                row("acl_group does not apply to others", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_group id='ops'><role id='r'/></acl_group>",
                        AclSubject.user("carol", "haclient"), "web", "none"),
                row("target and group roles combine", true,
                        "<acl_role id='r'><acl_permission id='rd' kind='read' reference='db'/></acl_role>"
                                + "<acl_role id='w'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_target id='carol'><role id='r'/></acl_target>"
                                + "<acl_group id='ops'><role id='w'/></acl_group>",
                        AclSubject.user("carol", "ops"), "web", "write"),
                row("acl_target name= names the user when given", true,
                        "<acl_role id='r'><acl_permission id='w' kind='write' reference='web'/></acl_role>"
                                + "<acl_target id='t-dave' name='dave'><role id='r'/></acl_target>",
                        AclSubject.user("dave"), "web", "write"),
                row("legacy acl_user with a direct read", true,
                        "<acl_user id='hugo'><read id='l-r' xpath='/cib/configuration/resources'/></acl_user>", hugo,
                        "db", "read"),
                row("a role referenced but not defined grants nothing", true,
                        "<acl_target id='hugo'><role id='missing'/></acl_target>", hugo, "web", "none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void access(String rule, boolean enableAcl, String acls, AclSubject who, String id, String expected) {
        XmlElement root = cib(enableAcl, acls);
        assertEquals(expected, access(root, who, id), rule);
    }

    /** "write", "read" or "none" for the element with this id, as filter and write check see it. */
    static String access(XmlElement root, AclSubject who, String id) {
        XmlElement original = find(root, id);
        assertNotNull(original, id);
        XmlElement seen = find(CibAcl.filterForRead(root, who), id);
        boolean readable = original.equals(seen);
        XmlElement changed = replace(root, original, original.withAttribute("description", "changed"));
        boolean writable = CibAcl.checkWrite(root, changed, who).isEmpty();
        if (writable) {
            assertTrue(readable, "write implies read for " + id);
            return "write";
        }
        return readable ? "read" : "none";
    }

    static XmlElement find(XmlElement e, String id) {
        if (id.equals(e.id())) {
            return e;
        }
        for (XmlElement c : e.elements()) {
            XmlElement f = find(c, id);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    static XmlElement replace(XmlElement e, XmlElement old, XmlElement by) {
        if (e == old) {
            return by;
        }
        return e.withChildren(e.children().stream().map(c -> c instanceof XmlElement ce ? replace(ce, old, by) : c)
                .toList());
    }

    private static final String OPERATOR = "<acl_role id='operator'>"
            + "<acl_permission id='op-read' kind='read' xpath='/cib'/>"
            + "<acl_permission id='op-web' kind='write' reference='web'/>"
            + "<acl_permission id='op-no-db' kind='deny' xpath=\"//primitive[@id='db']\"/>"
            + "<acl_permission id='op-roles' kind='write' xpath=\"//nvpair[@name='target-role']\"/>"
            + "</acl_role><acl_target id='hugo'><role id='operator'/></acl_target>";
    private static final AclSubject HUGO = AclSubject.user("hugo", "haclient");

    @Test
    void refusedWriteNamesTheDenyRuleAndItsXpath() {
        XmlElement root = cib(true, OPERATOR);
        XmlElement db = find(root, "db");
        Optional<AclDenial> d = CibAcl.checkWrite(root, replace(root, db, db.withAttribute("type", "mysql")), HUGO);
        assertTrue(d.isPresent());
        String m = d.get().message();
        assertTrue(m.contains("op-no-db") && m.contains("//primitive[@id='db']") && m.contains("operator"), m);
        assertTrue(m.contains("primitive[@id='db']") && m.contains("attribute type") && m.contains("hugo"), m);
    }

    @Test
    void refusedWriteUnderReadNamesTheReadRule() {
        XmlElement root = cib(true, OPERATOR);
        XmlElement mm = find(root, "opt-mm");
        AclDenial d = CibAcl.checkWrite(root, replace(root, mm, mm.withAttribute("value", "true")), HUGO).orElseThrow();
        assertTrue(d.message().contains("only read access") && d.message().contains("op-read"), d.message());
    }

    @Test
    void creatingAnElementNeedsWriteThereButScaffoldingIsAllowed() {
        XmlElement root = cib(true, OPERATOR);
        XmlElement resources = root.element("configuration").orElseThrow().element("resources").orElseThrow();
        XmlElement added = replace(root, resources, resources.withChildAppended(
                XmlElement.of("primitive", "id", "new", "class", "ocf", "provider", "heartbeat", "type", "Dummy")));
        AclDenial d = CibAcl.checkWrite(root, added, HUGO).orElseThrow();
        assertEquals("create", d.action());
        assertTrue(d.message().contains("primitive[@id='new']") && d.message().contains("op-read"), d.message());

        // A new meta_attributes holding only an id, around a target-role the user may write: allowed.
        XmlElement fence = find(root, "fence");
        XmlElement meta = XmlElement.of("meta_attributes", "id", "fence-meta").withChildAppended(
                XmlElement.of("nvpair", "id", "fence-meta-target-role", "name", "target-role", "value", "Stopped"));
        assertEquals(Optional.empty(), CibAcl.checkWrite(root, replace(root, fence, fence.withChildAppended(meta)),
                HUGO));
        // The same scaffolding around a parameter the user may not write: refused at the nvpair.
        XmlElement meta2 = XmlElement.of("meta_attributes", "id", "fence-meta").withChildAppended(
                XmlElement.of("nvpair", "id", "fence-meta-x", "name", "is-managed", "value", "false"));
        AclDenial d2 = CibAcl.checkWrite(root, replace(root, fence, fence.withChildAppended(meta2)), HUGO)
                .orElseThrow();
        assertTrue(d2.path().endsWith("nvpair[@id='fence-meta-x']"), d2.path());
    }

    @Test
    void removingNeedsWriteOnTheWholeSubtree() {
        String acls = "<acl_role id='r'><acl_permission id='w' kind='write' reference='db'/>"
                + "<acl_permission id='d' kind='deny' reference='db-pw'/></acl_role>"
                + "<acl_target id='hugo'><role id='r'/></acl_target>";
        XmlElement root = cib(true, acls);
        XmlElement resources = root.element("configuration").orElseThrow().element("resources").orElseThrow();
        XmlElement without = replace(root, resources, resources.withoutChildren(e -> "db".equals(e.id())));
        AclDenial d = CibAcl.checkWrite(root, without, HUGO).orElseThrow();
        assertEquals("remove", d.action());
        assertTrue(d.path().endsWith("nvpair[@id='db-pw']") && d.rule().id().equals("d"), d.message());
    }

    @Test
    void aChangeCannotGrantItselfRights() {
        // With write on crm_config only, turning enable-acl off is a write there: allowed; but the
        // check uses the ACLs of the CIB before the change, so adding a role in the same change
        // (in acls, not writable) is refused.
        String acls = "<acl_role id='r'><acl_permission id='w' kind='write' xpath='//crm_config'/></acl_role>"
                + "<acl_target id='hugo'><role id='r'/></acl_target>";
        XmlElement root = cib(true, acls);
        XmlElement acl = find(root, "opt-acl");
        XmlElement off = replace(root, acl, acl.withAttribute("value", "false"));
        assertEquals(Optional.empty(), CibAcl.checkWrite(root, off, HUGO));
        XmlElement aclsEl = root.element("configuration").orElseThrow().element("acls").orElseThrow();
        XmlElement grant = replace(off, find(off, "r"), find(off, "r").withChildAppended(
                XmlElement.of("acl_permission", "id", "all", "kind", "write", "xpath", "/cib")));
        assertTrue(CibAcl.checkWrite(root, grant, HUGO).isPresent());
        assertNotNull(aclsEl);
    }

    @Test
    void theClusterMaintainedRootAttributesNeedNoPermission() {
        XmlElement root = cib(true, OPERATOR);
        XmlElement next = root.withAttribute("epoch", "8").withAttribute("num_updates", "0")
                .withAttribute("update-user", "hugo");
        assertEquals(Optional.empty(), CibAcl.checkWrite(root, next, HUGO));
        assertTrue(CibAcl.checkWrite(root, root.withAttribute("admin_epoch", "5"), HUGO).isPresent());
    }

    @Test
    void queriesAreFilteredAsPacemakerDoes() {
        String acls = "<acl_role id='r'><acl_permission id='rd' kind='read' xpath='/cib'/>"
                + "<acl_permission id='d' kind='deny' xpath=\"//nvpair[@name='password']\"/></acl_role>"
                + "<acl_role id='only-db'><acl_permission id='rdb' kind='read' reference='db'/></acl_role>"
                + "<acl_target id='alice'><role id='r'/></acl_target>"
                + "<acl_target id='dave'><role id='only-db'/></acl_target>";
        XmlElement root = cib(true, acls);
        XmlElement alice = CibAcl.filterForRead(root, AclSubject.user("alice"));
        assertNull(find(alice, "db-pw"), "the denied password is gone");
        assertNotNull(find(alice, "db-params"), "its readable parent stays");
        assertEquals(find(root, "web"), find(alice, "web"));

        XmlElement dave = CibAcl.filterForRead(root, AclSubject.user("dave"));
        assertEquals(find(root, "db"), find(dave, "db"), "db whole");
        assertNull(find(dave, "web"));
        assertNull(find(dave, "opt-acl"), "crm_config is not readable");
        XmlElement conf = dave.element("configuration").orElseThrow();
        XmlElement resources = conf.element("resources").orElseThrow();
        assertEquals(1, resources.elements().size(), "only db: " + resources);
        assertTrue(resources.attributes().isEmpty());
        for (XmlElement section : conf.elements()) {
            if (!section.name().equals("resources")) {
                assertTrue(section.elements().isEmpty() && section.attributes().isEmpty(), "empty frame: " + section);
            }
        }
        assertEquals("7", dave.attr("epoch"), "the version stays so tools can use the copy");
        assertTrue(dave.element("status").orElseThrow().elements().isEmpty());

        XmlElement stranger = CibAcl.filterForRead(root, AclSubject.user("eve"));
        assertTrue(stranger.element("configuration").orElseThrow().elements().stream()
                .allMatch(e -> e.elements().isEmpty() && e.attributes().isEmpty()), stranger.toString());
        assertSame(root, CibAcl.filterForRead(root, AclSubject.user("root")));
    }

    @Test
    void anUnusableDenyFailsClosedAndIsReported() {
        String acls = "<acl_role id='r'><acl_permission id='rd' kind='read' xpath='/cib'/>"
                + "<acl_permission id='bad' kind='deny' xpath='//primitive['/></acl_role>"
                + "<acl_target id='hugo'><role id='r'/></acl_target>";
        XmlElement root = cib(true, acls);
        assertEquals("none", access(root, HUGO, "web"));
        assertTrue(CibAcl.problems(root, HUGO).stream().anyMatch(p -> p.contains("bad") && p.contains("denies")),
                CibAcl.problems(root, HUGO).toString());
    }

    @Test
    void idsWithQuotesMakeValidXpathLiterals() {
        assertEquals("'a\"b'", CibAcl.literal("a\"b"));
        assertEquals("\"a'b\"", CibAcl.literal("a'b"));
        assertEquals("concat('a', \"'\", 'b\"c')", CibAcl.literal("a'b\"c"));
        assertFalse(CibAcl.enabled(cib(false, "")));
        assertEquals(Set.of("x"), AclSubject.user("u", "x").groups());
    }
}
