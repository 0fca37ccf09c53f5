package org.pulse.shell.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;

/**
 * crmsh's {@code configure graph [dot [FILE [FORMAT]]]}: the configuration as a graphviz digraph. Resources are
 * boxes (a group a frame whose members are chained in their start order, a clone's child labelled with its clone),
 * orders are solid arrows first to then (labelled unless mandatory), colocations dotted arrows to the resource they
 * follow, locations dashed lines from a node with the score. Without a file the dot text is printed (crmsh opens an
 * X11 window; a shell on a server has none). An image format runs graphviz's {@code dot -T}.
 */
public final class GraphCommand {
    public static final String USAGE = "graph [dot [<file> [<img_format>]]]   the configuration as a graphviz digraph"
            + " (printed without a file; an image format needs graphviz's dot)";
    private static final long DOT_TIMEOUT_S = 60;

    private GraphCommand() {
    }

    public static int run(Session s, List<String> args) throws CrmException {
        if (!args.isEmpty() && !args.get(0).equals("dot")) {
            throw new CrmException("configure graph: '" + args.get(0) + "' is no graph type; only dot is: " + USAGE);
        }
        if (args.size() > 3) {
            throw new CrmException("configure graph: usage: " + USAGE);
        }
        String dot = dot(s.config().cib());
        if (args.size() <= 1) {
            s.out.print(dot);
            return 0;
        }
        Path file = Path.of(args.get(1));
        try {
            if (args.size() == 2) {
                Files.writeString(file, dot, StandardCharsets.UTF_8);
                return 0;
            }
            return render(dot, file, args.get(2));
        } catch (IOException e) {
            throw new CrmException("configure graph: cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Runs graphviz's dot for an image; a missing dot is named, with the way around it. */
    private static int render(String dot, Path file, String format) throws CrmException, IOException {
        if (!format.matches("[A-Za-z0-9:_-]+")) {
            throw new CrmException("configure graph: '" + format + "' is no dot output format (e.g. svg, png, pdf)");
        }
        Process p;
        try {
            p = new ProcessBuilder("dot", "-T" + format, "-o", file.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new CrmException("configure graph: graphviz's dot is not installed here (apt install graphviz);"
                    + " or write the graph with 'graph dot " + file + ".dot' and render it where dot is");
        }
        p.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        try {
            if (!p.waitFor(DOT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CrmException("configure graph: dot did not finish in " + DOT_TIMEOUT_S + " s; stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new CrmException("configure graph: interrupted");
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new CrmException("configure graph: dot -T" + format + " failed (exit " + p.exitValue() + "): " + said);
        }
        return 0;
    }

    /** The digraph of {@code cib}'s configuration: same CIB, same text. */
    static String dot(XmlElement cib) {
        XmlElement conf = cib.element("configuration").orElse(XmlElement.of("configuration"));
        XmlElement resources = conf.element("resources").orElse(XmlElement.of("resources"));
        XmlElement constraints = conf.element("constraints").orElse(XmlElement.of("constraints"));
        StringBuilder b = new StringBuilder("digraph G {\n\tcompound=\"true\";\n\tfontname=\"Helvetica\";\n");
        Map<String, XmlElement> byId = new java.util.LinkedHashMap<>();
        index(resources, byId);
        for (XmlElement r : resources.elements()) {
            resource(b, r, "", "\t");
        }
        List<String> nodes = new ArrayList<>();
        for (XmlElement c : constraints.elements()) {
            switch (c.name()) {
                case "rsc_order" -> {
                    if (c.attr("first") != null && c.attr("then") != null) {
                        String kind = c.attr("kind", "Mandatory");
                        String score = c.attr("score");
                        String label = score != null && !score.matches("\\+?(INFINITY|inf)") ? score
                                : kind.equals("Mandatory") ? null : kind;
                        edge(b, byId, c.attr("first"), c.attr("then"), label == null ? "" : "label=" + q(label));
                    }
                }
                case "rsc_colocation" -> {
                    if (c.attr("rsc") != null && c.attr("with-rsc") != null) {
                        edge(b, byId, c.attr("rsc"), c.attr("with-rsc"), "style=\"dotted\",label=" + q(c.attr("score",
                                "INFINITY")));
                    }
                }
                case "rsc_location" -> {
                    String node = c.attr("node");
                    if (c.attr("rsc") != null && node != null) {
                        if (!nodes.contains(node)) {
                            nodes.add(node);
                        }
                        b.append('\t').append(q("node:" + node)).append(" -> ").append(q(first(byId, c.attr("rsc"))))
                                .append(" [style=\"dashed\",dir=\"none\",label=").append(q(c.attr("score", c.attr("role",
                                        "")))).append(lhead(byId, c.attr("rsc"))).append("];\n");
                    }
                }
                default -> {
                    // sets and tickets: not drawn (crmsh does not either)
                }
            }
        }
        for (String n : nodes) {
            b.append('\t').append(q("node:" + n)).append(" [label=").append(q(n)).append(",shape=\"box\",style=\"bold\"];\n");
        }
        return b.append("}\n").toString();
    }

    private static void index(XmlElement e, Map<String, XmlElement> byId) {
        for (XmlElement c : e.elements()) {
            if (List.of("primitive", "group", "clone", "master", "bundle").contains(c.name())) {
                byId.put(c.id(), c);
                index(c, byId);
            }
        }
    }

    private static void resource(StringBuilder b, XmlElement r, String within, String indent) {
        switch (r.name()) {
            case "primitive" -> b.append(indent).append(q(r.id())).append(" [label=").append(q((within.isEmpty() ? ""
                    : within + ":") + r.id() + "\\n" + r.attr("type", "@" + r.attr("template", "")))
                    .replace("\\\\n", "\\n")).append(",shape=\"box\",style=\"rounded\"];\n");
            case "group" -> {
                b.append(indent).append("subgraph ").append(q("cluster_" + r.id())).append(" {\n").append(indent)
                        .append("\tlabel=").append(q((within.isEmpty() ? "" : within + ":") + r.id())).append(";\n");
                List<XmlElement> members = r.elements("primitive");
                for (XmlElement m : members) {
                    resource(b, m, "", indent + "\t");
                }
                for (int i = 1; i < members.size(); i++) {
                    b.append(indent).append('\t').append(q(members.get(i - 1).id())).append(" -> ")
                            .append(q(members.get(i).id())).append(";\n");
                }
                b.append(indent).append("}\n");
            }
            case "clone", "master", "bundle" -> {
                for (XmlElement c : r.elements()) {
                    if (List.of("primitive", "group").contains(c.name())) {
                        resource(b, c, r.name() + ":" + r.id(), indent);
                    }
                }
            }
            default -> {
                // templates and what Pulse keeps without knowing: no box
            }
        }
    }

    /** The box an edge to resource {@code id} ends at: a group's first member, a clone's child's. */
    private static String first(Map<String, XmlElement> byId, String id) {
        XmlElement r = byId.get(id);
        if (r == null) {
            return id;
        }
        for (XmlElement c : r.elements()) {
            if (List.of("primitive", "group").contains(c.name())) {
                return first(byId, c.id());
            }
        }
        return id;
    }

    /** Ends an edge at a group's frame rather than at its first member (compound graph). */
    private static String lhead(Map<String, XmlElement> byId, String id) {
        String group = groupOf(byId, id);
        return group == null ? "" : ",lhead=" + q("cluster_" + group);
    }

    private static String ltail(Map<String, XmlElement> byId, String id) {
        String group = groupOf(byId, id);
        return group == null ? "" : ",ltail=" + q("cluster_" + group);
    }

    private static String groupOf(Map<String, XmlElement> byId, String id) {
        XmlElement r = byId.get(id);
        while (r != null && !r.name().equals("group")) {
            XmlElement child = r.elements().stream().filter(c -> List.of("primitive", "group").contains(c.name()))
                    .findFirst().orElse(null);
            if (child == null || r.name().equals("primitive")) {
                return null;
            }
            r = child;
        }
        return r == null ? null : r.id();
    }

    private static void edge(StringBuilder b, Map<String, XmlElement> byId, String from, String to, String attrs) {
        String extra = ltail(byId, from) + lhead(byId, to);
        String all = attrs.isEmpty() ? extra.replaceFirst("^,", "") : attrs + extra;
        b.append('\t').append(q(first(byId, from))).append(" -> ").append(q(first(byId, to)))
                .append(all.isEmpty() ? "" : " [" + all + "]").append(";\n");
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
