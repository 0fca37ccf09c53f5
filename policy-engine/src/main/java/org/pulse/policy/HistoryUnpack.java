package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * The operation-history part of unpacking, moved as is out of Unpack: each resource's history on
 * a node is replayed in call order (unpack_rsc_op) to find its role there, its failures and what
 * they demand (on-fail), and which recurring operations are active; then, per resource, where it
 * runs (process_rsc_state), partial migrations and multiple-active.
 *
 * It writes into the mutable Rsc and SNode of the resources and nodes stages, and still creates
 * orphans (configured through {@link Unpack}): these stay mutable until the history stage returns
 * its own record.
 */
final class HistoryUnpack {
    /** Makes the orphans found in the history as the resources stage makes resources (order, meta). */
    private final ResourceUnpack unpack;
    private final CibModel cib;
    private final Instant now;
    private final ClusterOptions options;
    private final boolean stonithEnabled;
    /** Every node (the list Cluster holds: remote nodes found later are added to it). */
    private final List<SNode> nodes;
    private final Map<String, SNode> byName;
    private final Map<String, Rsc> rscById;
    private final List<Rsc> topLevel;
    /** Orphans whose history names a container (an orphaned guest's connection): the container's id. */
    final Map<Rsc, String> orphanContainers = new HashMap<>();
    private final Cluster cluster;

    HistoryUnpack(ResourceUnpack unpack, CibModel cib, Instant now, Cluster cluster, Map<String, SNode> byName,
            Map<String, Rsc> rscById, List<Rsc> topLevel) {
        this.unpack = unpack;
        this.cib = cib;
        this.now = now;
        this.options = cib.options();
        this.stonithEnabled = options.stonithEnabled();
        this.cluster = cluster;
        this.nodes = cluster.nodes();
        this.byName = byName;
        this.rscById = rscById;
        this.topLevel = topLevel;
    }

    private int nextOrder() {
        return unpack.nextOrder();
    }

    private void configure(Rsc r, List<NvSet> metaSets, List<NvSet> instanceSets) {
        unpack.configure(r, metaSets, instanceSets);
    }

    private static void fence(SNode n, String reason) {
        NodeUnpack.fence(n, reason);
    }

    private static OpConfig findOp(Rsc r, String name, long intervalMs) {
        return Unpack.findOp(r, name, intervalMs);
    }

    // ------------------------------------------------------------------ history

    void history(SNode node, LrmResource lr, Map<String, String> transientAttrs) {
        Rsc r = findForHistory(lr.id(), node);
        if (r == null) {
            Rsc clone = anonymousCloneOf(lr.id());
            // a surplus anonymous instance is named, as any anonymous instance, without its number
            r = orphan(lr, clone != null ? baseName(lr.id()) : lr.id());
            if (clone != null) {
                // every instance is in use elsewhere: Pacemaker makes the entry an orphan instance
                // of the clone, so the clone counts as known on this node (and is not probed there)
                clone.knownByOrphans.add(node);
                r.cloneOrphan = true;
            }
        }
        if (!r.isPrimitive()) {
            return;
        }
        // (indexed loops below: C1, which compiles a one-shot run, allocates an iterator for each for-each)
        List<LrmOp> ops = lr.ops();
        if (ops.size() > 1) {
            // (one entry, a probe's, is most histories: no copy to sort)
            ops = new ArrayList<>(ops);
            java.util.Collections.reverse(ops);
            ops = mergeSort(ops);
        }
        // Several history entries may land on one anonymous instance on one node ("rsc:0" and
        // "rsc:1"); each is replayed on its own and the most active result wins, as in Pacemaker.
        Rsc.NodeHistory earlier = r.history.get(node);
        Rsc.NodeHistory h = new Rsc.NodeHistory();
        h.historyName = lr.id();
        h.agentChanged = agentChanged(lr, r);
        r.history.put(node, h);
        r.known.add(node);
        for (int k = 0, count = ops.size(); k < count; k++) {
            LrmOp op = ops.get(k);
            boolean failedOp = op.opStatus() != 0 && op.opStatus() != -1 && op.opStatus() != 1
                    || op.opStatus() == 0 && op.expectedRc() >= 0 && op.rcCode() != op.expectedRc() && !op.isProbe();
            if (failedOp && "block".equals(onFailText(r, op))) {
                h.blockFailure = true;
            }
        }
        for (int k = 0, count = ops.size(); k < count; k++) {
            LrmOp op = ops.get(k);
            h.newestChange = Math.max(h.newestChange, op.lastRcChange());
            if ("migrate_from".equals(op.operation())) {
                h.migrateFromSeen = true;
            } else if ("migrate_to".equals(op.operation()) && op.opStatus() != -1
                    && (op.opStatus() != 0 || op.rcCode() != 0)) {
                h.failedMigrateTo = op;
            } else if ("migrate_to".equals(op.operation())) {
                h.failedMigrateTo = null;
            }
            if (op.id() != null && op.id().contains("_last_failure_")
                    && ("start".equals(op.operation()) || "monitor".equals(op.operation()))) {
                h.lastFailuresToChange().add(op);
            }
        }
        boolean anyResult = false;
        for (int k = 0, count = ops.size(); k < count; k++) {
            LrmOp op = ops.get(k);
            if ("notify".equals(op.operation()) || "meta-data".equals(op.operation())) {
                continue;
            }
            boolean counted = unpackOp(r, node, h, op);
            anyResult |= counted && !(op.isProbe() && op.opStatus() == -1);
        }
        impliedStartWindow(ops, h);
        if (!anyResult && earlier == null) {
            // only a pending probe, or only failures old enough to forget: the state is unknown, so probe again
            r.known.remove(node);
        }
        if (earlier != null && lr.id().equals(earlier.historyName) && (isActive(earlier.role) || isActive(h.role))) {
            r.activeDuplicateHistory.add(node);
        }
        if (earlier != null && isActive(earlier.role) && isActive(h.role)) {
            // two entries of one anonymous clone both active on one node: the second is an extra
            // copy (an orphan instance under its own history name) that must be stopped
            r.history.put(node, earlier);
            Rsc extra = new Rsc(lr.id(), Rsc.Kind.PRIMITIVE, null, nextOrder());
            extra.prim = r.prim;
            extra.ops = r.ops;
            extra.orphan = true;
            extra.extraCopy = true;
            configure(extra, List.of(), List.of());
            // it is the same resource: its stop runs the agent with the resource's parameters (an apache
            // stopped without its configfile cannot find what to stop)
            extra.params = r.params;
            extra.history.put(node, h);
            extra.known.add(node);
            rscById.put(lr.id() + " (extra copy on " + node.name + ")", extra);
            topLevel.add(extra);
        } else if (earlier != null && earlier.role.compareTo(h.role) >= 0) {
            earlier.failed |= h.failed;
            if (h.onFail.compareTo(earlier.onFail) > 0 && h.role != Role.STOPPED) {
                earlier.onFail = h.onFail;
            }
            r.history.put(node, earlier);
        }
    }

    /**
     * A history without any start (or migrate_from), as a clone instance found running by its
     * probe and then promoted: Pacemaker's window of active recurring ops then begins at the last
     * promote or demote, so a recurring op recorded before it is no longer scheduled (and is
     * asked for again).
     */
    private static void impliedStartWindow(List<LrmOp> ops, Rsc.NodeHistory h) {
        int impliedStart = -1;
        for (int i = 0; i < ops.size(); i++) {
            String task = ops.get(i).operation();
            if ("start".equals(task) || "migrate_from".equals(task)) {
                return;
            }
            if ("promote".equals(task) || "demote".equals(task)) {
                impliedStart = i;
            }
        }
        if (impliedStart > 0) {
            List<LrmOp> before = ops.subList(0, impliedStart);
            if (!h.recurring.isEmpty()) {
                h.recurring.values().removeIf(op -> before.stream().anyMatch(b -> b == op));
            }
        }
    }

    /**
     * The replay order is not a total order (a pending entry is placed by transition number
     * against some entries and last against others), so the result depends on the sorting
     * algorithm: this is Pacemaker's, a stable top-down merge sort whose first half is the
     * shorter one, applied to the entries newest-in-document first (the order it collects them).
     */
    private static List<LrmOp> mergeSort(List<LrmOp> in) {
        if (in.size() < 2) {
            return in;
        }
        int half = in.size() / 2;
        List<LrmOp> left = mergeSort(new ArrayList<>(in.subList(0, half)));
        List<LrmOp> right = mergeSort(new ArrayList<>(in.subList(half, in.size())));
        List<LrmOp> out = new ArrayList<>(in.size());
        int i = 0;
        int j = 0;
        while (i < left.size() && j < right.size()) {
            out.add(byCallId(left.get(i), right.get(j)) <= 0 ? left.get(i++) : right.get(j++));
        }
        out.addAll(left.subList(i, left.size()));
        out.addAll(right.subList(j, right.size()));
        return out;
    }

    /**
     * Replay order: by call id, pending entries last; an operation and its recorded failure share
     * a call id (the failure entry is a copy kept when the op's later result replaced it), and
     * then the older last-rc-change comes first, so a recurring monitor that succeeded after
     * failing is replayed after the failure and clears it, as Pacemaker orders them.
     */
    private static int byCallId(LrmOp a, LrmOp b) {
        if (a.id() != null && a.id().equals(b.id())) {
            return 0;   // one entry recorded twice
        }
        if (a.callId() < 0 != b.callId() < 0) {
            int byTransition = byTransitionNumber(a, b);
            if (byTransition != 0) {
                return byTransition;
            }
        }
        long ka = a.callId() < 0 ? Long.MAX_VALUE : a.callId();
        long kb = b.callId() < 0 ? Long.MAX_VALUE : b.callId();
        if (ka != kb || a.callId() < 0) {
            return Long.compare(ka, kb);
        }
        long la = a.lastRcChange();
        long lb = b.lastRcChange();
        if (la > 0 && la < lb) {
            return -1;
        }
        if (lb > 0 && la > lb) {
            return 1;
        }
        return 0;
    }

    /**
     * A pending entry (no call id yet) against a finished one: when both were asked for by the
     * same controller (one transition-key uuid) in different transitions, the older transition
     * comes first, so a start still pending from transition 8 is superseded by a stop of
     * transition 9 (transition -1, a shutdown, always last). Otherwise 0: the pending one last.
     */
    private static int byTransitionNumber(LrmOp a, LrmOp b) {
        String[] ka = magicKey(a);
        String[] kb = magicKey(b);
        if (ka == null || kb == null || !ka[3].equalsIgnoreCase(kb[3])) {
            return 0;
        }
        int ta;
        int tb;
        try {
            ta = Integer.parseInt(ka[1]);
            tb = Integer.parseInt(kb[1]);
        } catch (NumberFormatException e) {
            return 0;
        }
        if (ta == tb) {
            return 0;
        }
        if (ta >= 0 && ta < tb || tb == -1) {
            return -1;
        }
        return 1;
    }

    /** The transition key inside transition-magic ("status:rc;action:transition:target:uuid"), split. */
    private static String[] magicKey(LrmOp op) {
        String magic = op.transitionMagic();
        int semi = magic == null ? -1 : magic.indexOf(';');
        if (semi < 0) {
            return null;
        }
        String[] k = magic.substring(semi + 1).split(":", 4);
        return k.length == 4 ? k : null;
    }

    private static boolean isActive(Role role) {
        return role != Role.STOPPED && role != Role.UNKNOWN;
    }

    static boolean lockable(Rsc r) {
        return r.isPrimitive() && !r.isFenceDevice() && r.cloneAncestor() == null;
    }

    /** A lock recorded when the node shut down holds until shutdown-lock-limit (0: until it returns). */
    void lockIfStillValid(LrmResource lr, SNode n) {
        Rsc r = rscById.get(lr.id());
        if (r == null || !lockable(r)) {
            return;
        }
        long limitMs = org.pulse.cib.model.Durations.parseMs(options.get("shutdown-lock-limit"), 0);
        if (limitMs > 0 && now.getEpochSecond() >= lr.shutdownLock() + limitMs / 1000) {
            return;
        }
        r.lockedTo = n;
    }

    /** The resource a history entry belongs to: exact id, or an instance of an anonymous clone. */
    private Rsc findForHistory(String id, SNode node) {
        Rsc r = rscById.get(id);
        if (r != null && r.isPrimitive() && r.cloneAncestor() == null && !r.cloneOrphan) {
            return r;
        }
        String base = id;
        int colon = id.lastIndexOf(':');
        if (colon > 0 && id.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            base = id.substring(0, colon);
        }
        // instances: "base:N" primitives whose clone is anonymous (or the exact unique instance)
        if (r != null && r.isPrimitive()) {
            Rsc clone = r.cloneAncestor();
            if (clone != null && clone.uniqueClone) {
                return r;
            }
        }
        Rsc candidate = null;
        Rsc firstUnused = null;
        for (int i = 0; ; i++) {
            Rsc inst = rscById.get(base + ":" + i);
            if (inst == null) {
                break;
            }
            Rsc clone = inst.cloneAncestor();
            if (clone == null) {
                break;
            }
            if (clone.uniqueClone) {
                return rscById.get(id);
            }
            if (inst.history.containsKey(node) || instanceOnNode(inst, node)) {
                candidate = inst;
                break;
            }
            if (firstUnused == null && !activeElsewhere(inst, node)) {
                firstUnused = inst;
            }
        }
        // else the first inactive instance, whatever its number (Pacemaker's find_anonymous_clone);
        // the name the history used is kept as the instance's clone name on that node
        Rsc found = candidate != null ? candidate : firstUnused;
        if (found != null && !found.requiresFencing && (!node.online || node.unclean)) {
            // an instance that does not need fencing may be active on a lost node; unless the
            // clone has an instance for every node, that history must not use up an instance
            Rsc clone = found.cloneAncestor();
            if (clone != null && clone.cloneMax < nodes.size()) {
                return null;
            }
        }
        return found;
    }

    /**
     * Was this history recorded for another agent (class, provider or type) than the one now
     * configured? For a surplus anonymous instance the clone's configured child is compared.
     */
    private boolean agentChanged(LrmResource lr, Rsc r) {
        PrimitiveConfig cfg = r.prim;
        if (r.cloneOrphan) {
            Rsc clone = anonymousCloneOf(lr.id());
            List<Rsc> ps = clone == null || clone.children.isEmpty() ? List.of() : clone.children.get(0).primitives();
            Rsc same = null;
            for (Rsc p : ps) {
                if (FailCounts.historyName(p).equals(r.id)) {
                    same = p;
                }
            }
            cfg = same == null ? null : same.prim;
        } else if (r.orphan) {
            return false;
        }
        if (cfg == null) {
            return false;
        }
        return !java.util.Objects.equals(lr.cls(), cfg.cls()) || !java.util.Objects.equals(lr.type(), cfg.type())
                || (lr.provider() != null && cfg.provider() != null && !lr.provider().equals(cfg.provider()));
    }

    /** The anonymous clone whose instances a history name ("base" or "base:N") stands for, or null. */
    private Rsc anonymousCloneOf(String id) {
        int colon = id.lastIndexOf(':');
        String base = colon > 0 && id.substring(colon + 1).chars().allMatch(Character::isDigit) ? id.substring(0, colon) : id;
        Rsc inst = rscById.get(base + ":0");
        Rsc clone = inst == null ? null : inst.cloneAncestor();
        return clone != null && !clone.uniqueClone ? clone : null;
    }

    /** For cloned groups: another member of the same instance already has history on the node. */
    private static boolean instanceOnNode(Rsc inst, SNode node) {
        Rsc parent = inst.parent;
        if (parent == null || parent.kind != Rsc.Kind.GROUP) {
            return false;
        }
        for (Rsc m : parent.children) {
            if (m != inst && m.history.containsKey(node)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Is the anonymous instance (its whole group, for a cloned group) active on another node
     * by the history read so far? An inactive instance may take history from any node
     * (Pacemaker's find_anonymous_clone: the first inactive instance).
     */
    private static boolean activeElsewhere(Rsc inst, SNode node) {
        Rsc parent = inst.parent;
        List<Rsc> members = parent != null && parent.kind == Rsc.Kind.GROUP ? parent.children : List.of(inst);
        for (Rsc m : members) {
            for (Map.Entry<SNode, Rsc.NodeHistory> e : m.history.entrySet()) {
                if (e.getKey() != node && isActive(e.getValue().role)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String baseName(String id) {
        int colon = id.lastIndexOf(':');
        return colon > 0 && id.substring(colon + 1).chars().allMatch(Character::isDigit) ? id.substring(0, colon) : id;
    }

    private Rsc orphan(LrmResource lr, String id) {
        // history under the id of a configured resource that could not take it (a group, a
        // clone, an instance already in use) is an orphan too, kept beside that resource rather
        // than in its place; the same orphan serves every node
        Rsc existing = rscById.get(id);
        String key = existing != null && !existing.orphan ? id + " (orphan history)" : id;
        Rsc known = rscById.get(key);
        if (known != null && known.orphan) {
            return known;
        }
        PrimitiveConfig p = new PrimitiveConfig(id, lr.cls(), lr.provider(), lr.type(), List.of(), List.of(),
                List.of(), List.of(), null);
        Rsc r = new Rsc(id, Rsc.Kind.PRIMITIVE, null, nextOrder());
        if (lr.container() != null) {
            orphanContainers.put(r, lr.container());
        }
        r.prim = p;
        r.orphan = true;
        configure(r, List.of(), List.of());
        if (!options.stopOrphanResources()) {
            r.managed = false;   // left where it is, as an unmanaged resource
        }
        rscById.put(key, r);
        topLevel.add(r);
        return r;
    }

    /** Replays one history entry; false when it was ignored (an expired failure). */
    private boolean unpackOp(Rsc r, SNode node, Rsc.NodeHistory h, LrmOp op) {
        String task = op.operation();
        int rc = op.rcCode();
        int status = internalStatus(op.opStatus());
        int target = op.expectedRc();
        boolean probe = op.isProbe();
        boolean expired = status != 5 && expired(r, node, op, h);
        if ("start".equals(task) || "migrate_from".equals(task) || "stop".equals(task) && op.opStatus() == 0) {
            // the recurring ops still scheduled are those recorded since the last start (whatever
            // its result) and not ended by a completed stop (whatever its rc): Pacemaker's window
            // of active operations
            h.clearRecurring();
        }

        // remap_operation
        if ("monitor".equals(task)) {
            if (rc == 190) {
                rc = 0;
            } else if (rc == 191) {
                rc = 8;
            }
        }
        if (status == 0 || status == 4) {
            status = 0;
            if (target < 0) {
                status = 4;
            } else if (target != rc) {
                status = 4;
            }
            switch (rc) {
                case 0:
                    if (probe && target == 7) {
                        status = 0;
                    }
                    break;
                case 7:
                    if (probe || target == rc || !r.managed) {
                        status = 0;
                        h.role = Role.STOPPED;
                        h.onFail = OnFail.IGNORE;
                    }
                    break;
                case 8:
                    if (probe && rc != target) {
                        status = 0;
                    }
                    h.role = Role.PROMOTED;
                    break;
                case 9:
                    h.role = Role.PROMOTED;
                    status = 4;
                    break;
                case 6:
                    status = 8;  // fatal
                    break;
                case 3:
                    status = op.intervalMs() == 0 ? 9 : 3;   // hard, or not supported
                    if (op.intervalMs() == 0) {
                        checkRecoverable(r, node, task);
                    }
                    break;
                case 5:
                case 2:
                case 4:
                    checkRecoverable(r, node, task);
                    status = 9;  // hard error
                    break;
                default:
                    if (status == 0) {
                        status = 4;
                    }
                    break;
            }
        }
        if (expired && rc != target) {
            if (op.intervalMs() == 0) {
                return false;   // an expired failure is forgotten
            }
            if (node.online && !node.unclean) {
                return false;
            }
        }
        switch (status) {
            case 1:   // cancelled
                return true;
            case -1:  // pending
                if ("start".equals(task)) {
                    h.startPending = true;
                    h.lastStart = op;   // its digest says which parameters it is starting with
                    if (h.role.compareTo(Role.STARTED) < 0) {
                        h.role = Role.STARTED;
                    }
                } else if ("promote".equals(task)) {
                    h.role = Role.PROMOTED;
                } else if ("migrate_to".equals(task)) {
                    h.pendingMigrateTarget = op.migrateTarget();
                }
                // a recurring op still pending (never confirmed running) is not among the active
                // ones: Pacemaker schedules it again where the resource stays
                return true;
            case 0:
                updateState(r, h, op, task, rc);
                return true;
            case 5:   // not installed: a failure that cannot be ignored (on-fail=ignore moves it away)
                ban(r, node, "hard error (agent not installed)");
                failure(r, node, h, op, task, rc, true);
                return true;
            default:
                break;
        }
        OnFail strategy = onFail(r, op);
        // a failed stop of what runs in a container counts as done: restarting the container stops it
        boolean containerStops = strategy == OnFail.RESTART_CONTAINER && "stop".equals(task);
        if (strategy == OnFail.IGNORE || containerStops) {
            r.failureIgnored = true;
            updateState(r, h, op, task, target < 0 ? 0 : target);
            if (containerStops && h.onFail.compareTo(OnFail.RECOVER) <= 0) {
                h.onFail = OnFail.RESTART_CONTAINER;
            }
            return true;
        }
        failure(r, node, h, op, task, rc, false);
        if (status == 9) {
            ban(r, node, "hard error (rc=" + rc + ")");
        } else if (status == 8) {
            r.fatalBan = true;
        }
        return true;
    }

    /**
     * The recorded execution status (op-status: 0 done, 1 cancelled, 2 timed out, 3 not
     * supported, 4 error, 5 hard error, 6 fatal error, 7 not installed, 8 not connected,
     * 9 invalid, 10 no fence device, 11 no secrets) in the codes unpackOp works with: 5 for
     * "not installed" (banned from the node even when failures are ignored), 9 for a hard error
     * (banned from the node), 8 for a fatal one (banned everywhere), 2 for any other failure.
     */
    private static int internalStatus(int recorded) {
        switch (recorded) {
            case -1: case 0: case 1: case 2: case 3: case 4:
                return recorded;
            case 5:
                return 9;
            case 6:
                return 8;
            case 7:
                return 5;
            default:
                return 2;
        }
    }

    private static void ban(Rsc r, SNode node, String why) {
        Rsc target = r;
        Rsc clone = r.cloneAncestor();
        if (clone != null && !clone.uniqueClone) {
            target = clone;
        }
        target.historyBans.putIfAbsent(node, why);
    }

    /** A failed stop that fencing cannot fix leaves the resource blocked where it is. */
    private void checkRecoverable(Rsc r, SNode node, String task) {
        if (!"stop".equals(task)) {
            return;
        }
        if (!cluster.canFence(node)) {
            r.managed = false;
            r.blocked = true;
        }
    }

    private void updateState(Rsc r, Rsc.NodeHistory h, LrmOp op, String task, int rc) {
        boolean clear = false;
        if (rc == 5) {
            h.role = Role.STOPPED;
        } else if (rc == 7) {
            clear = true;
            if (!h.recurring.isEmpty()) {
                h.recurring.remove(task + "_" + op.intervalMs());
            }
            if ("monitor".equals(task) && op.intervalMs() > 0 && op.expectedRc() == 7) {
                h.stoppedRecurringToChange().put(op.intervalMs(), op);
            }
        } else if ("monitor".equals(task)) {
            if (op.intervalMs() == 0 && h.role.compareTo(Role.STARTED) < 0) {
                // a probe that finds it running stands for its start: its digest tells whether
                // the parameters changed since (Pacemaker checks every op since the last start)
                h.lastStart = op;
            }
            if (h.lastFailure != null && h.lastFailure.operation().equals(task)
                    && h.lastFailure.intervalMs() == op.intervalMs()) {
                clear = true;
            }
            if (h.role.compareTo(Role.STARTED) < 0) {
                h.role = Role.STARTED;
            }
            if (rc == 8) {
                h.role = Role.PROMOTED;
            }
            if (op.intervalMs() > 0) {
                h.recurringToChange().put(task + "_" + op.intervalMs(), op);
            }
        } else if ("start".equals(task) || "migrate_from".equals(task)) {
            h.role = Role.STARTED;
            h.lastStart = op;
            h.clearRecurring();
            clear = true;
        } else if ("stop".equals(task)) {
            h.role = Role.STOPPED;
            h.clearRecurring();
            clear = true;
        } else if ("promote".equals(task)) {
            h.role = Role.PROMOTED;
            clear = true;
        } else if ("demote".equals(task)) {
            if (h.onFail == OnFail.DEMOTE) {
                clear = true;
            }
            h.role = Role.UNPROMOTED;
        } else if ("migrate_to".equals(task)) {
            // the resource may now be on either side; treat the source as still active
            if (h.role.compareTo(Role.STARTED) < 0) {
                h.role = Role.STARTED;
            }
        } else if (h.role.compareTo(Role.STARTED) < 0) {
            h.role = Role.STARTED;
        }
        if ("migrate_to".equals(task)) {
            h.migrateTo = op;
        } else if (!"monitor".equals(task)) {
            h.migrateTo = null;
        }
        if (clear && h.onFail.clearedBySuccess() && !(h.onFail == OnFail.RESET_REMOTE && r.reconnectIntervalMs > 0
                && !"start".equals(task) && !"migrate_from".equals(task))) {
            // (a lost remote connection with reconnect_interval stays down through its stop: see finishState; a
            // start that succeeded since is the reconnection, which Pacemaker makes only once the failure is
            // cleared: the failure is over, and the remote node is not fenced again for it)
            h.onFail = OnFail.IGNORE;
            h.failed = false;
        }
    }

    private void failure(Rsc r, SNode node, Rsc.NodeHistory h, LrmOp op, String task, int rc, boolean notInstalled) {
        h.lastFailure = op;
        OnFail of = onFail(r, op);
        if (notInstalled && of == OnFail.IGNORE) {
            of = OnFail.MIGRATE;
        }
        if (of.compareTo(h.onFail) > 0) {
            h.onFail = of;
        }
        h.failed = true;
        if ("stop".equals(task)) {
            r.historyBans.putIfAbsent(node, "stop failed here");
        } else if ("promote".equals(task)) {
            h.role = Role.PROMOTED;
        } else if ("demote".equals(task)) {
            h.role = of == OnFail.BLOCK ? Role.PROMOTED : (rc == 7 ? Role.STOPPED : Role.UNPROMOTED);
        }
        if (of == OnFail.DEMOTE && "monitor".equals(task) && op.intervalMs() > 0) {
            // recovered by a demotion alone: the recurring monitor that failed keeps running
            h.recurringToChange().put(task + "_" + op.intervalMs(), op);
        }
        if (op.isProbe() && rc == 5) {
            h.role = Role.STOPPED;
        } else if (h.role.compareTo(Role.STARTED) < 0) {
            h.role = Role.STARTED;
        }
        if (of == OnFail.STOP) {
            r.stopForced = true;
        }
    }

    /** The configured (or default) reaction to a failure of this operation. */
    OnFail onFail(Rsc r, LrmOp op) {
        OpConfig cfg = findOp(r, op.operation(), op.intervalMs());
        String configured = cfg == null ? null : cfg.onFail();
        if (configured == null) {
            Map<String, String> d = NvSet.merge(cib.opDefaults(), new RuleContext(Map.of(), now,
                    r.prim == null ? null : r.prim.cls(), r.prim == null ? null : r.prim.provider(),
                    r.prim == null ? null : r.prim.type(), op.operation(), op.intervalMs()));
            configured = d.get("on-fail");
        }
        OnFail dflt = OnFail.RECOVER;
        if ("stop".equals(op.operation())) {
            dflt = stonithEnabled ? OnFail.FENCE : OnFail.BLOCK;
        }
        if (configured == null && r.container != null) {
            return OnFail.RESTART_CONTAINER;   // what runs in a container is recovered with it
        }
        if ((configured == null || !r.managed) && r.remoteNode != null && !"start".equals(op.operation())
                && !("monitor".equals(op.operation()) && op.intervalMs() == 0)) {
            // a live connection lost: the remote node must be reset (fenced when fencing is on), as
            // its resources' state is unknown; probes and starts only say no connection existed
            return r.managed ? OnFail.RESET_REMOTE : OnFail.STOP;
        }
        OnFail of = OnFail.parse(configured, dflt);
        if (of == OnFail.FENCE && !stonithEnabled) {
            of = "stop".equals(op.operation()) ? OnFail.BLOCK : OnFail.STOP;
        }
        if (of == OnFail.DEMOTE && !"monitor".equals(op.operation()) && !"promote".equals(op.operation())) {
            of = OnFail.RECOVER;
        }
        return of;
    }

    // ------------------------------------------------------------------ failure expiry

    /** check_operation_expiry: is this history entry older than failure-timeout (and may be forgotten)? */
    private boolean expired(Rsc r, SNode node, LrmOp op, Rsc.NodeHistory h) {
        if (r.failureTimeoutMs <= 0 || op.lastRcChange() <= 0) {
            return false;
        }
        long nowSec = now.getEpochSecond();
        boolean expired = nowSec >= op.lastRcChange() + r.failureTimeoutMs / 1000;
        if (!expired) {
            return false;
        }
        int raw = FailCounts.count(r, node, nowSec, false, false);
        int effective = FailCounts.count(r, node, nowSec, true, h.blockFailure);
        if (raw > 0) {
            if (effective == 0) {
                h.clearFailcount = true;
            } else {
                expired = false;
            }
        }
        if (expired && op.isProbe()) {
            int rc = op.rcCode();
            if (rc == 0 || rc == 7 || rc == 8 || rc == 190 || rc == 191) {
                expired = false;
            }
        }
        return expired;
    }

    private static String onFailText(Rsc r, LrmOp op) {
        OpConfig cfg = findOp(r, op.operation(), op.intervalMs());
        return cfg == null ? null : cfg.onFail();
    }

    // ------------------------------------------------------------------ per-resource summary

    /**
     * A migrate_to that succeeded with no migrate_from after it leaves the resource possibly
     * active on the target as well as the source: when the target is up, it counts as active
     * there too (so moving it anywhere else stops it on both), and only on its way to that
     * target may the migration simply be finished (Planner: migrate_from, then stop the source).
     */
    void partialMigration(Rsc r) {
        if (r.cloneAncestor() != null || r.runningOn.size() != 1) {
            return;
        }
        SNode source = r.runningOn.get(0);
        Rsc.NodeHistory h = r.history.get(source);
        if (h != null && h.failedMigrateTo != null) {
            failedMigrateTo(r, h.failedMigrateTo);
            return;
        }
        if (h == null || h.migrateTo == null || h.failed) {
            return;
        }
        SNode target = byName.get(h.migrateTo.migrateTarget());
        Rsc.NodeHistory th = target == null ? null : r.history.get(target);
        if (target == null || target == source || (th != null && th.migrateFromSeen)) {
            return;   // migrate_from ran (and failed or was stopped since): no longer half-way
        }
        r.partialSource = source;
        r.partialTarget = target;
        if (target.online && !target.unclean) {
            r.runningOn.add(target);
        }
    }

    /**
     * A failed migrate_to may have left the resource running on its target: unless the target
     * has not been probed yet (the probe will tell) or has recorded something since, it counts
     * as active there too (when the target is up), so it is stopped there as well.
     */
    private void failedMigrateTo(Rsc r, LrmOp mt) {
        SNode target = byName.get(mt.migrateTarget());
        if (target == null || !target.online || target.unclean || r.runningOn.contains(target)) {
            return;
        }
        Rsc.NodeHistory th = r.history.get(target);
        // newer state there (only knowable when the migrate_to carries its time) settles it
        if (th == null || (mt.lastRcChange() > 0 && th.newestChange > mt.lastRcChange())) {
            return;
        }
        r.runningOn.add(target);
    }

    /**
     * Active on more than one node (not a clone): multiple-active says what to do. stop_start
     * (the default) stops it everywhere and starts it once, stop_unexpected stops only the
     * copies away from its assigned node (see Planner.plan), stop_only stops every copy and
     * starts none, block leaves every copy alone (blocked; a group configured so blocks whole).
     */
    static void multiplyActive(Rsc r) {
        if (Planner.cleanActiveCount(r) < 2 || r.cloneAncestor() != null || r.partialTarget != null) {
            return;
        }
        String policy = r.meta.getOrDefault("multiple-active", "stop_start");
        if ("block".equals(policy)) {
            List<Rsc> blocked = r.parent != null && r.parent.kind == Rsc.Kind.GROUP
                    && "block".equals(r.parent.meta.get("multiple-active")) ? r.parent.children : List.of(r);
            for (Rsc x : blocked) {
                x.managed = false;
                x.blocked = true;
            }
        } else if ("stop_only".equals(policy)) {
            r.stopForced = true;
        }
    }

    /** process_rsc_state: from per-node roles to where the resource runs and what failures demand. */
    /** A lost remote connection with reconnect_interval, the interval not yet passed since the failure. */
    private boolean holdsConnectionDown(Rsc r, Rsc.NodeHistory h) {
        return r.reconnectIntervalMs > 0 && (h.lastFailure == null
                || h.lastFailure.lastRcChange() * 1000 + r.reconnectIntervalMs > now.toEpochMilli());
    }

    /** The container is restarted where it is (Pacemaker schedules its stop), not failed. */
    private static void restartContainer(Rsc r, SNode node) {
        Rsc.NodeHistory ch = r.container.history.get(node);
        if (ch != null && ch.role != Role.STOPPED) {
            ch.failed = true;
            if (ch.onFail == OnFail.IGNORE) {
                ch.onFail = OnFail.RECOVER;
            }
        } else {
            r.container.failed = true;
        }
    }

    /** A guest node's reset: its container (if managed and not failed already) is recovered. */
    private static void resetGuest(SNode guest) {
        Rsc container = guest.connection == null ? null : guest.connection.container;
        if (container != null && container.managed && !container.failed) {
            container.failed = true;
            guest.remoteRequiresReset = true;
            for (Rsc.NodeHistory ch : container.history.values()) {
                if (isActive(ch.role)) {
                    ch.failed = true;   // recovered where it runs
                    if (ch.onFail == OnFail.IGNORE) {
                        ch.onFail = OnFail.RECOVER;
                    }
                }
            }
        }
    }

    void finishState(Rsc r) {
        for (Map.Entry<SNode, Rsc.NodeHistory> e : r.history.entrySet()) {
            SNode node = e.getKey();
            Rsc.NodeHistory h = e.getValue();
            if (h.onFail == OnFail.RESET_REMOTE && holdsConnectionDown(r, h)) {
                r.targetRole = Role.STOPPED;   // lost and stopped: not reconnected before reconnect_interval passes
            }
            if (h.role == Role.STOPPED || h.role == Role.UNKNOWN) {
                if (h.onFail == OnFail.RESTART_CONTAINER && r.container != null) {
                    restartContainer(r, node);   // stopped by a failed stop that counts as done
                }
                continue;
            }
            r.runningOn.add(node);
            if (node.maintenance) {
                r.maintenance = true;
                r.managed = false;
            }
            if (h.role.compareTo(r.role) > 0) {
                r.role = h.role;
            }
            OnFail onFail = h.onFail;
            if (!node.online && !node.maintenance && r.managed) {
                if (node.isGuest()) {
                    // whatever fencing says: a guest is reset by recovering its container
                    r.failed = true;
                    resetGuest(node);
                } else if (!node.unclean && stonithEnabled) {
                    if (node.isRemote() && node.connection != null && !node.connection.failed) {
                        node.unseen = true;   // revoked if the connection can be re-established elsewhere
                    }
                    fence(node, r.id + " is thought to be active there");
                }
                if (node.unclean) {
                    // fencing the node deals with whatever failed there
                    onFail = OnFail.IGNORE;
                }
            }
            switch (onFail) {
                case IGNORE:
                    break;
                case FENCE:
                    r.failed = true;
                    if (node.isGuest()) {
                        // a guest is "fenced" by recovering its container; it stays clean, so it
                        // may run resources again once that recovery succeeds
                        resetGuest(node);
                    } else {
                        fence(node, r.id + " failed there");
                    }
                    break;
                case STANDBY:
                    r.failed = true;
                    node.standby = true;
                    break;
                case BLOCK:
                    r.failed = true;
                    r.managed = false;
                    r.blocked = true;
                    break;
                case MIGRATE:
                    r.failed = true;
                    r.historyBans.putIfAbsent(node, "on-fail=migrate");
                    break;
                case STOP:
                    r.failed = true;
                    r.stopForced = true;
                    if (r.cloneAncestor() != null && !r.cloneAncestor().uniqueClone) {
                        // instances of an anonymous clone are interchangeable: on-fail=stop after
                        // one's failure stops the clone, every instance (a cloned group's members too)
                        r.cloneAncestor().stopForced = true;
                    }
                    break;
                case RESET_REMOTE:
                    r.failed = true;
                    // A remote node that asked to shut down (its daemon stopping cleanly) closes its connection on
                    // purpose once its resources are stopped; should any still run, the connection that cannot
                    // come back makes the node unclean (RemoteNodes.unrecoverableConnections), which fences it then.
                    if (stonithEnabled && r.remoteNode != null && !r.remoteNode.isGuest() && !r.remoteNode.remoteWasFenced
                            && !r.remoteNode.remoteShutdownRequested) {
                        fence(r.remoteNode, "remote connection is unrecoverable");
                        r.remoteNode.remoteRequiresReset = true;
                        r.remoteNode.unseen = false;
                    }
                    break;
                case RESTART_CONTAINER:
                    r.failed = true;
                    if (r.container != null) {
                        restartContainer(r, node);
                    }
                    break;
                default:
                    r.failed = true;
                    break;
            }
        }
    }
}
