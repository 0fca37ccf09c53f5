package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.BundleConfig;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.ColocationConstraint;
import org.pulse.cib.model.Constraints;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.OrderConstraint;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.model.Scores;

/**
 * Pacemaker bundles, expanded before unpacking into the implicit resources and constraints a
 * bundle stands for, so that every later stage sees only primitives, clones, guest nodes and
 * constraints it already knows. For a bundle {@code B} with container kind {@code K} (docker,
 * podman, rkt), per replica {@code i} (0 .. replicas-1):
 * <ul>
 * <li>{@code B-ip-ADDR}: an {@code ocf:heartbeat:IPaddr2} when the network has ip-range-start
 *     (ADDR = start + i), placed with the container and started before it;</li>
 * <li>{@code B-K-i}: the container, {@code ocf:heartbeat:K}, with a 60 s monitor;</li>
 * <li>with a child primitive, {@code B-i}: the container is a guest node of that name (meta
 *     remote-node, so RemoteNodes adds its connection, reached on control-port) on which the
 *     child runs.</li>
 * </ul>
 * The child becomes an anonymous clone {@code B-clone} of replicas instances (replicas-per-host
 * per node, promotable with promoted-max), allowed only on the bundle's guest nodes (see
 * {@link #placementTerms}). Containers of one bundle keep apart unless replicas-per-host allows
 * more than one per host. The bundle's meta attributes apply to every implicit resource, as to
 * a clone's children. Constraints naming the bundle are aimed at its parts: a location at its
 * containers (with a role, at the child clone); an order at the child clone (the bundle is up
 * once its child runs).
 *
 * <p>Rules the later stages apply to what this makes (each shown by a golden case or a
 * conformance case): replicas whose container is active are placed first, and keep apart
 * without pushing earlier ones (influence=false); a container may run on a remote node, its
 * connection then on that node's host ({@link #connectionHost}); a bundle's guest nodes are not
 * among other resources' nodes unless a location names one, and nothing else is probed there;
 * a connection is probed only where its container runs or will; a child with
 * container-attribute-target=host reads its promotion score on the container's host; the
 * canonical listing shows one line per replica with its child's state ({@link #replicaLine}).
 *
 * <p>What is left out: the containers' run options (image, port and storage mappings) only
 * matter for the parameters' digest, which is compared for implicit resources only when none
 * was recorded (a recorded one is trusted); colocations naming a bundle are not applied;
 * replicas are spread by a chain of anti-colocations, not by Pacemaker's clone distribution
 * (a replica whose active container cannot stay may take another's host); IPv6 ranges.
 * crmd does not run bundles: its LRM has no route to guest nodes yet.
 */
final class Bundles {
    /** Meta attribute marking an implicit container or address: the bundle it belongs to. */
    static final String BUNDLE_META = "pulse-bundle";
    /** Meta attribute on the child clone: the bundle whose guest nodes it may run on. */
    static final String CHILD_META = "pulse-bundle-child";
    /** Meta attribute on a container: its replica number. */
    static final String REPLICA_META = "pulse-bundle-replica";
    /** Pacemaker's default port of a bundle's remote connection. */
    private static final String DEFAULT_CONTROL_PORT = "3121";
    /** Interval of the monitor Pacemaker gives a bundle's container and address. */
    private static final long IMPLICIT_MONITOR_INTERVAL_MS = 60_000;

    private Bundles() {
    }

    /** The model with every bundle replaced by its implicit resources and constraints; unchanged without bundles. */
    static CibModel expand(CibModel cib) {
        boolean any = false;
        for (ResourceConfig rc : cib.resources()) {
            any |= rc instanceof BundleConfig;
        }
        if (!any) {
            return cib;
        }
        List<ResourceConfig> resources = new ArrayList<>();
        List<LocationConstraint> locations = new ArrayList<>();
        List<ColocationConstraint> colocations = new ArrayList<>(cib.constraints().colocations());
        List<OrderConstraint> orders = new ArrayList<>();
        Map<String, Expanded> byBundle = new LinkedHashMap<>();
        for (ResourceConfig rc : cib.resources()) {
            if (!(rc instanceof BundleConfig b)) {
                resources.add(rc);
                continue;
            }
            if (b.containerKind() == null) {
                continue;   // nothing to run: Pacemaker refuses such a bundle too
            }
            Expanded x = expand(b, active(cib), resources, colocations, orders);
            byBundle.put(b.id(), x);
        }
        for (LocationConstraint lc : cib.constraints().locations()) {
            Expanded x = lc.rsc() == null ? null : byBundle.get(lc.rsc());
            if (x == null) {
                locations.add(lc);
            } else if (x.childClone != null && (Role.PROMOTED.name().equalsIgnoreCase(lc.role()) || "Master".equalsIgnoreCase(lc.role())
                    || "Promoted".equalsIgnoreCase(lc.role()) || "Unpromoted".equalsIgnoreCase(lc.role()) || "Slave".equalsIgnoreCase(lc.role()))) {
                locations.add(new LocationConstraint(lc.id(), x.childClone, null, lc.node(), lc.score(), lc.role(), lc.rules(),
                        lc.resourceDiscovery(), lc.sets()));
            } else {
                for (String container : x.containers) {
                    locations.add(new LocationConstraint(lc.id() + "-" + container, container, null, lc.node(), lc.score(),
                            null, lc.rules(), lc.resourceDiscovery(), lc.sets()));
                }
            }
        }
        List<OrderConstraint> configured = new ArrayList<>();
        for (OrderConstraint oc : cib.constraints().orders()) {
            Expanded f = oc.first() == null ? null : byBundle.get(oc.first());
            Expanded t = oc.then() == null ? null : byBundle.get(oc.then());
            if (f == null && t == null) {
                configured.add(oc);
            } else if ((f == null || f.childClone != null) && (t == null || t.childClone != null)) {
                configured.add(new OrderConstraint(oc.id(), f == null ? oc.first() : f.childClone, t == null ? oc.then() : t.childClone,
                        oc.firstAction(), oc.thenAction(), oc.kind(), oc.score(), oc.symmetrical(), oc.requireAll(), oc.sets()));
            }
        }
        configured.addAll(orders);
        Constraints cons = new Constraints(locations, colocations, configured, cib.constraints().tickets());
        return new CibModel(cib.options(), cib.clusterPropertySets(), cib.nodes(), resources, cons, cib.rscDefaults(),
                cib.opDefaults(), cib.fencingLevels(), cib.alerts(), cib.status(), cib.haveQuorum(), cib.executionDate(),
                cib.dcUuid(), cib.tags(), cib.tickets(), cib.noQuorumPanic(), cib.crmFeatureSet());
    }

    /** What one bundle became: its containers' ids and its child clone's id (null without a child). */
    private record Expanded(List<String> containers, String childClone) {
    }

    /** Ids of resources possibly active on some node, from the status section. */
    private static java.util.Set<String> active(CibModel cib) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (org.pulse.cib.model.NodeState ns : cib.status()) {
            for (org.pulse.cib.model.LrmResource lr : ns.resources()) {
                if (lr.possiblyActive()) {
                    out.add(lr.id());
                }
            }
        }
        return out;
    }

    private static Expanded expand(BundleConfig b, java.util.Set<String> active, List<ResourceConfig> resources,
                                   List<ColocationConstraint> colocations, List<OrderConstraint> orders) {
        Map<String, String> ca = b.containerAttributes();
        int promotedMax = Scores.parse(first(ca, "promoted-max", "masters"), 0);
        int replicas = Scores.parse(ca.get("replicas"), Math.max(promotedMax, 1));
        int perHost = Scores.parse(ca.get("replicas-per-host"), 1);
        Map<String, String> net = b.networkAttributes();
        String ipStart = net.get("ip-range-start");
        String port = net.getOrDefault("control-port", DEFAULT_CONTROL_PORT);
        List<String> containers = new ArrayList<>();
        // replicas whose container is active come first, as a clone places its active instances
        // before the others: a replica that lost its host must not take another one's place
        List<Integer> replicaOrder = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < replicas; i++) {
                boolean isActive = active.contains(b.id() + "-" + b.containerKind() + "-" + i);
                if (isActive == (pass == 0)) {
                    replicaOrder.add(i);
                }
            }
        }
        for (int i : replicaOrder) {
            String containerId = b.id() + "-" + b.containerKind() + "-" + i;
            String ip = ipStart == null ? null : addIpv4(ipStart, i);
            Map<String, String> extra = new LinkedHashMap<>();
            if (b.child() != null) {
                extra.put("remote-node", b.id() + "-" + i);
                extra.put("remote-port", port);
                if (ip != null) {
                    extra.put("remote-addr", ip);
                }
            }
            resources.add(primitive(containerId, b.containerKind(), Map.of(), implicitMeta(b, i, extra), b));
            containers.add(containerId);
            // the address after its container: it is placed where the container goes, never the reverse
            if (ip != null) {
                String ipId = b.id() + "-ip-" + ip;
                Map<String, String> params = new LinkedHashMap<>();
                params.put("ip", ip);
                if (net.get("host-interface") != null) {
                    params.put("nic", net.get("host-interface"));
                }
                if (net.get("host-netmask") != null) {
                    params.put("cidr_netmask", net.get("host-netmask"));
                }
                resources.add(primitive(ipId, "IPaddr2", params, implicitMeta(b, i, Map.of()), b));
                // the address is up before the container that uses it, and lives where it runs
                colocations.add(new ColocationConstraint(ipId + "-with-" + containerId, ipId, containerId,
                        "INFINITY", null, null, null, null, List.of()));
                orders.add(new OrderConstraint(ipId + "-before-" + containerId, ipId, containerId, "start", "start",
                        "Mandatory", null, true, true, List.of()));
            }
        }
        if (perHost <= 1) {
            // one replica per host: every container keeps away from the ones before it, which it
            // does not push around (replicas are spread as a clone's instances are, each taking
            // the best node left, not placed by the later ones' preferences)
            for (int i = 0; i < containers.size(); i++) {
                for (int j = 0; j < i; j++) {
                    colocations.add(new ColocationConstraint(containers.get(i) + "-apart-" + containers.get(j), containers.get(i),
                            containers.get(j), "-INFINITY", null, null, null, "false", List.of()));
                }
            }
        }
        String cloneId = null;
        if (b.child() != null) {
            cloneId = b.id() + "-clone";
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(CHILD_META, b.id());
            meta.put("clone-max", Integer.toString(replicas));
            meta.put("clone-node-max", "1");   // one instance per guest node; hosts are limited by the containers
            meta.put("ordered", "true");
            if (perHost > 1) {
                meta.put("globally-unique", "true");   // several replicas per host: instances must be told apart
            }
            if (promotedMax > 0) {
                meta.put("promotable", "true");
                meta.put("promoted-max", Integer.toString(promotedMax));
                meta.put("promoted-node-max", "1");
            }
            // the child's own clone options (notify, interleave) are the clone's
            Map<String, String> childMeta = NvSet.merge(b.child().metaAttributes(), org.pulse.cib.model.RuleContext.at(java.time.Instant.EPOCH));
            for (String k : List.of("notify", "interleave")) {
                if (childMeta.get(k) != null) {
                    meta.put(k, childMeta.get(k));
                }
            }
            List<NvSet> sets = new ArrayList<>();
            sets.add(new NvSet(cloneId + "-meta_attributes", "meta_attributes", 0, null, meta));
            sets.addAll(b.metaAttributes());
            resources.add(new CloneConfig(cloneId, false, sets, List.of(), b.child()));
        }
        return new Expanded(containers, cloneId);
    }

    private static List<NvSet> implicitMeta(BundleConfig b, int replica, Map<String, String> extra) {
        Map<String, String> own = new LinkedHashMap<>(extra);
        own.put(BUNDLE_META, b.id());
        own.put(REPLICA_META, Integer.toString(replica));
        List<NvSet> sets = new ArrayList<>();
        sets.add(new NvSet(b.id() + "-" + replica + "-implicit-meta", "meta_attributes", 0, null, own));
        sets.addAll(b.metaAttributes());
        return sets;
    }

    private static PrimitiveConfig primitive(String id, String type, Map<String, String> params, List<NvSet> meta, BundleConfig b) {
        Map<String, String> attrs = new LinkedHashMap<>();
        String opId = id + "-monitor-interval-60s";
        attrs.put("id", opId);
        attrs.put("name", "monitor");
        attrs.put("interval", "60s");
        OpConfig monitor = new OpConfig(opId, "monitor", IMPLICIT_MONITOR_INTERVAL_MS, null, null, null, true, attrs,
                List.of(), List.of());
        List<NvSet> inst = new ArrayList<>();
        inst.add(new NvSet(id + "-instance_attributes", "instance_attributes", 0, null, params));
        inst.addAll(b.instanceAttributes());
        return new PrimitiveConfig(id, "ocf", "heartbeat", type, inst, meta, List.of(), List.of(monitor), null);
    }

    /** The IPv4 address {@code i} after {@code start}, or null when start is not one (IPv6 ranges are not expanded). */
    static String addIpv4(String start, int i) {
        String[] f = start.trim().split("\\.");
        if (f.length != 4) {
            return null;
        }
        long v = 0;
        for (String p : f) {
            int o;
            try {
                o = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return null;
            }
            if (o < 0 || o > 255) {
                return null;
            }
            v = (v << 8) | o;
        }
        v += i;
        if (v > 0xffffffffL) {
            return null;
        }
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    private static String first(Map<String, String> m, String a, String b) {
        return m.get(a) != null ? m.get(a) : m.get(b);
    }

    // ------------------------------------------------------------------ later stages

    /** Is {@code r} one of a bundle's implicit resources (container, address, connection)? */
    static boolean implicit(Rsc r) {
        return r.meta.containsKey(BUNDLE_META) || r.container != null && r.container.meta.containsKey(BUNDLE_META);
    }

    /** Is {@code r} a bundle's container (not its address)? */
    static boolean isContainer(Rsc r) {
        String bundle = r.meta.get(BUNDLE_META);
        return bundle != null && r.meta.containsKey(REPLICA_META) && !r.id.startsWith(bundle + "-ip-");
    }

    /** The bundle whose child clone {@code r} is (or is an instance of), or null. */
    static String childOf(Rsc r) {
        for (Rsc x = r; x != null; x = x.parent) {
            if (x.kind == Rsc.Kind.CLONE && x.meta.containsKey(CHILD_META)) {
                return x.meta.get(CHILD_META);
            }
        }
        return null;
    }

    /**
     * Probes: a bundle's connection is probed only when its container is active or will be
     * started (otherwise nothing can have started it or will); its child is probed only on the bundle's own guest nodes,
     * where alone it may run; nothing of a bundle is probed inside a guest node.
     */
    static boolean probed(Allocation alloc, Rsc r, SNode n) {
        if (r.remoteNode != null && r.container != null && r.container.meta.containsKey(BUNDLE_META)) {
            return alloc.node(r.container) != null || !r.container.runningOn.isEmpty();
        }
        if (r.meta.containsKey(BUNDLE_META) && n.isGuest()) {
            return false;
        }
        String bundle = childOf(r);
        // nothing else is probed in a bundle's guest node either
        return bundle == null ? bundleOfGuest(n) == null : bundle.equals(bundleOfGuest(n));
    }

    /** The bundle whose guest node {@code n} is, or null. */
    static String bundleOfGuest(SNode n) {
        Rsc vm = n.isGuest() && n.connection != null ? n.connection.container : null;
        return vm == null ? null : vm.meta.get(BUNDLE_META);
    }

    private static boolean namedByLocation(Cluster c, Rsc r, SNode n) {
        for (org.pulse.cib.model.LocationConstraint lc : c.cib().constraints().locations()) {
            if (!n.name.equals(lc.node()) || lc.rsc() == null) {
                continue;
            }
            for (Rsc x = r; x != null; x = x.parent) {
                if (lc.rsc().equals(x.id) || x.prim != null && lc.rsc().equals(x.prim.id())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Where a bundle's connection must run, given its container's node: there, or, when that
     * is a remote node (which cannot host connections), where that node's own connection runs.
     */
    static SNode connectionHost(Assignment a, Rsc dependent, Colocation col, SNode primaryNode) {
        if (primaryNode != null && primaryNode.isRemote() && !primaryNode.isGuest() && dependent.remoteNode != null
                && dependent.container == col.primary() && col.primary().meta.containsKey(BUNDLE_META)
                && primaryNode.connection != null && a.placed(primaryNode.connection)) {
            return a.node(primaryNode.connection);
        }
        return primaryNode;
    }

    /**
     * Where a bundle child's node attributes are read: with meta container-attribute-target=host
     * on a guest node, on the node hosting its container (the agent set them there); else the node itself.
     */
    static SNode attributeNode(Assignment a, Rsc p, SNode node) {
        if (node == null || !node.isGuest() || !"host".equals(p.meta.get("container-attribute-target"))
                || node.connection == null || node.connection.container == null) {
            return node;
        }
        Rsc container = node.connection.container;
        SNode host = container.currentNode() != null ? container.currentNode() : a.node(container);
        return host != null ? host : node;
    }

    /** Is {@code n} a bundle's guest node whose container's host is shutting down? */
    static boolean guestHostShuttingDown(SNode n) {
        if (bundleOfGuest(n) == null) {
            return false;
        }
        SNode host = n.connection.container.currentNode();
        return host != null && host.shutdown && !host.unclean;
    }

    /** A bundle's child runs only on that bundle's guest nodes. */
    static void placementTerms(Cluster c, Rsc r, ScoreTable t) {
        if (r.meta.containsKey(BUNDLE_META)) {
            // containers (and their addresses) do not nest: never inside a guest node
            for (SNode n : c.nodes()) {
                if (n.isGuest()) {
                    t.add(n, -Scores.INFINITY, "bundle " + r.meta.get(BUNDLE_META) + "'s containers do not run in guest nodes");
                }
            }
        }
        String bundle = childOf(r);
        if (bundle == null) {
            // a bundle's guest nodes are not among the nodes other resources may use, unless a
            // location constraint names the node for that resource (then its score alone counts)
            for (SNode n : c.nodes()) {
                String of = bundleOfGuest(n);
                if (of != null && r.remoteNode == null && !namedByLocation(c, r, n)) {
                    t.add(n, -Scores.INFINITY, "node " + n.name + " is bundle " + of + "'s, for its child only");
                }
            }
            return;
        }
        for (SNode n : c.nodes()) {
            if (!bundle.equals(bundleOfGuest(n))) {
                t.add(n, -Scores.INFINITY, "bundle " + bundle + "'s child runs only in its containers");
            }
        }
    }

    /**
     * The canonical placement line of one replica, given its container: named after its guest
     * node (the container itself without a child), on the container's node, with the child's
     * role there. A replica is what its child is: "stopped" when the child does not run in it
     * (or, without a child, when the container does not run).
     */
    static void replicaLine(Cluster c, Rsc container, Map<String, Placement> byId, List<String> out) {
        String guest = container.meta.get("remote-node");
        String name = guest != null ? guest : container.id;
        Placement pl = byId.get(container.id);
        String role = "";
        boolean childRuns = guest == null;
        if (guest != null) {
            for (Placement p : byId.values()) {
                Rsc r = c.byId().get(p.resource());
                if (r != null && childOf(r) != null && p.nodes().contains(guest)) {
                    childRuns = true;
                    role = "Promoted".equals(p.role()) ? " promoted" : "Unpromoted".equals(p.role()) ? " unpromoted" : "";
                }
            }
        }
        if (pl == null || pl.nodes().isEmpty() || !childRuns) {
            out.add("stopped " + name);
            return;
        }
        for (String n : pl.nodes()) {
            out.add("placed " + name + " " + n + role);
        }
    }
}
