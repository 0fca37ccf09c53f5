package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pulse.cib.model.Durations;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.shell.CrmException;

/**
 * crm resource trace / untrace as crmsh 4.4 does them to a primitive's operations: {@code trace_ra=1} (and
 * {@code trace_dir} when the operator names one) in an op's instance attributes, which reach the agent as
 * {@code OCF_RESKEY_trace_ra}; the agent then traces itself (ClusterLabs' ocf-shellfuncs, Pulse's ocf-pulse.sh).
 * An op the trace needs and the primitive lacks is added ({@code RSC-OP-INTERVAL}, interval as given), and
 * untrace removes such an op again once it says nothing else. Pure: a primitive in, the primitive out.
 */
public final class OpTrace {
    static final String TRACE_RA = "trace_ra";
    static final String TRACE_DIR = "trace_dir";

    private OpTrace() {
    }

    /**
     * What to trace: {@code op} null means the resource's start and stop (promote and demote too when
     * {@code promotable}) and every op it has; {@code interval} null means every op of that name; {@code dir}
     * null leaves the directory to the node (DATA_DIR/trace_ra). {@code takenIds}: ids in use in the CIB.
     */
    public static XmlElement trace(XmlElement prim, String op, String interval, String dir, boolean promotable,
            Set<String> takenIds) throws CrmException {
        String rsc = prim.id();
        XmlElement out = prim;
        if (op == null) {
            List<String> needed = new ArrayList<>(List.of("start", "stop"));
            if (promotable) {
                needed.addAll(List.of("promote", "demote"));
            }
            for (String name : needed) {
                if (ops(out).stream().noneMatch(o -> name.equals(o.attr("name")))) {
                    out = withOp(out, name, "0", takenIds);
                }
            }
            return withEachOp(out, o -> true, dir);
        }
        if (interval == null) {
            if (ops(out).stream().noneMatch(o -> op.equals(o.attr("name")))) {
                if (op.equals("monitor")) {
                    throw new CrmException("resource trace: no monitor operation configured for " + rsc + "; add one"
                            + " (configure edit " + rsc + ") or trace the probe: crm resource trace " + rsc + " probe");
                }
                out = withOp(out, op, "0", takenIds);
            }
            return withEachOp(out, o -> op.equals(o.attr("name")), dir);
        }
        long ms = intervalMs(interval);
        if (find(out, op, ms) == null) {
            if (ms != 0) {
                throw new CrmException("resource trace: operation " + op + " with interval " + interval + " not found in "
                        + rsc + " (its operations: " + describe(out) + ")");
            }
            out = withOp(out, op, interval, takenIds);
        }
        return withEachOp(out, o -> op.equals(o.attr("name")) && Durations.parseMs(o.attr("interval"), 0) == ms, dir);
    }

    /** Undoes {@link #trace}: {@code op} null means every traced op. */
    public static XmlElement untrace(XmlElement prim, String op, String interval) throws CrmException {
        String rsc = prim.id();
        java.util.function.Predicate<XmlElement> which;
        if (op == null) {
            which = o -> traceSet(o) != null;
        } else if (interval == null) {
            if (ops(prim).stream().noneMatch(o -> op.equals(o.attr("name")))) {
                throw new CrmException("resource untrace: operation " + op + " not found in " + rsc + " (its operations: "
                        + describe(prim) + ")");
            }
            which = o -> op.equals(o.attr("name"));
        } else {
            long ms = intervalMs(interval);
            if (find(prim, op, ms) == null) {
                throw new CrmException("resource untrace: operation " + op + " with interval " + interval
                        + " not found in " + rsc + " (its operations: " + describe(prim) + ")");
            }
            which = o -> op.equals(o.attr("name")) && Durations.parseMs(o.attr("interval"), 0) == ms;
        }
        XmlElement ops = prim.element("operations").orElse(null);
        if (ops == null) {
            return prim;
        }
        List<XmlNode> kept = new ArrayList<>();
        for (XmlNode n : ops.children()) {
            if (n instanceof XmlElement o && o.name().equals("op") && which.test(o)) {
                XmlElement untraced = untraced(o);
                if (!isDummy(untraced)) {
                    kept.add(untraced);
                }
            } else {
                kept.add(n);
            }
        }
        XmlElement newOps = ops.withChildren(kept);
        return newOps.elements().isEmpty() ? prim.withoutChildren(e -> e.name().equals("operations"))
                : prim.withChildReplaced(e -> e.name().equals("operations"), newOps);
    }

    /**
     * The CIB with primitive {@code rsc} traced ({@code trace}) or untraced; refused for an id that is no
     * primitive (crmsh: "element is not a primitive resource"), since a trace is an agent's.
     */
    public static XmlElement apply(XmlElement cib, String rsc, boolean trace, String op, String interval, String dir)
            throws CrmException {
        String cmd = trace ? "resource trace" : "resource untrace";
        XmlElement resources = Tree.section(Tree.section(cib, "configuration"), "resources");
        XmlElement prim = Tree.findById(resources, rsc).orElseThrow(() -> new CrmException(cmd + ": no resource '" + rsc
                + "' in the configuration; see crm configure show"));
        if (!prim.name().equals("primitive")) {
            throw new CrmException(cmd + ": " + rsc + " is a " + prim.name() + ", not a primitive; " + cmd.substring(9)
                    + " one of its primitives (an agent traces itself)");
        }
        XmlElement changed;
        if (trace) {
            changed = trace(prim, op, interval, dir, promotable(resources, rsc), Tree.ids(cib));
        } else {
            changed = untrace(prim, op, interval);
        }
        return Tree.transform(cib, e -> e == prim ? changed : e);
    }

    /** Whether the primitive is in a promotable clone (or a legacy master), directly or through a group. */
    private static boolean promotable(XmlElement resources, String rsc) {
        for (XmlElement c : resources.elements()) {
            boolean isPromotable = c.name().equals("master") || c.name().equals("clone")
                    && c.elements("meta_attributes").stream().flatMap(m -> m.elements("nvpair").stream())
                            .anyMatch(n -> "promotable".equals(n.attr("name")) && "true".equalsIgnoreCase(n.attr("value")));
            if (isPromotable && Tree.findById(c, rsc).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any op of the primitive is traced. */
    public static boolean traced(XmlElement prim) {
        return ops(prim).stream().anyMatch(o -> traceSet(o) != null);
    }

    private static long intervalMs(String interval) throws CrmException {
        Long ms = org.pulse.cib.CibValidator.durationMs(interval);
        if (ms == null) {
            throw new CrmException("resource trace: '" + interval + "' is not an interval; give seconds (10) as in"
                    + " the op's interval");
        }
        return ms;
    }

    private static List<XmlElement> ops(XmlElement prim) {
        return prim.element("operations").map(o -> o.elements("op")).orElse(List.of());
    }

    private static XmlElement find(XmlElement prim, String op, long ms) {
        return ops(prim).stream().filter(o -> op.equals(o.attr("name")) && Durations.parseMs(o.attr("interval"), 0) == ms)
                .findFirst().orElse(null);
    }

    private static String describe(XmlElement prim) {
        List<String> out = new ArrayList<>();
        ops(prim).forEach(o -> out.add(o.attr("name") + " interval=" + o.attr("interval", "0")));
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private static XmlElement withOp(XmlElement prim, String name, String interval, Set<String> takenIds) {
        String id = prim.id() + "-" + name + "-" + interval;
        for (int i = 1; takenIds.contains(id); i++) {
            id = prim.id() + "-" + name + "-" + interval + "-" + i;
        }
        takenIds.add(id);
        XmlElement op = XmlElement.of("op", "id", id, "name", name, "interval", interval);
        XmlElement ops = prim.element("operations").orElse(XmlElement.of("operations"));
        return prim.withChildReplaced(e -> e.name().equals("operations"), ops.withChildAppended(op));
    }

    private static XmlElement withEachOp(XmlElement prim, java.util.function.Predicate<XmlElement> which, String dir) {
        XmlElement ops = prim.element("operations").orElse(null);
        if (ops == null) {
            return prim;
        }
        List<XmlNode> kids = new ArrayList<>();
        for (XmlNode n : ops.children()) {
            kids.add(n instanceof XmlElement o && o.name().equals("op") && which.test(o) ? traced(o, dir) : n);
        }
        return prim.withChildReplaced(e -> e.name().equals("operations"), ops.withChildren(kids));
    }

    /** The op with trace_ra=1 (and trace_dir) in its first instance attribute set, made when it has none. */
    private static XmlElement traced(XmlElement op, String dir) {
        XmlElement set = op.element("instance_attributes")
                .orElse(XmlElement.of("instance_attributes", "id", op.id() + "-instance_attributes"));
        set = withNvpair(set, TRACE_RA, "1");
        if (dir != null) {
            set = withNvpair(set, TRACE_DIR, dir);
        }
        XmlElement s = set;
        return op.withChildReplaced(e -> e.name().equals("instance_attributes"), s);
    }

    private static XmlElement withNvpair(XmlElement set, String name, String value) {
        XmlElement nv = set.elements("nvpair").stream().filter(n -> name.equals(n.attr("name"))).findFirst()
                .map(n -> n.withAttribute("value", value))
                .orElse(XmlElement.of("nvpair", "name", name, "value", value, "id", set.id() + "-" + name));
        return set.withChildReplaced(e -> e.name().equals("nvpair") && name.equals(e.attr("name")), nv);
    }

    private static XmlElement traceSet(XmlElement op) {
        return op.elements("instance_attributes").stream().filter(s -> s.elements("nvpair").stream()
                .anyMatch(n -> TRACE_RA.equals(n.attr("name")))).findFirst().orElse(null);
    }

    private static XmlElement untraced(XmlElement op) {
        List<XmlNode> kids = new ArrayList<>();
        for (XmlNode n : op.children()) {
            if (n instanceof XmlElement s && s.name().equals("instance_attributes")) {
                XmlElement left = s.withoutChildren(e -> e.name().equals("nvpair")
                        && (TRACE_RA.equals(e.attr("name")) || TRACE_DIR.equals(e.attr("name"))));
                if (!left.elements().isEmpty()) {
                    kids.add(left);
                }
            } else {
                kids.add(n);
            }
        }
        return op.withChildren(kids);
    }

    /** crmsh's "dummy operation": only id, name and a zero interval, nothing in it; an op only a trace made. */
    private static boolean isDummy(XmlElement op) {
        return op.attributes().size() == 3 && op.attr("id") != null && op.attr("name") != null
                && Durations.parseMs(op.attr("interval"), -1) == 0 && op.elements().isEmpty();
    }
}
