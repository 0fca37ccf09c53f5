package org.pulse.cib.acl;

import java.util.Objects;

/**
 * One permission that applies to a subject: an acl_permission of a role (or a legacy read/write/deny
 * element), with what it selects as written in the CIB ({@code selector}: "xpath //primitive",
 * "reference db", "object-type nvpair attribute name") and the XPath it amounts to.
 *
 * @param id      the permission's id (may be empty for legacy elements without one)
 * @param kind    read, write or deny
 * @param selector what the operator wrote, for messages
 * @param xpath   the XPath 1.0 expression evaluated against the CIB document
 * @param roleId  the acl_role it belongs to, or the acl_target/acl_user holding it directly
 */
public record AclPermission(String id, Kind kind, String selector, String xpath, String roleId) {
    /** Pacemaker's three kinds; write implies read. */
    public enum Kind {
        READ, WRITE, DENY;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AclPermission {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(xpath, "xpath");
        Objects.requireNonNull(roleId, "roleId");
    }

    /** "acl_permission 'deny-db' (deny, reference db) of role 'operator'". */
    public String describe() {
        return "acl_permission '" + id + "' (" + kind.word() + ", " + selector + ") of '" + roleId + "'";
    }
}
