package org.pulse.cib.acl;

import java.util.Objects;
import java.util.Set;

/**
 * Who asks: a system user and the names of the groups it belongs to (primary and supplementary),
 * as the node that took the caller's peer credentials resolved them. The groups travel with the
 * request so the DC, which may be another machine, applies acl_group entries as that node saw them.
 */
public record AclSubject(String user, Set<String> groups) {
    public AclSubject {
        Objects.requireNonNull(user, "user");
        groups = Set.copyOf(groups == null ? Set.of() : groups);
    }

    public static AclSubject user(String user, String... groups) {
        return new AclSubject(user, Set.of(groups));
    }

    /** root and hacluster always have full access, whatever the ACLs say (as in Pacemaker). */
    public boolean exempt() {
        return CibAcl.exemptUser(user);
    }
}
