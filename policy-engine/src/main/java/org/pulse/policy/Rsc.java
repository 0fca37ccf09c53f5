package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;

/**
 * A resource as the scheduler works on it: configuration resolved (meta attributes inherited,
 * defaults applied) and current state per node from the history. One object per primitive,
 * group, clone and clone instance. Mutable only while the CIB is read: the resources stage
 * (ResourceUnpack) makes it, the history stage (Unpack/HistoryUnpack) writes its state per node
 * and what its failures demand, and Tickets (its last part) what a ticket not granted demands.
 * After {@link Unpack#run} nothing writes it (UnpackedStateUnchangedTest). What the stages
 * after decide about a resource they return instead: its scores ({@link Scoring#scores}), its
 * node, next role and why it has none ({@link Allocation}), its actions ({@link ActionTable}).
 */
final class Rsc {
    enum Kind { PRIMITIVE, GROUP, CLONE }

    final String id;
    final Kind kind;
    final Rsc parent;
    final List<Rsc> children = new ArrayList<>();
    final int order;
    PrimitiveConfig prim;
    Map<String, String> meta = Map.of();
    Map<String, String> params = Map.of();
    /** What it uses of a node's capacity (placement-strategy other than default). */
    Map<String, Integer> utilization = Map.of();
    List<OpConfig> ops = List.of();
    /**
     * Operations configured more than once with the same name and interval: Pacemaker schedules
     * none of them (it cannot tell which one is meant), so neither do we.
     */
    java.util.Set<String> duplicateOps = java.util.Set.of();

    // configuration, resolved
    boolean managed = true;
    /** In maintenance (its own, its node's or the cluster's): unmanaged and not even monitored. */
    boolean maintenance;
    boolean orphan;
    /** An extra active copy of an anonymous clone instance (stopped, but its history is kept). */
    boolean extraCopy;
    /** An orphan standing for an anonymous clone's instance no instance could take (not removed from the history). */
    boolean cloneOrphan;
    int priority;
    int stickiness;
    int migrationThreshold = org.pulse.cib.model.Scores.INFINITY;
    long failureTimeoutMs;
    Role targetRole = Role.UNKNOWN;
    boolean requiresFencing;
    /** requires=nothing: it may start without quorum (and without fencing). */
    boolean requiresNothing;
    boolean promotable;
    boolean uniqueClone;
    /**
     * A member of a forced-anonymous cloned group (globally-unique with an LSB member) that is
     * still named with its instance number: see Unpack's clone construction.
     */
    boolean keepsInstanceNumber;
    int cloneMax;
    int cloneNodeMax = 1;
    int promotedMax = 1;
    int promotedNodeMax = 1;
    boolean notify;
    boolean interleave;
    boolean ordered;

    /** A remote connection: the remote or guest node it makes (see RemoteNodes). */
    SNode remoteNode;
    /** Its container (meta container; for a guest node's connection, the guest's resource). */
    Rsc container;
    /** A remote connection's reconnect_interval: after a failure it stays stopped this long. */
    long reconnectIntervalMs;

    // state from the history
    // (by node index, in insertion order as LinkedHashMap/Set: see NodeMap)
    final Map<SNode, NodeHistory> history = new NodeMap<>();
    final Set<SNode> known = java.util.Collections.newSetFromMap(new NodeMap<>());
    /** Clones: nodes where history of an instance exists that no instance could take (an orphan instance). */
    final Set<SNode> knownByOrphans = new LinkedHashSet<>();
    final List<SNode> runningOn = new ArrayList<>();
    /**
     * Nodes whose status holds two or more history entries under this very name, one of them
     * active. The simulator records an action's result in the one entry of that name; with
     * several it finds none and adds another, so the active entry stays and the resource is
     * still listed there after its stop (see GraphBuilder.placementAfter).
     */
    final Set<SNode> activeDuplicateHistory = new LinkedHashSet<>();
    Role role = Role.STOPPED;
    boolean failed;
    boolean blocked;
    boolean stopForced;
    /** A failure was ignored (on-fail=ignore): migration-threshold does not apply. */
    boolean failureIgnored;
    /** Bans from history: stop failures, hard errors. node -> reason; null key = everywhere. */
    final Map<SNode, String> historyBans = new LinkedHashMap<>();
    boolean fatalBan;
    /** Set when a ticket it needs is not granted: the reason (it may run nowhere / must stay / not promote). */
    String ticketBan;
    /** shutdown-lock: the node this resource is locked to while that node is (or was) shutting down. */
    SNode lockedTo;
    String ticketFreeze;
    /** Active and its ticket lost with loss-policy=freeze: unmanaged for this decision only. */
    boolean frozenByTicket;
    String promotionBan;

    /**
     * A partial live migration (migrate_to done, migrate_from not yet): where from and to. The
     * resource then counts as active on both nodes (see Unpack.partialMigrations).
     */
    SNode partialSource;
    SNode partialTarget;

    Rsc(String id, Kind kind, Rsc parent, int order) {
        this.id = id;
        this.kind = kind;
        this.parent = parent;
        this.order = order;
    }

    /**
     * Identity equality with the creation order as the hash: many maps and sets are keyed by
     * resource, and Object.hashCode (System.identityHashCode) is a slow call in C1-compiled code,
     * which is what a one-shot scheduling run mostly executes. Orders are unique within a run.
     */
    @Override
    public int hashCode() {
        return order;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    boolean isPrimitive() {
        return kind == Kind.PRIMITIVE;
    }

    boolean isFenceDevice() {
        return prim != null && prim.isFenceDevice();
    }

    Rsc top() {
        Rsc r = this;
        while (r.parent != null) {
            r = r.parent;
        }
        return r;
    }

    /** The clone this resource is an instance (or part of an instance) of, or null. */
    Rsc cloneAncestor() {
        for (Rsc r = parent; r != null; r = r.parent) {
            if (r.kind == Kind.CLONE) {
                return r;
            }
        }
        return null;
    }

    /** Primitives under this resource, in order. */
    List<Rsc> primitives() {
        List<Rsc> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(Rsc r, List<Rsc> out) {
        if (r.kind == Kind.PRIMITIVE) {
            out.add(r);
        } else {
            for (Rsc c : r.children) {
                collect(c, out);
            }
        }
    }

    /** The single current node, or null when inactive or active in several places. */
    SNode currentNode() {
        return runningOn.size() == 1 ? runningOn.get(0) : null;
    }

    @Override
    public String toString() {
        return id;
    }

    /** What the history says about this primitive on one node. */
    static final class NodeHistory {
        Role role = Role.STOPPED;
        OnFail onFail = OnFail.IGNORE;
        boolean failed;
        boolean startPending;
        org.pulse.cib.model.LrmOp lastFailure;
        org.pulse.cib.model.LrmOp lastStart;
        // The three collections below are shared empty ones until the history reader (Unpack)
        // records something in them through the methods beside them: most histories are one probe
        // that found nothing (a 32 x 10,000 CIB with full probe history has 320,000), and four
        // collections each were ~50 MB.
        /** Recurring ops seen running since the last start: key "name_interval". Read-only here. */
        Map<String, org.pulse.cib.model.LrmOp> recurring = Map.of();
        /** role="Stopped" monitors seen reporting "not running" here, by interval: still active. Read-only here. */
        Map<Long, org.pulse.cib.model.LrmOp> stoppedRecurring = Map.of();
        boolean clearFailcount;
        /** Recorded failures ("*_last_failure_*" entries) of starts and monitors, for their digests. Read-only here. */
        List<org.pulse.cib.model.LrmOp> lastFailures = List.of();

        Map<String, org.pulse.cib.model.LrmOp> recurringToChange() {
            if (!(recurring instanceof LinkedHashMap)) {
                recurring = new LinkedHashMap<>();
            }
            return recurring;
        }

        Map<Long, org.pulse.cib.model.LrmOp> stoppedRecurringToChange() {
            if (!(stoppedRecurring instanceof LinkedHashMap)) {
                stoppedRecurring = new LinkedHashMap<>();
            }
            return stoppedRecurring;
        }

        List<org.pulse.cib.model.LrmOp> lastFailuresToChange() {
            if (!(lastFailures instanceof ArrayList)) {
                lastFailures = new ArrayList<>(1);
            }
            return lastFailures;
        }

        void clearRecurring() {
            if (!recurring.isEmpty()) {
                recurring.clear();
            }
        }
        /** A migrate_from was recorded here (whatever its result): a migration to here got that far. */
        boolean migrateFromSeen;
        /** The last migrate_to from here, when it failed: the resource may be active on its target too. */
        org.pulse.cib.model.LrmOp failedMigrateTo;
        /** The newest last-rc-change of any entry here (seconds), to tell what happened after a migration. */
        long newestChange;
        /** Recorded for another agent than the one configured now: the entry is deleted. */
        boolean agentChanged;
        /** The resource name the history used on this node (an anonymous instance's clone name). */
        String historyName;
        /** A completed migrate_to from here, not yet followed by anything else (a partial migration). */
        org.pulse.cib.model.LrmOp migrateTo;
        /** The target of a migrate_to from here still pending (its outcome unknown), else null. */
        String pendingMigrateTarget;
        /** A failed op here has on-fail=block: its fail count ignores failure-timeout. */
        boolean blockFailure;
    }
}
