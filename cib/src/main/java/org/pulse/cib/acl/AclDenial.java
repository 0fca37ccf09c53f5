package org.pulse.cib.acl;

import java.util.Objects;

/**
 * Why a write was refused: the element (as an XPath-like path with ids), the attribute when one
 * attribute was the problem, what the write needed, and the permission that decided (null when
 * nothing granted access, which with enable-acl=true means denied).
 */
public record AclDenial(String user, String path, String attribute, String action, AclPermission rule) {
    public AclDenial {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(action, "action");
    }

    /** A sentence for the operator: who, what, which rule, and what to do. */
    public String message() {
        String what = path + (attribute == null ? "" : " (attribute " + attribute + ")");
        String why;
        if (rule == null) {
            why = "no ACL grants user '" + user + "' write access there (with enable-acl=true everything not"
                    + " granted is denied)";
        } else if (rule.kind() == AclPermission.Kind.DENY) {
            why = "denied by " + rule.describe();
        } else {
            why = "only read access is granted, by " + rule.describe();
        }
        return "access denied: user '" + user + "' may not " + action + " " + what + ": " + why
                + "; ask an administrator (root or hacluster) to make the change or to grant write access";
    }
}
