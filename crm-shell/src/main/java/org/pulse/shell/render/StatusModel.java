package org.pulse.shell.render;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.parse.Lifetime;

/**
 * What the status section of a CIB says, read the way crm_mon reads it: which nodes are up,
 * where each resource runs and in which role (from the operation history, last call first),
 * failed operations with their exit reasons, fail counts, and the move/ban constraints with
 * their expiry. A pure function of the CIB and the time.
 */
public final class StatusModel {
    public enum Role { STOPPED, STARTED, PROMOTED, FAILED }

    /**
     * A node as crm_mon lists it. {@code type}: {@code member} (a cluster node), {@code remote} (a Pacemaker
     * Remote node: an {@code ocf:pacemaker:remote} connection, up while its connection runs) or {@code guest}
     * (a resource's {@code remote-node} meta, up while its container runs).
     */
    public record NodeView(String id, String name, boolean online, boolean standby, boolean maintenance,
                    Map<String, String> attributes, String type) {
        public NodeView(String id, String name, boolean online, boolean standby, boolean maintenance,
                Map<String, String> attributes) {
            this(id, name, online, standby, maintenance, attributes, MEMBER);
        }

        /** Whether this is a remote or guest node (not a cluster member, no vote). */
        public boolean remote() {
            return !MEMBER.equals(type);
        }
    }

    public static final String MEMBER = "member";
    public static final String REMOTE = "remote";
    public static final String GUEST = "guest";

    public record FailedAction(String resource, String operation, long intervalMs, String node, int rc, int opStatus,
                        String exitReason, long lastRcChange, int callId) {
    }

    public record FailCount(String node, String resource, String operation, int count, long lastFailure) {
    }

    /** A cli-prefer-/cli-ban- constraint (or any location constraint) with the end of its lifetime, if any. */
    public record MoveConstraint(String id, String resource, String node, String score, String expires, boolean expired) {
    }

    public final XmlElement cib;
    public final Configuration config;
    public final Instant now;
    public final List<NodeView> nodes = new ArrayList<>();
    /** resource id → node → role */
    public final Map<String, Map<String, Role>> placement = new TreeMap<>();
    public final List<FailedAction> failed = new ArrayList<>();
    public final List<FailCount> failCounts = new ArrayList<>();
    public final List<MoveConstraint> moves = new ArrayList<>();
    /**
     * Nodes the cluster must fence before it may trust them (Pacemaker's "unclean"): gone from the
     * membership, or their crmd gone, while expected up. crm_mon shows them as UNCLEAN, not as a
     * plain OFFLINE that would read as "safely down", and so does crm status.
     */
    public final java.util.Set<String> unclean = new java.util.TreeSet<>();
    /** Resources a probe found not installed on some node (rc 5): stopped there, not failed, as crm_mon shows it. */
    public final java.util.Set<String> notInstalled = new java.util.TreeSet<>();

    public StatusModel(XmlElement cib, Instant now) {
        this.cib = cib;
        this.config = new Configuration(cib);
        this.now = now;
        // the history first: a remote node is up while its connection resource runs
        readHistory();
        readNodes();
        readRemoteNodes();
        readMoves();

        CibModel model = model(cib);
        this.unmanaged = model == null ? java.util.Set.of() : org.pulse.cib.model.Management.unmanaged(model, now);
        this.maintenanceMode = model != null && model.options().maintenanceMode();
    }

    /** The cluster's maintenance-mode: crm_mon says resource management is disabled. */
    public final boolean maintenanceMode;

    /**
     * The resources the cluster does not manage (is-managed=false or maintenance, their own or from a
     * group, clone or rsc_defaults, or maintenance-mode), by cib.model's rule, which the policy engine
     * applies too.
     */
    public final java.util.Set<String> unmanaged;

    /**
     * Whether what {@code rsc} runs on {@code node} is unmanaged: the resource is, or the node is in
     * maintenance (the cluster leaves everything on such a node alone; crm_mon marks each of them).
     */
    public boolean unmanagedOn(String rsc, String node) {
        return unmanaged.contains(rsc) || nodes.stream().anyMatch(n -> n.name().equals(node) && n.maintenance());
    }

    private static CibModel model(XmlElement cib) {
        try {
            return CibModel.from(cib);
        } catch (IllegalArgumentException e) {
            // a CIB the model cannot read still shows what it can; verify names the problem
            return null;
        }
    }

    /** Primitives as the cluster runs them (meta with what groups, clones and rsc_defaults give), when needed. */
    /** Read once, on the first threshold asked for (status without fail counts or ops never needs it). */
    private Map<String, EffectivePrimitive> effective;

    /**
     * A resource's migration-threshold as the cluster applies it: its own, else its group's or clone's,
     * else rsc_defaults' (crm_mon's "Migration Summary"); null when none is set. A clone instance
     * ({@code rsc:0}) has its primitive's.
     */
    public String migrationThreshold(String rsc) {
        if (effective == null) {
            effective = EffectivePrimitive.all(CibModel.from(cib), now);
        }
        EffectivePrimitive p = effective.get(rsc.replaceFirst(":[0-9]+$", ""));
        return p == null ? null : p.meta().get("migration-threshold");
    }

    public String dc() {
        String uuid = cib.attr("dc-uuid");
        if (uuid == null) {
            return null;
        }
        return nodes.stream().filter(n -> uuid.equals(n.id())).map(NodeView::name).findFirst().orElse(uuid);
    }

    public boolean quorate() {
        String q = cib.attr("have-quorum");
        return "1".equals(q) || "true".equalsIgnoreCase(q);
    }

    private XmlElement status() {
        return Tree.section(cib, "status");
    }

    private Optional<XmlElement> nodeState(String id, String uname) {
        return status().elements("node_state").stream()
                .filter(s -> id.equals(s.id()) || (uname != null && uname.equals(s.attr("uname")))).findFirst();
    }

    private void readNodes() {
        for (XmlElement n : Tree.section(config.configuration(), "nodes").elements("node")) {
            if (REMOTE.equals(n.attr("type"))) {
                continue;   // a remote node's entry (its attributes): listed by readRemoteNodes
            }
            String name = n.attr("uname", n.id());
            Optional<XmlElement> st = nodeState(n.id(), name);
            boolean online = st.map(s -> "true".equals(s.attr("in_ccm")) || "online".equals(s.attr("crmd"))
                    ? "online".equals(s.attr("crmd")) && !"down".equals(s.attr("join")) : false).orElse(false);
            Map<String, String> attrs = new LinkedHashMap<>();
            for (XmlElement set : n.elements("instance_attributes")) {
                set.elements("nvpair").forEach(p -> attrs.put(p.attr("name"), p.attr("value", "")));
            }
            st.flatMap(s -> s.element("transient_attributes")).ifPresent(t -> {
                for (XmlElement set : t.elements("instance_attributes")) {
                    set.elements("nvpair").forEach(p -> attrs.put(p.attr("name"), p.attr("value", "")));
                }
            });
            if (st.isPresent() && uncleanState(st.get(), attrs)) {
                unclean.add(name);
            }
            nodes.add(new NodeView(n.id(), name, online, truthy(attrs.get("standby")),
                    truthy(attrs.get("maintenance")), attrs));
        }
        // crm_mon lists nodes by name, numbers in names by value (node2 before node10), whatever order
        // the nodes section has (the DC adds nodes as they join)
        nodes.sort(Comparator.comparing(NodeView::name, StatusModel::compareNames));
    }

    /** Pacemaker's order of node names: case-insensitive, a run of digits compared as a number. */
    static int compareNames(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                int c = new java.math.BigInteger(a.substring(i, ei)).compareTo(new java.math.BigInteger(b.substring(j, ej)));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
                continue;
            }
            int c = Character.compare(Character.toLowerCase(x), Character.toLowerCase(y));
            if (c != 0) {
                return c;
            }
            i++;
            j++;
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Remote and guest nodes, after the cluster nodes, as Pacemaker makes them: every
     * {@code ocf:pacemaker:remote} primitive is the remote node of its id (up while it runs and has not
     * failed), every resource with a {@code remote-node} meta is a guest node's container (the guest is up
     * while its connection, recorded under the guest's name, runs and the container runs), and a
     * {@code type="remote"} entry of the nodes section (where Pacemaker keeps a remote node's permanent
     * attributes) is one too. A remote node whose connection failed is unclean while fencing is on (the
     * cluster fences it before trusting what it runs).
     */
    private void readRemoteNodes() {
        // name -> {type, its connection resource, the guest's container}
        Map<String, String[]> found = new LinkedHashMap<>();
        for (XmlElement p : Tree.descendants(Tree.section(config.configuration(), "resources"), "primitive")) {
            if ("ocf".equals(p.attr("class")) && "pacemaker".equals(p.attr("provider")) && "remote".equals(p.attr("type"))) {
                found.putIfAbsent(p.id(), new String[] {REMOTE, p.id(), null});
            }
            String guest = meta(p, "remote-node");
            if (guest != null && !guest.isBlank()) {
                found.putIfAbsent(guest, new String[] {GUEST, guest, p.id()});
            }
        }
        Map<String, XmlElement> entries = new LinkedHashMap<>();
        for (XmlElement n : Tree.section(config.configuration(), "nodes").elements("node")) {
            if (REMOTE.equals(n.attr("type"))) {
                String name = n.attr("uname", n.id());
                entries.put(name, n);
                found.putIfAbsent(name, new String[] {REMOTE, null, null});
            }
        }
        java.util.Set<String> members = new java.util.HashSet<>();
        nodes.forEach(n -> members.add(n.name()));
        boolean fencing = stonithEnabled();
        for (Map.Entry<String, String[]> e : found.entrySet()) {
            String name = e.getKey();
            if (members.contains(name)) {
                continue;
            }
            String type = e.getValue()[0];
            Map<String, Role> connection = e.getValue()[1] == null ? Map.of() : placement.getOrDefault(e.getValue()[1], Map.of());
            boolean failed = connection.containsValue(Role.FAILED);
            boolean online = !failed && (connection.containsValue(Role.STARTED) || connection.containsValue(Role.PROMOTED));
            if (e.getValue()[2] != null) {
                Map<String, Role> container = placement.getOrDefault(e.getValue()[2], Map.of());
                online = online && !container.containsValue(Role.FAILED) && container.containsValue(Role.STARTED);
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            XmlElement entry = entries.get(name);
            if (entry != null) {
                for (XmlElement set : entry.elements("instance_attributes")) {
                    set.elements("nvpair").forEach(p -> attrs.put(p.attr("name"), p.attr("value", "")));
                }
            }
            Optional<XmlElement> st = nodeState(entry == null ? name : entry.id(), name);
            st.flatMap(x -> x.element("transient_attributes")).ifPresent(t -> {
                for (XmlElement set : t.elements("instance_attributes")) {
                    set.elements("nvpair").forEach(p -> attrs.put(p.attr("name"), p.attr("value", "")));
                }
            });
            if (failed && fencing) {
                unclean.add(name);
            }
            nodes.add(new NodeView(entry == null ? name : entry.id(), name, online, truthy(attrs.get("standby")),
                    truthy(attrs.get("maintenance")), attrs, type));
        }
    }

    private boolean stonithEnabled() {
        Map<String, String> props = new LinkedHashMap<>();
        for (XmlElement set : Tree.section(config.configuration(), "crm_config").elements("cluster_property_set")) {
            set.elements("nvpair").forEach(p -> props.put(p.attr("name", ""), p.attr("value", "")));
        }
        return new org.pulse.cib.model.ClusterOptions(props).stonithEnabled();
    }

    /**
     * The policy engine's reading of a node_state (its membership rules, for the states crmd
     * writes): with fencing enabled, a node that is not shutting down, is expected up
     * (expected="member") and is out of the membership or has no crmd, or whose join was refused.
     */
    private boolean uncleanState(XmlElement st, Map<String, String> attrs) {
        if (!stonithEnabled()) {
            return false;
        }
        String shutdown = attrs.get("shutdown");
        if (shutdown != null && !shutdown.isEmpty() && !shutdown.equals("0") && !shutdown.equalsIgnoreCase("false")) {
            return false;
        }
        if ("nack".equalsIgnoreCase(st.attr("join"))) {
            return true;
        }
        if (!"member".equalsIgnoreCase(st.attr("expected"))) {
            return false;
        }
        return !upOrSince(st.attr("in_ccm"), "true") || !upOrSince(st.attr("crmd"), "online");
    }

    /** A membership field: its up word, or (Pacemaker 2.1.7 and later) the time since when it is up. */
    private static boolean upOrSince(String v, String upWord) {
        return v != null && (v.equalsIgnoreCase(upWord) || v.matches("[1-9][0-9]*"));
    }

    static boolean truthy(String v) {
        return v != null && (v.equalsIgnoreCase("on") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes")
                || v.equals("1"));
    }

    /** The expected rc of an operation: the third field of its transition key (action:transition:rc:uuid). */
    public static int targetRc(XmlElement op) {
        String key = op.attr("transition-key");
        if (key != null) {
            String[] parts = key.split(":");
            if (parts.length >= 3) {
                try {
                    return Integer.parseInt(parts[2]);
                } catch (NumberFormatException ignored) {
                    // fall through to the usual expectation
                }
            }
        }
        return 0;
    }

    private static int intAttr(XmlElement e, String name, int fallback) {
        try {
            return Integer.parseInt(e.attr(name, Integer.toString(fallback)));
        } catch (NumberFormatException ex) {
            return fallback;
        }
    }

    private static long longAttr(XmlElement e, String name) {
        try {
            return Long.parseLong(e.attr(name, "0"));
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    private void readHistory() {
        for (XmlElement state : status().elements("node_state")) {
            String node = state.attr("uname", state.id());
            for (XmlElement lrm : state.elements("lrm")) {
                for (XmlElement resources : lrm.elements("lrm_resources")) {
                    for (XmlElement r : resources.elements("lrm_resource")) {
                        readResource(node, r);
                    }
                }
            }
            state.element("transient_attributes").ifPresent(t -> readFailCounts(node, t));
        }
    }

    private void readResource(String node, XmlElement r) {
        String id = r.id();
        int colon = id.indexOf(':');
        String base = colon > 0 ? id.substring(0, colon) : id;
        List<XmlElement> ops = new ArrayList<>(r.elements("lrm_rsc_op"));
        ops.removeIf(o -> intAttr(o, "call-id", -1) < 0);
        ops.sort(Comparator.comparingInt(o -> intAttr(o, "call-id", 0)));
        Role role = Role.STOPPED;
        java.util.Set<Integer> seenFailures = new java.util.HashSet<>();
        for (XmlElement op : ops) {
            String name = op.attr("operation", "");
            int rc = intAttr(op, "rc-code", 0);
            int opStatus = intAttr(op, "op-status", 0);
            int target = targetRc(op);
            long interval = longAttr(op, "interval");
            boolean failure = rc != target || (opStatus != 0 && opStatus != -1);
            if (failure && !(name.equals("monitor") && interval == 0 && (rc == 7 || rc == 0 || rc == 8))) {
                if (seenFailures.add(intAttr(op, "call-id", 0))) {
                    failed.add(new FailedAction(base, name, interval, node, rc, opStatus, op.attr("exit-reason", ""),
                            longAttr(op, "last-rc-change"), intAttr(op, "call-id", 0)));
                }
                if (name.equals("monitor") && interval == 0 && rc == 5) {
                    // Pacemaker's reading: a probe that finds the agent not installed says the resource is
                    // not running there (and cannot run there), not that it failed
                    notInstalled.add(base);
                    role = Role.STOPPED;
                    continue;
                }
                if (!name.equals("stop") || rc != 0) {
                    role = name.equals("start") && rc == 7 ? Role.STOPPED : Role.FAILED;
                    continue;
                }
            }
            switch (name) {
                case "start", "migrate_from" -> role = rc == 0 ? Role.STARTED : role;
                case "promote" -> role = rc == 0 ? Role.PROMOTED : role;
                case "demote" -> role = rc == 0 ? Role.STARTED : role;
                case "stop", "migrate_to" -> role = rc == 0 ? Role.STOPPED : role;
                case "monitor" -> {
                    if (rc == 0 && role != Role.FAILED) {
                        role = role == Role.PROMOTED && interval > 0 ? role : Role.STARTED;
                    } else if (rc == 8) {
                        role = Role.PROMOTED;
                    } else if (rc == 7 && interval == 0) {
                        role = Role.STOPPED;
                    }
                }
                default -> {
                    // notify, meta-data, reload: no change of state
                }
            }
        }
        if (role != Role.STOPPED) {
            placement.computeIfAbsent(base, k -> new TreeMap<>()).put(node, role);
        }
    }

    private void readFailCounts(String node, XmlElement transientAttrs) {
        Map<String, Long> last = new LinkedHashMap<>();
        for (XmlElement set : transientAttrs.elements("instance_attributes")) {
            for (XmlElement p : set.elements("nvpair")) {
                String n = p.attr("name", "");
                if (n.startsWith("last-failure-")) {
                    last.put(n.substring("last-failure-".length()), longAttr(p, "value"));
                }
            }
        }
        for (XmlElement set : transientAttrs.elements("instance_attributes")) {
            for (XmlElement p : set.elements("nvpair")) {
                String n = p.attr("name", "");
                if (n.startsWith("fail-count-")) {
                    String key = n.substring("fail-count-".length());
                    int hash = key.indexOf('#');
                    String rsc = hash > 0 ? key.substring(0, hash) : key;
                    String op = hash > 0 ? key.substring(hash + 1) : "";
                    int count;
                    String v = p.attr("value", "0");
                    count = v.toUpperCase().contains("INFINITY") ? 1000000 : parseIntOr(v, 0);
                    failCounts.add(new FailCount(node, rsc, op, count, last.getOrDefault(key, 0L)));
                }
            }
        }
    }

    private static int parseIntOr(String v, int fallback) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void readMoves() {
        for (XmlElement c : Tree.section(config.configuration(), "constraints").elements("rsc_location")) {
            String id = c.id();
            if (id == null || !(id.startsWith("cli-prefer-") || id.startsWith("cli-ban-"))) {
                continue;
            }
            String node = c.attr("node");
            String expires = null;
            for (XmlElement rule : c.elements("rule")) {
                for (XmlElement e : rule.elements("expression")) {
                    if ("#uname".equals(e.attr("attribute"))) {
                        node = e.attr("value");
                    }
                }
                for (XmlElement d : rule.elements("date_expression")) {
                    if ("lt".equals(d.attr("operation"))) {
                        expires = d.attr("end");
                    }
                }
            }
            String score = c.attr("score");
            if (score == null) {
                score = c.elements("rule").stream().map(r -> r.attr("score", "")).findFirst().orElse("");
            }
            boolean expired = false;
            if (expires != null) {
                Instant end = Lifetime.parseEnd(expires);
                expired = end != null && !now.isBefore(end);
            }
            moves.add(new MoveConstraint(id, c.attr("rsc"), node, score, expires, expired));
        }
    }

    /** Nodes where the resource (or, for a group or clone, any member) is active. */
    public List<String> activeNodes(String rsc) {
        List<String> out = new ArrayList<>();
        Optional<Configuration.CibObject> o = config.find(rsc);
        if (o.isEmpty()) {
            return out;
        }
        collectActive(o.get().element(), out);
        return out.stream().distinct().toList();
    }

    private void collectActive(XmlElement e, List<String> out) {
        if (e.name().equals("primitive")) {
            placement.getOrDefault(e.id(), Map.of()).forEach((node, role) -> {
                if (role != Role.STOPPED) {
                    out.add(node);
                }
            });
            return;
        }
        for (XmlElement c : e.elements()) {
            if (Configuration.RESOURCE_TAGS.contains(c.name())) {
                collectActive(c, out);
            }
        }
    }

    /** meta attribute of a resource (the first set that has it), or null. */
    public static String meta(XmlElement rsc, String name) {
        for (XmlElement set : rsc.elements("meta_attributes")) {
            for (XmlElement p : set.elements("nvpair")) {
                if (name.equals(p.attr("name"))) {
                    return p.attr("value");
                }
            }
        }
        return null;
    }
}
