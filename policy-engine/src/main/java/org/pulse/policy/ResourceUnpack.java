package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.AttributeInheritance;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * Unpack, stage 2: resources. Primitives, groups and clones (instances made here, clone-max of
 * them), each with its meta attributes (own, inherited, rsc_defaults; rules evaluated at
 * {@code now}), instance attributes and utilization, and what they say (stickiness,
 * migration-threshold, target-role, is-managed, requires); the implicit connections of guest
 * nodes; remote nodes linked with their connections. Templates and id-refs are already expanded
 * by CibModel, bundles by Bundles.
 *
 * <p>The Rsc objects stay mutable: the history stage writes where each runs and what failed,
 * and later stages (scoring, assignment, planning) write their results into them.
 */
final class ResourceUnpack {
    /**
     * The resources stage's hand-off.
     *
     * @param topLevel       resources in configuration order (the history stage appends orphans)
     * @param byId           every resource object, including members and instances
     * @param hasFenceDevice a fence device is configured, or the DC has a watchdog (have-watchdog)
     */
    record Resources(List<Rsc> topLevel, Map<String, Rsc> byId, boolean hasFenceDevice) {
    }

    private final CibModel cib;
    private final Instant now;
    private final ClusterOptions options;
    private final boolean stonithEnabled;
    private final List<SNode> nodes;
    private final List<SNode> remoteNodeList;
    private final Map<String, RemoteNodes.Spec> remoteSpecs;
    private final List<Rsc> topLevel = new ArrayList<>();
    private final Map<String, Rsc> rscById = new LinkedHashMap<>();
    /** Configuration order of every resource object, orphans (made by the history stage) included. */
    private int order;

    ResourceUnpack(CibModel cib, Instant now, NodeUnpack.Nodes unpackedNodes) {
        this.cib = cib;
        this.now = now;
        this.options = cib.options();
        this.stonithEnabled = options.stonithEnabled();
        this.nodes = unpackedNodes.all();
        this.remoteNodeList = unpackedNodes.remote();
        this.remoteSpecs = unpackedNodes.remoteSpecs();
    }

    Resources run() {
        for (ResourceConfig rc : cib.resources()) {
            Rsc r = resource(rc, null, null);
            if (r != null) {
                topLevel.add(r);
            }
        }
        guestConnections();
        boolean hasFence = false;
        for (Rsc r : rscById.values()) {
            hasFence |= r.isFenceDevice();
        }
        // As Pacemaker's scheduler: have-watchdog (set by the DC when it runs with a watchdog) counts as a
        // way to fence, since watchdog self-fencing (stonith-watchdog-timeout) needs no fence device.
        hasFence |= options.flag("have-watchdog", false);
        return new Resources(topLevel, rscById, hasFence);
    }

    /** "name_interval" of every operation configured twice or more (see Rsc.duplicateOps). */
    private static java.util.Set<String> duplicateOps(List<OpConfig> ops) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> dup = new java.util.HashSet<>();
        for (OpConfig o : ops) {
            String key = o.name() + "_" + o.intervalMs();
            if (!seen.add(key)) {
                dup.add(key);
            }
        }
        return dup.isEmpty() ? java.util.Set.of() : dup;
    }

    private Rsc resource(ResourceConfig rc, Rsc parent, String suffix) {
        String sfx = suffix == null ? "" : suffix;
        if (rc instanceof PrimitiveConfig) {
            PrimitiveConfig p = (PrimitiveConfig) rc;
            Rsc r = new Rsc(suffix == null ? p.id() : p.id() + suffix, Rsc.Kind.PRIMITIVE, parent, order++);
            r.prim = p;
            r.ops = p.operations();
            r.duplicateOps = duplicateOps(r.ops);
            configure(r, p.metaAttributes(), p.instanceAttributes());
            Map<String, Integer> util = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : NvSet.merge(p.utilization(), RuleContext.at(now)).entrySet()) {
                util.put(e.getKey(), Scores.parse(e.getValue(), 0));
            }
            r.utilization = util;
            register(r, parent);
            return r;
        }
        if (rc instanceof GroupConfig) {
            GroupConfig g = (GroupConfig) rc;
            Rsc r = new Rsc(g.id() + sfx, Rsc.Kind.GROUP, parent, order++);
            configure(r, g.metaAttributes(), g.instanceAttributes());
            register(r, parent);
            for (PrimitiveConfig m : g.members()) {
                resource(m, r, suffix);
            }
            return r;
        }
        if (rc instanceof CloneConfig) {
            CloneConfig c = (CloneConfig) rc;
            Rsc r = new Rsc(c.id(), Rsc.Kind.CLONE, parent, order++);
            configure(r, c.metaAttributes(), c.instanceAttributes());
            r.promotable = c.legacyMaster() || ClusterOptions.isTrue(r.meta.get("promotable"));
            r.uniqueClone = ClusterOptions.isTrue(r.meta.get("globally-unique")) && !forcedAnonymous(c.child());
            r.cloneMax = Scores.parse(r.meta.get("clone-max"), nodes.size());
            if (r.meta.get("clone-max") == null && r.meta.get("master-max") == null) {
                r.cloneMax = nodes.size();
            }
            r.cloneNodeMax = Scores.parse(r.meta.get("clone-node-max"), 1);
            if (ClusterOptions.isTrue(r.meta.get("globally-unique")) && forcedAnonymous(c.child())) {
                // made anonymous: at most one instance per node, so no more than there are nodes
                r.cloneNodeMax = 1;
                r.cloneMax = Math.min(r.cloneMax, nodes.size());
            }
            r.promotedMax = Scores.parse(first(r.meta, "promoted-max", "master-max"), 1);
            r.promotedNodeMax = Scores.parse(first(r.meta, "promoted-node-max", "master-node-max"), 1);
            r.notify = ClusterOptions.isTrue(r.meta.get("notify"));
            r.interleave = ClusterOptions.isTrue(r.meta.get("interleave"));
            r.ordered = ClusterOptions.isTrue(r.meta.get("ordered"));
            register(r, parent);
            for (int i = 0; i < r.cloneMax; i++) {
                resource(c.child(), r, ":" + i);
            }
            if (ClusterOptions.isTrue(r.meta.get("globally-unique")) && c.child() instanceof GroupConfig g
                    && forcedAnonymous(g)) {
                // Pacemaker makes the clone anonymous each time it reads an LSB member, clearing
                // "unique" on that member and on the instances read completely before it; nothing
                // comes after the last instance, so its other members keep their instance number
                if (!r.children.isEmpty()) {
                    for (Rsc m : r.children.get(r.children.size() - 1).children) {
                        m.keepsInstanceNumber = m.prim != null && !"lsb".equals(m.prim.cls());
                    }
                }
            }
            return r;
        }
        return null;   // bundles: tier 3
    }

    /**
     * LSB services cannot be globally unique instances (an init script cannot tell instances
     * apart): a clone of one is anonymous whatever globally-unique says.
     */
    private static boolean forcedAnonymous(ResourceConfig child) {
        if (child instanceof PrimitiveConfig) {
            String cls = ((PrimitiveConfig) child).cls();
            return "lsb".equals(cls);
        }
        if (child instanceof GroupConfig) {
            // a cloned group with an LSB member cannot be unique either
            for (PrimitiveConfig m : ((GroupConfig) child).members()) {
                if (forcedAnonymous(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String first(Map<String, String> m, String a, String b) {
        return m.get(a) != null ? m.get(a) : m.get(b);
    }

    private void register(Rsc r, Rsc parent) {
        if (parent != null) {
            parent.children.add(r);
        }
        rscById.put(r.id, r);
    }


    /** For orphans the history stage makes: the next configuration order. */
    int nextOrder() {
        return order++;
    }

    /** Meta attributes and parameters by cib.model's one rule (AttributeInheritance), as crmd reads them. */
    void configure(Rsc r, List<NvSet> metaSets, List<NvSet> instanceSets) {
        RuleContext ctx = r.prim == null ? AttributeInheritance.context(now, null, null, null)
                : AttributeInheritance.context(now, r.prim.cls(), r.prim.provider(), r.prim.type());
        Map<String, String> meta = AttributeInheritance.meta(metaSets, r.parent == null ? Map.of() : r.parent.meta,
                cib.rscDefaults(), ctx);
        r.meta = meta;
        r.params = AttributeInheritance.params(instanceSets, r.parent == null ? Map.of() : r.parent.params, ctx);
        r.priority = Scores.parse(meta.get("priority"), 0);
        String stick = meta.get("resource-stickiness");
        if (stick == null) {
            stick = meta.get("resource_stickiness");
        }
        boolean inClone = r.kind == Rsc.Kind.CLONE || r.cloneAncestor() != null;
        r.stickiness = stick != null ? Scores.parse(stick, 0)
                : (options.get("default-resource-stickiness") != null ? options.defaultResourceStickiness()
                : (inClone ? 1 : 0));
        String mt = meta.get("migration-threshold");
        int threshold = Scores.parse(mt, Scores.INFINITY);
        r.migrationThreshold = threshold <= 0 ? Scores.INFINITY : threshold;
        r.failureTimeoutMs = org.pulse.cib.model.Durations.parseMs(meta.get("failure-timeout"), 0);
        r.targetRole = Role.parse(meta.get("target-role"), Role.UNKNOWN);
        // cib.model's one rule, which crm status shows
        r.maintenance = org.pulse.cib.model.Management.maintenance(meta, options);
        r.managed = org.pulse.cib.model.Management.managed(meta, options);
        String requires = meta.get("requires");
        if (requires == null) {
            requires = (r.prim != null && r.prim.isFenceDevice()) || !stonithEnabled ? "quorum" : "fencing";
        }
        r.requiresFencing = "fencing".equals(requires) || "unfencing".equals(requires);
        r.requiresNothing = "nothing".equals(requires);
    }


    /**
     * Adds each guest's implicit connection (after the configured resources, as Pacemaker adds
     * it to the resources section) and links every remote node with its connection.
     */
    private void guestConnections() {
        for (RemoteNodes.Spec sp : remoteSpecs.values()) {
            Rsc vm = sp.guest() ? rscById.get(sp.containerId()) : null;
            if (vm != null && vm.prim != null && !rscById.containsKey(sp.name())) {
                Rsc conn = resource(RemoteNodes.guestConnection(vm.prim, sp.name(), RuleContext.at(now)), null, null);
                topLevel.add(conn);
            }
        }
        boolean startupFencing = stonithEnabled && options.flag("startup-fencing", true);
        for (SNode n : remoteNodeList) {
            Rsc conn = rscById.get(n.name);
            if (conn == null || conn.prim == null || !RemoteNodes.isConnectionAgent(conn.prim)) {
                continue;   // left over in the nodes section: always down, never fenced
            }
            n.connection = conn;
            conn.remoteNode = n;
            if (!n.isGuest() && conn.meta.get("allow-migrate") == null) {
                // a remote connection moves by migrating unless told otherwise (it holds no state to lose)
                Map<String, String> meta = new LinkedHashMap<>(conn.meta);
                meta.put("allow-migrate", "true");
                conn.meta = meta;
            }
            conn.reconnectIntervalMs = org.pulse.cib.model.Durations.parseMs(conn.params.get("reconnect_interval"), 0);
            if (!n.isGuest()) {
                // a remote node is unclean until seen, as a cluster node is (see remoteHistories)
                n.unseen = true;
                if (startupFencing) {
                    NodeUnpack.fence(n, "peer has not been seen by the cluster");
                }
            }
        }
        for (Rsc r : rscById.values()) {
            String container = r.meta.get("container");
            if (r.isPrimitive() && container != null && rscById.get(container) != null && rscById.get(container) != r) {
                r.container = rscById.get(container);
            }
        }
    }

}
