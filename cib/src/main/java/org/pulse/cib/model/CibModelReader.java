package org.pulse.cib.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import org.pulse.cib.xml.AttributeMap;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * The pure function from a {@code <cib>} tree to {@link CibModel}. Resolves {@code id-ref}s of
 * attribute sets, rules and resource templates through one index of the configuration's ids.
 */
final class CibModelReader {
    private static final XmlElement EMPTY = XmlElement.of("empty");
    private final XmlElement root;
    private final Map<String, XmlElement> byId = new HashMap<>();
    private final Map<String, XmlElement> templates = new HashMap<>();

    CibModelReader(XmlElement root) {
        this.root = root;
    }

    private XmlElement config = EMPTY;
    private boolean indexed;

    CibModel read() {
        config = root.element("configuration").orElse(EMPTY);
        for (XmlElement rs : config.elements("resources")) {
            for (XmlElement t : rs.elements("template")) {
                templates.put(t.id(), t);
            }
        }
        List<NvSet> props = new ArrayList<>();
        for (XmlElement crm : config.elements("crm_config")) {
            for (XmlElement s : crm.elements("cluster_property_set")) {
                props.add(nvSet(s));
            }
        }
        Instant execDate = null;
        String ed = root.attr("execution-date");
        if (ed != null) {
            try {
                execDate = Instant.ofEpochSecond(Long.parseLong(ed.trim()));
            } catch (NumberFormatException e) {
                execDate = IsoDates.parse(ed);
            }
        }
        Map<String, String> opts = NvSet.merge(props, RuleContext.at(execDate));
        List<NodeConfig> nodes = new ArrayList<>();
        for (XmlElement ns : config.elements("nodes")) {
            for (XmlElement n : ns.elements("node")) {
                nodes.add(node(n));
            }
        }
        List<ResourceConfig> resources = new ArrayList<>();
        for (XmlElement rs : config.elements("resources")) {
            for (XmlElement r : rs.elements()) {
                ResourceConfig rc = resource(r);
                if (rc != null) {
                    resources.add(rc);
                }
            }
        }
        Constraints constraints = constraints(config.element("constraints").orElse(EMPTY));
        List<NvSet> rscDefaults = sets(config.element("rsc_defaults").orElse(EMPTY), "meta_attributes");
        List<NvSet> opDefaults = sets(config.element("op_defaults").orElse(EMPTY), "meta_attributes");
        List<FencingLevel> levels = new ArrayList<>();
        for (XmlElement ft : config.elements("fencing-topology")) {
            for (XmlElement l : ft.elements("fencing-level")) {
                List<String> devs = new ArrayList<>();
                for (String d : l.attr("devices", "").split(",")) {
                    if (!d.isBlank()) {
                        devs.add(d.trim());
                    }
                }
                levels.add(new FencingLevel(l.id(), l.attr("target"), l.attr("target-pattern"),
                        l.attr("target-attribute"), l.attr("target-value"), Scores.parse(l.attr("index"), 0), devs));
            }
        }
        List<AlertConfig> alerts = new ArrayList<>();
        for (XmlElement as : config.elements("alerts")) {
            for (XmlElement a : as.elements("alert")) {
                alerts.add(alert(a));
            }
        }
        List<NodeState> status = new ArrayList<>();
        Map<String, TicketState> tickets = new LinkedHashMap<>();
        for (XmlElement st : root.elements("status")) {
            status.addAll(nodeStates(st.elements("node_state")));
            for (XmlElement ts : st.elements("tickets")) {
                for (XmlElement t : ts.elements("ticket_state")) {
                    tickets.put(t.id(), new TicketState(t.id(), ClusterOptions.isTrue(t.attr("granted")),
                            ClusterOptions.isTrue(t.attr("standby"))));
                }
            }
        }
        Map<String, List<String>> tags = new LinkedHashMap<>();
        for (XmlElement ts : config.elements("tags")) {
            for (XmlElement t : ts.elements("tag")) {
                List<String> refs = new ArrayList<>();
                for (XmlElement o : t.elements("obj_ref")) {
                    refs.add(o.id());
                }
                tags.put(t.id(), refs);
            }
        }
        String hq = root.attr("have-quorum");
        boolean quorum = hq != null && ClusterOptions.isTrue(hq);
        return new CibModel(new ClusterOptions(opts), props, nodes, resources, constraints, rscDefaults, opDefaults,
                levels, alerts, status, quorum, execDate, root.attr("dc-uuid"), tags, tickets,
                ClusterOptions.isTrue(root.attr("no-quorum-panic")), root.attr("crm_feature_set"));
    }

    private void index(XmlElement e) {
        String id = e.id();
        if (id != null && !e.attributes().containsKey("id-ref")) {
            byId.putIfAbsent(id, e);
        }
        for (XmlElement c : e.elements()) {
            // operation history never holds references, and the status section is not indexed
            index(c);
        }
    }

    private XmlElement deref(XmlElement e) {
        String ref = e.attr("id-ref");
        if (ref != null) {
            if (!indexed) {
                // built on the first reference only: most CIBs have none, and a big one has 100,000 ids
                index(config);
                indexed = true;
            }
            XmlElement target = byId.get(ref);
            if (target != null) {
                return target;
            }
        }
        return e;
    }

    // ---------------------------------------------------------------- attribute sets

    private List<NvSet> sets(XmlElement parent, String kind) {
        List<NvSet> out = new ArrayList<>();
        for (XmlElement s : parent.elements(kind)) {
            out.add(nvSet(s));
        }
        return out;
    }

    private NvSet nvSet(XmlElement raw) {
        XmlElement s = deref(raw);
        Map<String, String> values = new LinkedHashMap<>();
        Rule rule = null;
        List<Rule> rules = new ArrayList<>();
        for (XmlElement c : s.elements()) {
            if (c.name().equals("nvpair")) {
                XmlElement p = deref(c);
                String name = p.attr("name");
                if (name != null && !values.containsKey(name)) {
                    values.put(name, p.attr("value", ""));
                }
            } else if (c.name().equals("rule")) {
                rules.add(rule(c));
            }
        }
        if (rules.size() == 1) {
            rule = rules.get(0);
        } else if (rules.size() > 1) {
            // several rules on one set must all hold
            rule = new Rule(s.id() + "-rules", "and", null, null, null, new ArrayList<>(rules));
        }
        return new NvSet(s.id(), s.name(), Scores.parse(s.attr("score"), 0), rule, values);
    }

    private Rule rule(XmlElement raw) {
        XmlElement r = deref(raw);
        List<RuleExpression> exprs = new ArrayList<>();
        for (XmlElement c : r.elements()) {
            switch (c.name()) {
                case "expression":
                    exprs.add(new RuleExpression.Attribute(c.id(), c.attr("attribute"), c.attr("operation"),
                            c.attr("value"), c.attr("type")));
                    break;
                case "date_expression": {
                    Map<String, String> spec = null;
                    Map<String, String> dur = null;
                    for (XmlElement d : c.elements()) {
                        if (d.name().equals("date_spec")) {
                            spec = new LinkedHashMap<>(d.attributes());
                        } else if (d.name().equals("duration")) {
                            dur = new LinkedHashMap<>(d.attributes());
                        }
                    }
                    exprs.add(new RuleExpression.Date(c.id(), c.attr("operation"), c.attr("start"), c.attr("end"),
                            spec, dur));
                    break;
                }
                case "rule":
                    exprs.add(rule(c));
                    break;
                case "rsc_expression":
                    exprs.add(new RuleExpression.ResourceType(c.id(), c.attr("class"), c.attr("provider"),
                            c.attr("type")));
                    break;
                case "op_expression": {
                    String iv = c.attr("interval");
                    exprs.add(new RuleExpression.Operation(c.id(), c.attr("name"),
                            iv == null ? null : Durations.parseMs(iv, 0)));
                    break;
                }
                default:
                    exprs.add(new RuleExpression.Unknown(c.id(), c.name()));
            }
        }
        return new Rule(r.id(), r.attr("boolean-op", "and"), r.attr("score"), r.attr("score-attribute"),
                normaliseRole(r.attr("role")), exprs);
    }

    // ---------------------------------------------------------------- nodes

    private NodeConfig node(XmlElement n) {
        String uname = n.attr("uname", n.id());
        return new NodeConfig(n.id(), uname, n.attr("type", "member"), Scores.parse(n.attr("score"), 0),
                sets(n, "instance_attributes"), sets(n, "utilization"));
    }

    // ---------------------------------------------------------------- resources

    private ResourceConfig resource(XmlElement r) {
        switch (r.name()) {
            case "primitive":
                return primitive(r);
            case "group": {
                List<PrimitiveConfig> members = new ArrayList<>();
                for (XmlElement p : r.elements("primitive")) {
                    members.add(primitive(p));
                }
                return new GroupConfig(r.id(), sets(r, "meta_attributes"), sets(r, "instance_attributes"), members);
            }
            case "clone":
            case "master": {
                ResourceConfig child = null;
                for (XmlElement c : r.elements()) {
                    if (c.name().equals("primitive") || c.name().equals("group")) {
                        child = resource(c);
                        break;
                    }
                }
                if (child == null) {
                    return null;
                }
                return new CloneConfig(r.id(), r.name().equals("master"), sets(r, "meta_attributes"),
                        sets(r, "instance_attributes"), child);
            }
            case "bundle": {
                String kind = null;
                Map<String, String> cattrs = Map.of();
                Map<String, String> net = Map.of();
                PrimitiveConfig child = null;
                for (XmlElement c : r.elements()) {
                    if (c.name().equals("docker") || c.name().equals("podman") || c.name().equals("rkt")) {
                        kind = c.name();
                        cattrs = c.attributes();
                    } else if (c.name().equals("network")) {
                        net = c.attributes();
                    } else if (c.name().equals("primitive")) {
                        child = primitive(c);
                    }
                }
                return new BundleConfig(r.id(), kind, cattrs, sets(r, "meta_attributes"),
                        sets(r, "instance_attributes"), child, net);
            }
            default:
                return null;
        }
    }

    private PrimitiveConfig primitive(XmlElement p) {
        String tmplId = p.attr("template");
        XmlElement tmpl = tmplId == null ? null : templates.get(tmplId);
        List<NvSet> inst = sets(p, "instance_attributes");
        List<NvSet> meta = sets(p, "meta_attributes");
        List<NvSet> util = sets(p, "utilization");
        List<OpConfig> ops = new ArrayList<>();
        for (XmlElement os : p.elements("operations")) {
            for (XmlElement o : deref(os).elements("op")) {
                ops.add(op(o));
            }
        }
        String cls = p.attr("class");
        String provider = p.attr("provider");
        String type = p.attr("type");
        if (tmpl != null) {
            cls = cls != null ? cls : tmpl.attr("class");
            provider = provider != null ? provider : tmpl.attr("provider");
            type = type != null ? type : tmpl.attr("type");
            inst = concat(inst, sets(tmpl, "instance_attributes"));
            meta = concat(meta, sets(tmpl, "meta_attributes"));
            util = concat(util, sets(tmpl, "utilization"));
            for (XmlElement os : tmpl.elements("operations")) {
                for (XmlElement o : os.elements("op")) {
                    OpConfig t = op(o);
                    // the primitive's own op of the same name and role (Started when none is
                    // given) replaces the template's, whatever the intervals (Pacemaker's template_op_key)
                    boolean overridden = false;
                    for (OpConfig mine : ops) {
                        overridden |= mine.name().equals(t.name()) && opRole(mine).equals(opRole(t));
                    }
                    if (!overridden) {
                        ops.add(t);
                    }
                }
            }
        }
        return new PrimitiveConfig(p.id(), cls, provider, type, inst, meta, util, ops, tmplId);
    }

    private static String opRole(OpConfig o) {
        return o.role() == null || o.role().isEmpty() ? "Started" : o.role();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private OpConfig op(XmlElement raw) {
        XmlElement o = deref(raw);
        String t = o.attr("timeout");
        Long timeoutMs = t == null ? null : Durations.parseMs(t, 20_000);
        String enabled = o.attr("enabled");
        List<NvSet> meta = sets(o, "meta_attributes");
        List<NvSet> inst = sets(o, "instance_attributes");
        return new OpConfig(o.id(), o.attr("name"), Durations.parseMs(o.attr("interval"), 0),
                normaliseRole(o.attr("role")), timeoutMs, o.attr("on-fail"),
                enabled == null || ClusterOptions.isTrue(enabled), o.attributes(), meta, inst);
    }

    /** Legacy role names (Master/Slave) as the current ones. */
    static String normaliseRole(String role) {
        if (role == null) {
            return null;
        }
        switch (role) {
            case "Master": return "Promoted";
            case "Slave": return "Unpromoted";
            default: return role;
        }
    }

    // ---------------------------------------------------------------- constraints

    private Constraints constraints(XmlElement c) {
        List<LocationConstraint> locs = new ArrayList<>();
        List<ColocationConstraint> cols = new ArrayList<>();
        List<OrderConstraint> ords = new ArrayList<>();
        List<TicketConstraint> tks = new ArrayList<>();
        for (XmlElement raw : c.elements()) {
            XmlElement e = deref(raw);
            switch (e.name()) {
                case "rsc_location": {
                    List<Rule> rules = new ArrayList<>();
                    for (XmlElement r : e.elements("rule")) {
                        rules.add(rule(r));
                    }
                    locs.add(new LocationConstraint(e.id(), e.attr("rsc"), e.attr("rsc-pattern"), e.attr("node"),
                            e.attr("score"), normaliseRole(e.attr("role")), rules,
                            e.attr("resource-discovery", "always"), resourceSets(e)));
                    break;
                }
                case "rsc_colocation":
                    cols.add(new ColocationConstraint(e.id(), e.attr("rsc"), e.attr("with-rsc"), e.attr("score"),
                            normaliseRole(e.attr("rsc-role")), normaliseRole(e.attr("with-rsc-role")),
                            e.attr("node-attribute"), e.attr("influence"), resourceSets(e)));
                    break;
                case "rsc_order": {
                    String sym = e.attr("symmetrical");
                    String ra = e.attr("require-all");
                    ords.add(new OrderConstraint(e.id(), e.attr("first"), e.attr("then"), e.attr("first-action"),
                            e.attr("then-action"), e.attr("kind"), e.attr("score"),
                            sym == null ? null : ClusterOptions.isTrue(sym), ra == null || ClusterOptions.isTrue(ra),
                            resourceSets(e)));
                    break;
                }
                case "rsc_ticket":
                    tks.add(new TicketConstraint(e.id(), e.attr("rsc"), normaliseRole(e.attr("rsc-role")), e.attr("ticket"),
                            e.attr("loss-policy"), resourceSets(e)));
                    break;
                default:
                    break;
            }
        }
        return new Constraints(locs, cols, ords, tks);
    }

    private List<ResourceSet> resourceSets(XmlElement e) {
        List<ResourceSet> out = new ArrayList<>();
        for (XmlElement raw : e.elements("resource_set")) {
            XmlElement s = deref(raw);
            List<String> ids = new ArrayList<>();
            for (XmlElement r : s.elements("resource_ref")) {
                ids.add(r.id());
            }
            String seq = s.attr("sequential");
            String ra = s.attr("require-all");
            out.add(new ResourceSet(s.id(), ids, seq == null || ClusterOptions.isTrue(seq),
                    ra == null || ClusterOptions.isTrue(ra), normaliseRole(s.attr("role")), s.attr("action"),
                    s.attr("kind"), s.attr("score")));
        }
        return out;
    }

    // ---------------------------------------------------------------- status

    private AlertConfig alert(XmlElement a) {
        List<AlertConfig.Recipient> rec = new ArrayList<>();
        for (XmlElement r : a.elements("recipient")) {
            rec.add(new AlertConfig.Recipient(r.id(), r.attr("value"), plainValues(r, "instance_attributes"),
                    plainValues(r, "meta_attributes")));
        }
        AlertConfig.Select select = null;
        for (XmlElement sel : a.elements("select")) {
            List<String> names = new ArrayList<>();
            boolean attrs = false;
            for (XmlElement sa : sel.elements("select_attributes")) {
                attrs = true;
                for (XmlElement n : sa.elements("attribute")) {
                    if (n.attr("name") != null) {
                        names.add(n.attr("name"));
                    }
                }
            }
            select = new AlertConfig.Select(!sel.elements("select_nodes").isEmpty(),
                    !sel.elements("select_fencing").isEmpty(), !sel.elements("select_resources").isEmpty(), attrs,
                    names);
        }
        return new AlertConfig(a.id(), a.attr("path"), plainValues(a, "instance_attributes"),
                plainValues(a, "meta_attributes"), select, rec);
    }

    /** The name/value pairs of {@code parent}'s sets of {@code kind} without a rule, the first to name one wins. */
    private static Map<String, String> plainValues(XmlElement parent, String kind) {
        Map<String, String> out = new LinkedHashMap<>();
        for (XmlElement s : parent.elements(kind)) {
            if (s.element("rule").isPresent()) {
                continue;
            }
            for (XmlElement p : s.elements("nvpair")) {
                if (p.attr("name") != null) {
                    out.putIfAbsent(p.attr("name"), p.attr("value", ""));
                }
            }
        }
        return out;
    }

    /**
     * A status section with this many history entries (lrm_resource elements) in all has its
     * node states' typed view built on two threads: with every node's probe history (32 x 10,000)
     * it was ~260 ms of a cold run.
     */
    static final int PARALLEL_HISTORY_ENTRIES = 20_000;

    /** The typed node states, in order; the second half on another thread when the history is big (see above). */
    static List<NodeState> nodeStates(List<XmlElement> states) {
        return nodeStates(states, PARALLEL_HISTORY_ENTRIES);
    }

    static List<NodeState> nodeStates(List<XmlElement> states, int parallelFrom) {
        int n = states.size();
        long[] entriesBefore = new long[n + 1];
        for (int i = 0; i < n; i++) {
            long entries = 0;
            for (XmlElement lrm : states.get(i).elements("lrm")) {
                for (XmlElement lrs : lrm.elements("lrm_resources")) {
                    entries += lrs.children().size();
                }
            }
            entriesBefore[i + 1] = entriesBefore[i] + entries;
        }
        NodeState[] out = new NodeState[n];
        if (n < 2 || entriesBefore[n] < parallelFrom) {
            for (int i = 0; i < n; i++) {
                out[i] = nodeState(states.get(i));
            }
            return List.of(out);
        }
        // the second thread takes the node states after the one where half the entries are reached
        int half = 1;
        while (half < n - 1 && entriesBefore[half] * 2 < entriesBefore[n]) {
            half++;
        }
        int from = half;
        RuntimeException[] failed = new RuntimeException[1];
        Thread second = new Thread(() -> {
            try {
                for (int i = from; i < n; i++) {
                    out[i] = nodeState(states.get(i));
                }
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "cib-typed-status");
        second.setDaemon(true);
        second.start();
        for (int i = 0; i < from; i++) {
            out[i] = nodeState(states.get(i));
        }
        boolean interrupted = false;
        while (true) {
            try {
                second.join();   // (its writes to out are visible after join)
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // the other half is needed all the same: wait for it, then pass the interrupt on
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return List.of(out);
    }

    static NodeState nodeState(XmlElement ns) {
        Map<String, String> transientAttrs = StatusView.transientAttributes(ns);
        List<LrmResource> rscs = new ArrayList<>();
        for (XmlElement lrm : ns.elements("lrm")) {
            for (XmlElement lrs : lrm.elements("lrm_resources")) {
                List<XmlNode> entries = lrs.children();
                rscs = new ArrayList<>(rscs.size() + entries.size());
                for (XmlNode entry : entries) {
                    if (!(entry instanceof XmlElement lr) || !lr.name().equals("lrm_resource")) {
                        continue;
                    }
                    // a node's history is most of a big CIB (32 x 10,000 with full probe history:
                    // 321,000 entries): read it without a list per element asked for
                    List<XmlNode> kids = lr.children();
                    List<LrmOp> ops;
                    if (kids.size() == 1 && kids.get(0) instanceof XmlElement o && o.name().equals("lrm_rsc_op")) {
                        ops = List.of(lrmOp(o));   // a probe's entry, most of a full history: no array for one
                    } else {
                        LrmOp[] found = new LrmOp[kids.size()];
                        int count = 0;
                        for (int i = 0, n = kids.size(); i < n; i++) {   // (indexed: C1 allocates an iterator per for-each)
                            if (kids.get(i) instanceof XmlElement o && o.name().equals("lrm_rsc_op")) {
                                found[count++] = lrmOp(o);
                            }
                        }
                        ops = count == found.length ? List.of(found) : List.of(Arrays.copyOf(found, count));
                    }
                    String lock = lr.attr("shutdown-lock");
                    rscs.add(new LrmResource(lr.id(), lr.attr("class"), lr.attr("provider"), lr.attr("type"),
                            lr.attr("container"), ops, lock == null ? null : longOr(lock, 0)));
                }
            }
        }
        return new NodeState(ns.id(), ns.attr("uname"), ns.attr("in_ccm"), ns.attr("crmd"), ns.attr("join"),
                ns.attr("expected"), transientAttrs, rscs, ns.attributes());
    }

    /**
     * One history entry, its attributes read in one pass (an lrm_rsc_op has some 17: looking each
     * of the 18 fields up by name was ~150 name comparisons an entry).
     */
    private static LrmOp lrmOp(XmlElement o) {
        AttributeMap attrs = o.attributeMap();
        String id = null;
        String operation = null;
        String callId = null;
        String rcCode = null;
        String opStatus = null;
        String interval = null;
        String lastRcChange = null;
        String lastRun = null;
        String execTime = null;
        String key = null;
        String magic = null;
        String digest = null;
        String restartDigest = null;
        String onNode = null;
        String migrateSource = null;
        String migrateTarget = null;
        String exitReason = null;
        for (int i = 0, n = attrs.size(); i < n; i++) {
            String v = attrs.valueAt(i);
            switch (attrs.nameAt(i)) {
                case "id": id = v; break;
                case "operation": operation = v; break;
                case "call-id": callId = v; break;
                case "rc-code": rcCode = v; break;
                case "op-status": opStatus = v; break;
                case "interval": interval = v; break;
                case "last-rc-change": lastRcChange = v; break;
                case "last-run": lastRun = v; break;
                case "exec-time": execTime = v; break;
                case "transition-key": key = v; break;
                case "transition-magic": magic = v; break;
                case "op-digest": digest = v; break;
                case "op-restart-digest": restartDigest = v; break;
                case "on_node": onNode = v; break;
                case "migrate_source": migrateSource = v; break;
                case "migrate_target": migrateTarget = v; break;
                case "exit-reason": exitReason = v; break;
                default: break;
            }
        }
        return new LrmOp(id, operation, intOr(callId, -1), intOr(rcCode, 0), intOr(opStatus, 0), longOr(interval, 0),
                longOr(lastRcChange, 0), longOr(lastRun, 0), longOr(execTime, 0), expectedRc(key), key, magic, digest,
                restartDigest, onNode, migrateSource, migrateTarget, exitReason, attrs);
    }

    /**
     * The rc the scheduler expected: the third ':'-separated field of the transition key
     * ("action:transition:rc:uuid"), -1 when there is none or it is not a number.
     */
    static int expectedRc(String key) {
        if (key == null) {
            return -1;
        }
        int first = key.indexOf(':');
        int second = first < 0 ? -1 : key.indexOf(':', first + 1);
        if (second < 0) {
            return -1;
        }
        int third = key.indexOf(':', second + 1);
        return intOr(key, second + 1, third < 0 ? key.length() : third, -1);
    }

    /** {@link #intOr(String, int)} of s[from, to), without the substring for plain digits. */
    private static int intOr(String s, int from, int to, int fallback) {
        int value = 0;
        int i = from;
        boolean negative = i < to && s.charAt(i) == '-';
        if (negative) {
            i++;
        }
        if (i < to && to - i <= 9) {
            for (; i < to; i++) {
                char ch = s.charAt(i);
                if (ch < '0' || ch > '9') {
                    break;
                }
                value = value * 10 + (ch - '0');
            }
            if (i == to) {
                return negative ? -value : value;
            }
        }
        return parsedOr(s.substring(from, to), fallback);   // spaces, a sign, long or odd digits: as parseInt reads them
    }

    static int intOr(String s, int fallback) {
        if (s == null) {
            return fallback;
        }
        int length = s.length();
        if (length > 0 && length <= 9) {
            return intOr(s, 0, length, fallback);   // plain digits without the exception machinery
        }
        return parsedOr(s, fallback);
    }

    private static int parsedOr(String s, int fallback) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static long longOr(String s, long fallback) {
        if (s == null) {
            return fallback;
        }
        int length = s.length();
        if (length > 0 && length <= 18) {
            // plain digits (every time, interval and duration an lrm_rsc_op has: 4 an entry) read
            // here; Long.parseLong's per-character Character.digit was ~5% of reading a full history
            long value = 0;
            int i = s.charAt(0) == '-' ? 1 : 0;
            for (; i < length; i++) {
                char ch = s.charAt(i);
                if (ch < '0' || ch > '9') {
                    break;
                }
                value = value * 10 + (ch - '0');
            }
            if (i == length && (length > 1 || s.charAt(0) != '-')) {
                return s.charAt(0) == '-' ? -value : value;
            }
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
