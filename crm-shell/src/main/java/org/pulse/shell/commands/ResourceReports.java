package org.pulse.shell.commands;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ColocationConstraint;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.Rule;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.config.Tree;
import org.pulse.shell.render.StatusModel;

/**
 * What {@code crm resource constraints} and {@code crm resource operations} print: crmsh runs
 * {@code crm_resource --constraints -r RSC} and {@code crm_resource -O [-r RSC] [-N NODE]} for them, so
 * these are crm_resource's reports, in its words and order, read from a CIB (pure functions of it and
 * the time).
 */
public final class ResourceReports {
    private ResourceReports() {
    }

    /**
     * crm_resource --constraints: the location constraints of the resource (a group's or clone's member
     * answers for the group or clone, as crm_resource does), the resources colocated with it and those it
     * is colocated with, each with its own locations. Empty when none.
     */
    public static String constraints(StatusModel m, String rsc) {
        XmlElement resources = Tree.section(m.config.configuration(), "resources");
        String top = topParent(resources, rsc);
        CibModel cib = CibModel.from(m.cib);
        StringBuilder sb = new StringBuilder();
        locations(sb, m, cib, top, "");
        List<Colocated> pairs = new ArrayList<>();
        for (ColocationConstraint c : cib.constraints().colocations()) {
            if (c.sets().isEmpty() && c.rsc() != null && c.withRsc() != null) {
                pairs.add(new Colocated(c.id(), c.rsc(), c.withRsc(), c.score(), c.withRscRole()));
            } else {
                pairs.addAll(pairs(c));
            }
        }
        colocations(sb, m, cib, "Resources colocated with " + top + ":",
                pairs.stream().filter(c -> c.withRsc().equals(top)).toList(), true);
        colocations(sb, m, cib, "Resources " + top + " is colocated with:",
                pairs.stream().filter(c -> c.rsc().equals(top)).toList(), false);
        return sb.toString();
    }

    /** One colocation of {@code rsc} with {@code withRsc}, as a constraint or a resource set makes it. */
    private record Colocated(String id, String rsc, String withRsc, String score, String withRole) {
    }

    /**
     * The colocations a constraint of resource sets makes, as Pacemaker unpacks them: in a sequential
     * set each member is placed with the one before it (named by the set's id); of two sets in a row the
     * first is placed with the second (named by the constraint's id): a sequential set takes part by
     * its first member when it depends, by its last when it is depended on; every member of a set that
     * is not sequential.
     */
    private static List<Colocated> pairs(ColocationConstraint c) {
        List<Colocated> out = new ArrayList<>();
        for (org.pulse.cib.model.ResourceSet set : c.sets()) {
            String score = set.score() != null ? set.score() : c.score();
            if (set.sequential()) {
                for (int i = 1; i < set.resources().size(); i++) {
                    out.add(new Colocated(set.id(), set.resources().get(i), set.resources().get(i - 1), score, set.role()));
                }
            }
        }
        for (int i = 0; i + 1 < c.sets().size(); i++) {
            org.pulse.cib.model.ResourceSet dependent = c.sets().get(i);
            org.pulse.cib.model.ResourceSet primary = c.sets().get(i + 1);
            if (dependent.resources().isEmpty() || primary.resources().isEmpty()) {
                continue;
            }
            List<String> deps = dependent.sequential() ? List.of(dependent.resources().get(0)) : dependent.resources();
            List<String> prims = primary.sequential() ? List.of(primary.resources().get(primary.resources().size() - 1))
                    : primary.resources();
            for (String d : deps) {
                for (String p : prims) {
                    out.add(new Colocated(c.id(), d, p, c.score(), primary.role()));
                }
            }
        }
        return out;
    }

    /** One colocation list: each constraint's other resource (the dependent, or the primary) with its locations. */
    private static void colocations(StringBuilder sb, StatusModel m, CibModel cib, String header,
            List<Colocated> list, boolean dependents) {
        if (list.isEmpty()) {
            return;
        }
        sb.append(header).append('\n');
        for (Colocated c : list) {
            String other = dependents ? c.rsc() : c.withRsc();
            sb.append("  * ").append(colocation(other, c, dependents)).append('\n');
            locations(sb, m, cib, other, "    ");
        }
    }

    /** The outermost group, clone or bundle holding {@code rsc}, or {@code rsc} itself. */
    private static String topParent(XmlElement resources, String rsc) {
        for (XmlElement r : resources.elements()) {
            if (r.id() != null && (r.id().equals(rsc) || Tree.descendants(r, "primitive").stream()
                    .anyMatch(p -> rsc.equals(p.id())) || Tree.descendants(r, "group").stream().anyMatch(g -> rsc.equals(g.id())))) {
                return r.id();
            }
        }
        return rsc;
    }

    /** "d2 (score=INFINITY, id=col)"; a primary's role above Started shows, as crm_resource shows it. */
    private static String colocation(String other, Colocated c, boolean dependents) {
        String role = c.withRole();
        boolean showRole = role != null && !role.equalsIgnoreCase("Started") && !role.equalsIgnoreCase("Stopped");
        return other + " (score=" + score(c.score()) + (showRole ? ", " + (dependents ? "needs" : "with") + " role="
                + canonicalRole(role) : "") + ", id=" + c.id() + ")";
    }

    private static String canonicalRole(String role) {
        return switch (role.toLowerCase(java.util.Locale.ROOT)) {
            case "master", "promoted" -> "Promoted";
            case "slave", "unpromoted" -> "Unpromoted";
            default -> role;
        };
    }

    private static String score(String text) {
        return Scores.format(Scores.parse(text, 0));
    }

    /**
     * The "Locations:" list of {@code rsc}: a node= constraint gives its node, a rule the nodes it holds
     * on now (named by the rule's id, as crm_resource names them); constraints in the reverse of document
     * order, as crm_resource lists them.
     */
    private static void locations(StringBuilder sb, StatusModel m, CibModel cib, String rsc, String pad) {
        List<String> lines = new ArrayList<>();
        // its own, those whose rsc-pattern matches it (a regular expression found in the id, as Pacemaker
        // matches it), and those of a resource set holding it
        List<LocationConstraint> mine = new ArrayList<>(cib.constraints().locations().stream()
                .filter(l -> rsc.equals(l.rsc()) || l.rscPattern() != null && patternFinds(l.rscPattern(), rsc)
                        || l.sets().stream().anyMatch(set -> set.resources().contains(rsc))).toList());
        java.util.Collections.reverse(mine);
        for (LocationConstraint l : mine) {
            if (l.node() != null) {
                lines.add("Node " + l.node() + " (score=" + score(l.score()) + ", id=" + l.id() + ", rsc=" + rsc + ")");
                continue;
            }
            for (Rule rule : l.rules()) {
                for (StatusModel.NodeView n : m.nodes) {
                    Map<String, String> attrs = new LinkedHashMap<>(n.attributes());
                    attrs.put("#uname", n.name());
                    attrs.put("#id", n.id());
                    attrs.put("#kind", n.remote() ? "remote" : "cluster");
                    if (rule.matches(RuleContext.forNode(attrs, m.now))) {
                        lines.add("Node " + n.name() + " (score=" + score(rule.score()) + ", id=" + rule.id() + ", rsc="
                                + rsc + ")");
                    }
                }
            }
        }
        if (!lines.isEmpty()) {
            sb.append(pad).append(pad.isEmpty() ? "" : "* ").append("Locations:\n");
            for (String line : lines) {
                sb.append(pad).append("  * ").append(line).append('\n');
            }
        }
    }

    private static boolean patternFinds(String pattern, String rsc) {
        try {
            return java.util.regex.Pattern.compile(pattern).matcher(rsc).find();
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;   // verify names a pattern that does not compile
        }
    }

    /**
     * crm_resource -O: every recorded operation (of {@code rsc} and what it holds when given, on {@code node}
     * when given), node by node as the status section has them, each resource's by call id, with the
     * resource's state as crm_mon gives it.
     */
    public static String operations(StatusModel m, String rsc, String node, ZoneId zone) {
        XmlElement resources = Tree.section(m.config.configuration(), "resources");
        java.util.Set<String> wanted = rsc == null ? null : new java.util.HashSet<>(List.of(rsc));
        if (wanted != null) {
            Tree.findById(resources, rsc).ifPresent(r -> Tree.descendants(r, "primitive").forEach(p -> wanted.add(p.id())));
        }
        StringBuilder sb = new StringBuilder();
        for (XmlElement state : Tree.section(m.cib, "status").elements("node_state")) {
            String nodeName = state.attr("uname", state.id());
            if (node != null && !node.equals(nodeName)) {
                continue;
            }
            for (XmlElement lr : Tree.descendants(state, "lrm_resource")) {
                String id = lr.id() == null ? "" : lr.id();
                String base = id.replaceFirst(":[0-9]+$", "");
                if (wanted != null && !wanted.contains(base)) {
                    continue;
                }
                String head = id + "\t(" + agent(lr) + "):\t " + state(m, resources, base) + ": ";
                List<XmlElement> ops = new ArrayList<>(lr.elements("lrm_rsc_op"));
                ops.sort(Comparator.comparingLong(o -> number(o.attr("call-id"))));
                for (XmlElement op : ops) {
                    sb.append(head).append(op.attr("operation_key", op.id())).append(" (node=").append(nodeName)
                            .append(", call=").append(op.attr("call-id", "")).append(", rc=").append(op.attr("rc-code", ""))
                            .append(", last-rc-change='").append(StatusCommand.time(number(op.attr("last-rc-change")), zone))
                            .append("', exec=").append(op.attr("exec-time", "0")).append("ms): ")
                            .append(execStatus(op.attr("op-status", "0"))).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static String agent(XmlElement lr) {
        String cls = lr.attr("class", "");
        return lr.attr("provider") == null ? cls + ":" + lr.attr("type", "") : cls + ":" + lr.attr("provider") + ":"
                + lr.attr("type", "");
    }

    /** The resource's state as crm_mon's line gives it, without the nodes: "Started", "FAILED", "Stopped (disabled)". */
    private static String state(StatusModel m, XmlElement resources, String primitive) {
        XmlElement p = Tree.findById(resources, primitive).orElse(null);
        Map<String, StatusModel.Role> where = m.placement.getOrDefault(primitive, Map.of());
        boolean promotable = p != null && inPromotable(resources, primitive);
        String s;
        if (where.containsValue(StatusModel.Role.FAILED)) {
            s = "FAILED";
        } else if (where.containsValue(StatusModel.Role.PROMOTED)) {
            s = "Promoted";
        } else if (where.containsValue(StatusModel.Role.STARTED)) {
            s = promotable ? "Unpromoted" : "Started";
        } else {
            s = "Stopped";
        }
        boolean disabled = p != null && "stopped".equalsIgnoreCase(StatusModel.meta(p, "target-role"));
        boolean unmanaged = m.unmanaged.contains(primitive);
        if (disabled || unmanaged) {
            s += " (" + (disabled ? "disabled" : "") + (disabled && unmanaged ? ", " : "") + (unmanaged ? "unmanaged" : "") + ")";
        }
        return s;
    }

    private static boolean inPromotable(XmlElement resources, String primitive) {
        for (XmlElement c : resources.elements()) {
            if ((c.name().equals("master") || c.name().equals("clone") && "true".equalsIgnoreCase(StatusModel.meta(c, "promotable")))
                    && Tree.descendants(c, "primitive").stream().anyMatch(x -> primitive.equals(x.id()))) {
                return true;
            }
        }
        return false;
    }

    /** Pacemaker's words for an operation's execution status (op-status). */
    private static String execStatus(String opStatus) {
        return switch (opStatus) {
            case "-1" -> "pending";
            case "0" -> "complete";
            case "1" -> "Cancelled";
            case "2" -> "Timed Out";
            case "3" -> "NOT SUPPORTED";
            case "4" -> "Error";
            case "5" -> "Hard error";
            case "6" -> "Fatal error";
            case "7" -> "Not installed";
            default -> "op-status " + opStatus;
        };
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
