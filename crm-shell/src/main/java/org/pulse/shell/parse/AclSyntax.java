package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.render.CliFormatter;

/**
 * crmsh's ACL commands, both ways: {@code role}, {@code acl_target} (and its older name
 * {@code user}) and {@code acl_group} into Pacemaker's acls elements, and back for {@code show}.
 *
 * <pre>
 * role ID RULE [RULE ...]
 *   RULE :: read|write|deny SPEC [attribute:NAME]
 *   SPEC :: xpath:XPATH | ref:ID | type:ELEMENT        (reference:ID and tag:ELEMENT are accepted too)
 * acl_target ID [ROLE ...]
 * acl_group ID [ROLE ...]
 * </pre>
 * A rule becomes {@code <acl_permission id="ROLE-KIND[-N]" kind=... xpath|reference|object-type
 * [attribute]>}; a target or group holds {@code <role id="ROLE"/>} references.
 */
public final class AclSyntax {
    private AclSyntax() {
    }

    static final List<String> COMMANDS = List.of("role", "acl_target", "acl_group", "user");
    /** The configure level's help lines for these commands. */
    public static final java.util.Map<String, String> USAGE = java.util.Map.of(
            "role", "role <role-id> <rule> [<rule>...]   rule: read|write|deny xpath:<xpath>|ref:<id>|type:<element>"
                    + " [attribute:<name>]",
            "acl_target", "acl_target <user> [<role-id>...]   what a user (in group haclient) may do, with enable-acl=true",
            "acl_group", "acl_group <group> [<role-id>...]   the same for every member of a system group",
            "user", "user <user> [<role-id>...]   older name of acl_target");
    /** crm type names of the acls elements. */
    public static final java.util.Map<String, String> TYPES = java.util.Map.of("acl_role", "role", "acl_target", "acl_target",
            "acl_group", "acl_group");

    static Parsed parse(String keyword, Cursor c) throws CrmException {
        return switch (keyword) {
            case "role" -> role(c);
            case "acl_target", "user" -> holder(c, "acl_target");
            case "acl_group" -> holder(c, "acl_group");
            default -> throw new CrmException("configure: unknown ACL command '" + keyword + "'");
        };
    }

    private static Parsed role(Cursor c) throws CrmException {
        Token idTok = c.next("a role id, e.g. 'role operator read xpath:/cib'");
        String id = idTok.text();
        if (!Syntax.isValidId(id)) {
            throw c.unexpected(idTok, "a role id (letters, digits, '_', '-', '.')");
        }
        MNode role = MNode.of("acl_role", "id", id);
        Set<String> used = new HashSet<>();
        while (c.more()) {
            Token kindTok = c.next("read, write or deny");
            String kind = kindTok.text().toLowerCase(Locale.ROOT);
            if (kindTok.text().startsWith("description=") && role.children.isEmpty()) {
                role.set("description", kindTok.text().substring("description=".length()));
                continue;
            }
            if (!Set.of("read", "write", "deny").contains(kind)) {
                throw c.unexpected(kindTok, "read, write or deny");
            }
            Token spec = c.next("what " + kind + " applies to: xpath:XPATH, ref:ID or type:ELEMENT");
            MNode p = MNode.of("acl_permission", "id", fresh(id + "-" + kind, used), "kind", kind);
            String s = spec.text();
            int colon = s.indexOf(':');
            String how = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
            String what = colon < 0 ? "" : s.substring(colon + 1);
            if (what.isEmpty()) {
                throw c.unexpected(spec, "xpath:XPATH, ref:ID or type:ELEMENT after " + kind);
            }
            switch (how) {
                case "xpath" -> p.set("xpath", what);
                case "ref", "reference" -> p.set("reference", what);
                case "type", "tag" -> p.set("object-type", what);
                default -> throw c.unexpected(spec, "xpath:XPATH, ref:ID or type:ELEMENT after " + kind);
            }
            if (c.more() && c.peekText().toLowerCase(Locale.ROOT).startsWith("attribute:")) {
                Token a = c.next("attribute:NAME");
                if (p.get("object-type") == null) {
                    throw c.unexpected(a, "read, write or deny (attribute: goes with type:ELEMENT only, as in"
                            + " Pacemaker)");
                }
                String name = a.text().substring("attribute:".length());
                if (name.isEmpty()) {
                    throw c.unexpected(a, "attribute:NAME");
                }
                p.set("attribute", name);
            }
            role.add(p);
        }
        if (role.children.isEmpty()) {
            throw c.missing("at least one rule: read|write|deny xpath:XPATH | ref:ID | type:ELEMENT [attribute:NAME]");
        }
        return new Parsed(role);
    }

    private static String fresh(String base, Set<String> used) {
        String id = base;
        for (int n = 1; !used.add(id); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    private static Parsed holder(Cursor c, String element) throws CrmException {
        Token idTok = c.next("the " + (element.equals("acl_target") ? "user" : "group") + " name");
        String id = idTok.text();
        if (!Syntax.isValidId(id)) {
            throw c.unexpected(idTok, "a " + (element.equals("acl_target") ? "user" : "group") + " name");
        }
        MNode holder = MNode.of(element, "id", id);
        while (c.more()) {
            Token r = c.next("a role id");
            if (r.text().contains("=") || r.text().contains(":")) {
                throw c.unexpected(r, "the id of a role (role ID ...)");
            }
            holder.add(MNode.of("role", "id", r.text()));
        }
        return new Parsed(holder);
    }

    /** Checks before an ACL object is added: roles referred to exist. */
    public static void checkReferences(MNode node, XmlElement acls) throws CrmException {
        if (node.name.equals("acl_role")) {
            return;
        }
        Set<String> roles = new HashSet<>();
        if (acls != null) {
            acls.elements("acl_role").forEach(r -> roles.add(r.id()));
        }
        for (MNode r : node.children) {
            if (!roles.contains(r.get("id"))) {
                throw new CrmException(TYPES.get(node.name) + " " + node.get("id") + " refers to role " + r.get("id")
                        + ", which does not exist; create it first (role " + r.get("id") + " read xpath:/cib)");
            }
        }
    }

    /** The crm lines of one acls element (without the continuation joining). */
    public static List<String> format(XmlElement e) {
        List<String> parts = new ArrayList<>();
        switch (e.name()) {
            case "acl_role" -> {
                parts.add("role " + e.id());
                if (e.attr("description") != null) {
                    parts.add("description=" + CliFormatter.quote(e.attr("description")));
                }
                for (XmlElement p : e.elements()) {
                    String kind = p.name().equals("acl_permission") ? p.attr("kind", "read") : p.name();
                    String spec;
                    if (p.attr("xpath") != null) {
                        spec = "xpath:" + CliFormatter.quote(p.attr("xpath"));
                    } else if (p.attr("reference", p.attr("ref")) != null) {
                        spec = "ref:" + CliFormatter.quote(p.attr("reference", p.attr("ref")));
                    } else {
                        spec = "type:" + CliFormatter.quote(p.attr("object-type", p.attr("tag", "?")));
                    }
                    if (p.attr("attribute") != null) {
                        spec += " attribute:" + CliFormatter.quote(p.attr("attribute"));
                    }
                    parts.add(kind + " " + spec);
                }
            }
            default -> {
                StringBuilder head = new StringBuilder(TYPES.getOrDefault(e.name(), e.name()) + " " + e.id());
                e.elements("role").forEach(r -> head.append(' ').append(r.id()));
                parts.add(head.toString());
            }
        }
        return parts;
    }
}
