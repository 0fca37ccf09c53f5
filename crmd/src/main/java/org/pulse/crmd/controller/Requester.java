package org.pulse.crmd.controller;

import java.util.Objects;
import java.util.Set;
import org.pulse.cib.acl.AclSubject;

/**
 * Who asked for a write, as the node whose admin socket took the caller's peer credentials saw it:
 * the user and its groups (the DC applies the CIB's ACLs to them), the client program (from the
 * request id, e.g. crm_attribute) and the node it came in on. The DC records user, client and
 * node as update-user, update-client and update-origin on the CIB it commits, as Pacemaker does.
 */
public record Requester(String user, Set<String> groups, String client, String origin) {
    public Requester {
        Objects.requireNonNull(user, "user");
        groups = Set.copyOf(groups == null ? Set.of() : groups);
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(origin, "origin");
    }

    public AclSubject subject() {
        return new AclSubject(user, groups);
    }

    @Override
    public String toString() {
        return "user " + user + " (" + client + " on " + origin + ")";
    }
}
