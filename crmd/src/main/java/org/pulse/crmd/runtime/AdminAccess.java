package org.pulse.crmd.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is on the other end of an admin connection (the kernel's SO_PEERCRED, never anything the
 * client says) and what that lets it do: root and hacluster everything; members of haclient
 * (primary or supplementary group) what the CIB's ACLs allow; anyone else nothing, whatever the
 * socket file's mode. On the agents' socket the caller is an agent: the node-attribute and read
 * operations agents use, nothing else.
 *
 * <p>Groups: the kernel gives the peer's uid and primary gid only. Supplementary groups come from
 * {@code id -Gn USER}, which asks NSS (getgrouplist), so users and groups from LDAP/SSSD count as
 * they do for login, which reading /etc/group would miss. It runs at most once per user per
 * {@link #GROUPS_TTL_MS} (a cache of at most {@link #MAX_CACHED_USERS} users), bounded by
 * {@link #ID_TIMEOUT_MS}, so a flood of connections forks nothing and a hung NSS cannot hold a
 * connection; a lookup that fails gives the primary group alone (less access, never more).
 */
final class AdminAccess {
    static final String CLUSTER_GROUP = "haclient";
    static final long GROUPS_TTL_MS = 60_000;
    static final long ID_TIMEOUT_MS = 2_000;
    static final int MAX_CACHED_USERS = 1024;

    /** What a caller may do. */
    enum Kind {
        /** root, hacluster: everything, ACLs do not apply. */
        FULL,
        /** a haclient member: what the CIB's ACLs allow (everything when enable-acl is false). */
        ACL,
        /** an agent run by this crmd, on the agents' socket: attributes and reads. */
        AGENT
    }

    /** An identified caller. */
    record Caller(String user, Set<String> groups, Kind kind) {
        Caller {
            groups = Set.copyOf(groups);
        }
    }

    /** Refusal of a connection, with the sentence the caller gets. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private record Cached(Set<String> groups, long atMs) {
    }

    private final LongSupplier nowMs;
    private final Map<String, Cached> groupCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > MAX_CACHED_USERS;
        }
    };

    AdminAccess(LongSupplier nowMs) {
        this.nowMs = nowMs;
    }

    /**
     * The decision, pure: {@code user} and all its group names in, the kind out, or a refusal that
     * says who was refused and what to do.
     */
    static Kind decide(String user, Set<String> groups, boolean agentSocket, String crmdUser) throws Refused {
        if (agentSocket) {
            // Only this crmd's own agents (run as crmd's user) or root reach the agents' socket.
            if (user.equals(crmdUser) || user.equals("root")) {
                return Kind.AGENT;
            }
            throw new Refused("access denied: user '" + user + "' may not use the agents' socket; it is for the"
                    + " agents crmd runs (as " + crmdUser + "); operators use the admin socket");
        }
        if (org.pulse.cib.acl.CibAcl.exemptUser(user) || user.equals(crmdUser)) {
            return Kind.FULL;
        }
        if (groups.contains(CLUSTER_GROUP)) {
            return Kind.ACL;
        }
        throw new Refused("access denied: user '" + user + "' is neither root, hacluster nor a member of the group "
                + CLUSTER_GROUP + "; add it to " + CLUSTER_GROUP + " (usermod -aG " + CLUSTER_GROUP + " " + user
                + ") and grant it what it needs with ACLs (crm configure acl_target)");
    }

    /** The caller on {@code ch}, from its peer credentials. */
    Caller identify(SocketChannel ch, boolean agentSocket) throws Refused {
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            throw new Refused("access denied: crmd cannot tell who is connecting (" + e.getMessage() + ")");
        }
        String user = peer.user().getName();
        // root and hacluster may do everything whatever their groups (decide, and CibAcl for their writes):
        // their groups are not looked up, so a crm command of theirs forks no id(1) (bench/runtime: new connections).
        Set<String> groups = new TreeSet<>(org.pulse.cib.acl.CibAcl.exemptUser(user) ? Set.of() : groupsOf(user));
        groups.add(peer.group().getName());
        return new Caller(user, groups, decide(user, groups, agentSocket, System.getProperty("user.name")));
    }

    /** The user's groups by name (primary and supplementary), cached; empty when unknown. */
    Set<String> groupsOf(String user) {
        long now = nowMs.getAsLong();
        synchronized (groupCache) {
            Cached c = groupCache.get(user);
            if (c != null && now - c.atMs() < GROUPS_TTL_MS) {
                return c.groups();
            }
        }
        Set<String> groups = lookUp(user);
        synchronized (groupCache) {
            groupCache.put(user, new Cached(groups, now));
        }
        return groups;
    }

    private static Set<String> lookUp(String user) {
        if (!user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*\\$?")) {
            return Set.of(); // a uid with no name, or a name no id(1) would take: primary group only
        }
        try {
            Process p = new ProcessBuilder("id", "-Gn", "--", user).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            // Wait first (its few bytes fit the pipe), so a hung NSS lookup cannot block a read.
            if (!p.waitFor(ID_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Set.of();
            }
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(64 * 1024);
            }
            if (p.exitValue() != 0) {
                return Set.of();
            }
            Set<String> groups = new TreeSet<>();
            for (String g : new String(out, StandardCharsets.UTF_8).trim().split("\\s+")) {
                if (!g.isEmpty()) {
                    groups.add(g);
                }
            }
            return groups;
        } catch (IOException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }
}
