package org.pulse.shell.commands;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.lrm.OcfRc;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.levels.Shell;
import org.pulse.shell.parse.MNode;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.Json;
import org.pulse.shell.render.StatusModel;
import org.pulse.shell.source.CibSource;
import org.pulse.shell.source.FileCibSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm status}: the cluster as crm_mon shows it (text), or as a versioned JSON / XML
 * document for scripts ({@code --output json|xml}, see crm-shell/STATUS-JSON.md), optionally
 * refreshed every few seconds ({@code --watch [SECONDS]}). Offline it reads the file's status
 * section; live, the cluster's CIB.
 *
 * <p>A picocli command like the shell's others: its options and crmsh's words are its fields,
 * read by picocli, each word and format checked by a converter. Unlike {@code simulate} or
 * {@code explain} it runs inside the shell's session, so that it shows what that session works
 * on (a shadow, the file, the live cluster, pending changes); {@link #run} is how the shell (and so
 * {@code crm status}) calls it.
 */
@Command(name = "status", description = "Cluster status, as crm_mon shows it.", footer = "Views, crmsh's words: simple (one line, as a monitoring check), bynode (resources under their"
        + " node), brief (primitives counted by agent and node), inactive (stopped resources too), failcounts,"
        + " attributes (node attributes), noheaders, ops (each node's operation history), timing (ops with their"
        + " times and results), tickets, full (bynode, inactive, failcounts, tickets and timing, as crmsh's -ncrft)."
        + " 'xml' or 'json' as a word is --output.")
public final class StatusCommand {
    static final String JSON_VERSION = "pulse-status/1";
    /** ctime(3)'s form, as crm_mon prints times: the day of the month padded to two places ("Mon Dec  7"). */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);
    /** Pacemaker's INFINITY as a fail count. */
    private static final long INFINITY_COUNT = 1_000_000;
    private static final String USE = "use --output text|json|xml or --watch [SECONDS]";

    /**
     * crmsh's status words (its crm_mon options): simple (-s), bynode (-n), noheaders (-D),
     * attributes (-A), ops (-o), timing (-t: ops with times and results), tickets (-c), full (-ncrft);
     * inactive (-r) and failcounts (-f) are what the text always shows, accepted so that operators'
     * scripts run.
     */
    static final List<String> VIEWS = List.of("simple", "bynode", "inactive", "failcounts", "attributes", "noheaders",
            "brief", "ops", "timing", "tickets", "full");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    /** The help text when asked for it, else null. */
    String usage;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", converter = OutputFormat.class,
            description = "text (default), json or xml.")
    String output = "text";

    @Option(names = {"-w", "--watch"}, arity = "0..1", paramLabel = "SECONDS", fallbackValue = "2",
            description = "Refresh every SECONDS (default 2) until interrupted.")
    Double watchSeconds;

    /** For tests and scripts that want a bounded watch. */
    @Option(names = "--iterations", hidden = true)
    int iterations = Integer.MAX_VALUE;

    /** crmsh's words: "status xml" (the format as a word), and its crm_mon views (VIEWS). */
    @Parameters(arity = "0..*", paramLabel = "xml|json|VIEW", hidden = true, converter = Word.class)
    List<String> words = new ArrayList<>();

    /** The crmsh views asked for, "full" expanded. */
    final java.util.Set<String> views = new java.util.LinkedHashSet<>();

    /** The session whose CIB is shown; null only for reading the options and the help. */
    private final Session session;

    StatusCommand(Session session) {
        this.session = session;
    }

    /** --output's values; the message is the shell's whole error after "status: ". */
    static final class OutputFormat implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!List.of("text", "json", "xml").contains(value)) {
                throw new CommandLine.TypeConversionException("unknown output '" + value + "'; use text, json or xml");
            }
            return value;
        }
    }

    /** crmsh's words after status: a format or a view. */
    static final class Word implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String w) {
            if (!w.equals("xml") && !w.equals("json") && !VIEWS.contains(w)) {
                throw new CommandLine.TypeConversionException("unknown argument '" + w + "'; " + USE + ", or crmsh's "
                        + String.join(", ", VIEWS) + Shell.didYouMean(w, VIEWS));
            }
            return w;
        }
    }

    /**
     * The command with its arguments read by picocli (the help text in {@link #usage} when asked
     * for), or the refusal the shell prints, naming the argument and what to use.
     */
    static StatusCommand parse(Session session, List<Token> args) throws CrmException {
        StatusCommand c = new StatusCommand(session);
        CommandLine cl = new CommandLine(c);
        try {
            cl.parseArgs(args.stream().map(Token::text).toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            String bad = e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                    ? u.getUnmatched().get(0) : null;
            if (e.getCause() instanceof CommandLine.TypeConversionException t) {
                throw new CrmException("status: " + t.getMessage());
            }
            if (bad != null && !bad.startsWith("-")) {
                // picocli leaves a word its converter refused unmatched: say what the converter says
                try {
                    new Word().convert(bad);
                } catch (CommandLine.TypeConversionException t) {
                    throw new CrmException("status: " + t.getMessage());
                }
            }
            throw new CrmException(bad != null ? "status: unknown argument '" + bad + "'; " + USE
                    : "status: " + e.getMessage() + "; " + USE);
        }
        if (c.help) {
            c.usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            return c;
        }
        for (String w : c.words) {
            if (w.equals("xml") || w.equals("json")) {
                c.output = w;
            } else {
                c.views.add(w);
            }
        }
        if (c.views.contains("full")) {
            c.views.addAll(List.of("bynode", "inactive", "failcounts", "tickets", "timing"));
        }
        if (!c.views.isEmpty() && !c.output.equals("text")) {
            throw new CrmException("status: " + String.join(", ", c.views) + " shape the text output; leave them "
                    + "out with --output " + c.output);
        }
        return c;
    }

    /** What {@code status --help} prints, for the shell's {@code help status} too. */
    public static String usage() {
        return new CommandLine(new StatusCommand(null)).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The shell's {@code status} (and so {@code crm status}): read the arguments, then show the cluster. */
    public static int run(Shell shell, List<Token> args) throws CrmException {
        StatusCommand c = parse(shell.session, args);
        if (c.usage != null) {
            shell.session.out.print(c.usage);
            return 0;
        }
        return c.show();
    }

    private int show() throws CrmException {
        Session s = session;
        if (!s.pending() && s.source() instanceof FileCibSource f && !f.exists()) {
            // A mistyped --cib-file showed an empty cluster with exit 0; crm_mon on a missing CIB_file fails.
            throw new CrmException("status: " + f.describe() + " does not exist; check the path (a new file is created "
                    + "only by the first commit of a change)");
        }
        double watch = watchSeconds == null ? -1 : watchSeconds;
        if (watch < 0) {
            s.out.print(render(s, output, views));
            return 0;
        }
        for (int i = 0; i < iterations; i++) {
            if (i > 0) {
                try {
                    Thread.sleep((long) (watch * 1000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
            // Clear the screen and go home, as crm_mon does between refreshes.
            s.out.print("\033[H\033[2J");
            s.out.print(render(s, output, views));
            s.out.flush();
        }
        return 0;
    }

    static String render(Session s, String output) throws CrmException {
        return render(s, output, java.util.Set.of());
    }

    static String render(Session s, String output, java.util.Set<String> views) throws CrmException {
        CibSource.ForStatus loaded = s.source().loadForStatus();
        StatusModel m = new StatusModel(loaded.cib(), s.clock.instant());
        Map<String, String> partition = loaded.partition();
        if (views.contains("simple")) {
            return simple(m);
        }
        return switch (output) {
            case "json" -> Json.write(json(m, partition));
            case "xml" -> XmlWriter.toXml(xml(m)) + "\n";
            default -> text(m, s.clock.getZone(), partition, views);
        };
    }

    /** One line for a monitoring check, as crm_mon -s: OK, or WARN with what is wrong. */
    static String simple(StatusModel m) {
        List<String> offline = m.nodes.stream().filter(n -> !n.online() && !hidden(n)).map(StatusModel.NodeView::name)
                .toList();
        long online = m.nodes.stream().filter(StatusModel.NodeView::online).count();
        int[] counts = instanceCounts(m);
        List<String> warn = new ArrayList<>();
        if (m.dc() == null) {
            warn.add("No DC");
        }
        offline.forEach(n -> warn.add("offline node: " + n));
        if (!warn.isEmpty()) {
            return "CLUSTER WARN: " + String.join(", ", warn) + "\n";
        }
        return "CLUSTER OK: " + online + " node" + (online == 1 ? "" : "s") + " online, " + counts[0]
                + " resource instance" + (counts[0] == 1 ? "" : "s") + " configured\n";
    }

    static String time(long epochSeconds, ZoneId zone) {
        return CTIME.format(Instant.ofEpochSecond(epochSeconds).atZone(zone));
    }

    // ---- text ----

    public static String text(StatusModel m, ZoneId zone) {
        return text(m, zone, Map.of());
    }

    static String text(StatusModel m, ZoneId zone, Map<String, String> partition) {
        return text(m, zone, partition, java.util.Set.of());
    }

    /** {@code partition}: what crmd says beyond the CIB (see CibSource.partition); empty offline. */
    static String text(StatusModel m, ZoneId zone, Map<String, String> partition, java.util.Set<String> views) {
        StringBuilder sb = new StringBuilder();
        if (!views.contains("noheaders")) {
            summary(sb, m, zone, partition);
        }
        nodesAndResources(sb, m, views.contains("bynode"), views.contains("brief"));
        if (views.contains("attributes")) {
            sb.append("\nNode Attributes:\n");
            for (StatusModel.NodeView n : m.nodes) {
                if (hidden(n)) {
                    continue;
                }
                sb.append("  * Node: ").append(n.name()).append(":\n");
                // crm_mon's columns (name in 32, value in 10); it leaves standby out but shows maintenance
                new java.util.TreeMap<>(n.attributes()).forEach((k, v) -> {
                    if (!k.equals("standby") && !k.startsWith("fail-count-") && !k.startsWith("last-failure-")) {
                        sb.append(String.format(Locale.ROOT, "    * %-32s\t: %-10s", k, v)).append('\n');
                    }
                });
            }
        }
        boolean timing = views.contains("timing");
        if (timing || views.contains("ops")) {
            // crm_mon -o: each node's operations, where the migration summary would be (it carries the counts)
            operations(sb, m, zone, timing);
        }
        rest(sb, m, zone, partition, views.contains("failcounts") && !timing && !views.contains("ops"),
                !timing && !views.contains("ops"), views.contains("tickets"));
        return sb.toString();
    }

    private static void summary(StringBuilder sb, StatusModel m, ZoneId zone, Map<String, String> partition) {
        sb.append("Cluster Summary:\n");
        sb.append("  * Stack: pulse\n");
        String dc = m.dc();
        sb.append("  * Current DC: ").append(dc == null ? "NONE" : dc + " - partition "
                + (m.quorate() ? "with quorum" : "WITHOUT quorum")).append('\n');
        if (partition.containsKey("quorum")) {
            sb.append("  * Quorum: ").append(partition.get("quorum")).append('\n');   // says wait_for_all too
        }
        sb.append("  * Last updated: ").append(CTIME.format(m.now.atZone(zone))).append('\n');
        String lastWritten = m.cib.attr("cib-last-written");
        sb.append("  * Last change:  ").append(lastWritten == null ? "" : lastWritten);
        // Who made it, as crm_mon says: the DC stamps these on every operator write.
        String user = m.cib.attr("update-user");
        String client = m.cib.attr("update-client");
        String origin = m.cib.attr("update-origin");
        if (user != null || client != null || origin != null) {
            sb.append(lastWritten == null ? "" : " ").append("by ").append(user == null ? "?" : user)
                    .append(" via ").append(client == null ? "?" : client).append(" on ").append(origin == null ? "?" : origin);
        }
        sb.append('\n');
        sb.append("  * CIB version: ").append(m.cib.attr("admin_epoch", "0")).append('.')
                .append(m.cib.attr("epoch", "0")).append('.').append(m.cib.attr("num_updates", "0")).append('\n');
        int[] counts = instanceCounts(m);
        sb.append("  * ").append(m.nodes.size()).append(" node").append(m.nodes.size() == 1 ? "" : "s")
                .append(" configured\n");
        sb.append("  * ").append(counts[0]).append(" resource instance").append(counts[0] == 1 ? "" : "s")
                .append(" configured");
        if (counts[1] > 0) {
            sb.append(" (").append(counts[1]).append(" DISABLED)");
        }
        sb.append("\n\n");
        if (m.maintenanceMode) {
            // crm_mon's banner: without it the operator must spot "(unmanaged)" on every line to see that
            // the cluster will not recover anything
            sb.append("              *** Resource management is DISABLED ***\n")
                    .append("  The cluster will not attempt to start, stop or recover services\n\n");
        }
    }

    private static void nodesAndResources(StringBuilder sb, StatusModel m, boolean byNode, boolean brief) {
        sb.append("Node List:\n");
        if (byNode) {
            // crm_mon -n: each node with what runs on it; what runs nowhere after
            List<XmlElement> primitives = new ArrayList<>();
            java.util.Set<String> promotable = new java.util.HashSet<>();
            for (XmlElement r : Tree.section(m.config.configuration(), "resources").elements()) {
                boolean p = r.name().equals("master") || (r.name().equals("clone")
                        && "true".equalsIgnoreCase(StatusModel.meta(r, "promotable")));
                for (XmlElement prim : Tree.descendants(r, "primitive")) {
                    primitives.add(prim);
                    if (p) {
                        promotable.add(prim.id());
                    }
                }
            }
            for (StatusModel.NodeView n : m.nodes) {
                if (hidden(n)) {
                    continue;
                }
                String state = m.unclean.contains(n.name()) ? "UNCLEAN (offline)" : !n.online() ? "OFFLINE" : n.standby() ? "standby" : n.maintenance() ? "maintenance"
                        : "online";
                sb.append("  * ").append(kindWord(n)).append(' ').append(n.name()).append(": ").append(state).append(":\n");
                StringBuilder here = new StringBuilder();
                if (brief) {
                    // crm_mon -b -n: how many of each agent run here
                    Map<String, Integer> byAgent = new java.util.TreeMap<>();
                    for (XmlElement prim : primitives) {
                        StatusModel.Role role = m.placement.getOrDefault(prim.id(), Map.of()).get(n.name());
                        if (role != null && role != StatusModel.Role.STOPPED) {
                            byAgent.merge(agent(m, prim), 1, Integer::sum);
                        }
                    }
                    byAgent.forEach((a, c) -> here.append("      * ").append(c).append("\t(").append(a).append("):\tActive \n"));
                }
                for (XmlElement prim : brief ? List.<XmlElement>of() : primitives) {
                    StatusModel.Role role = m.placement.getOrDefault(prim.id(), Map.of()).get(n.name());
                    if (role == null || role == StatusModel.Role.STOPPED) {
                        continue;
                    }
                    String text = switch (role) {
                        case PROMOTED -> "Promoted";
                        case FAILED -> "FAILED";
                        default -> promotable.contains(prim.id()) ? "Unpromoted" : "Started";
                    };
                    here.append("      * ").append(prim.id()).append("\t(").append(agent(m, prim)).append("):\t ")
                            .append(text).append(m.unmanagedOn(prim.id(), n.name()) ? " (unmanaged)" : "").append('\n');
                }
                if (here.length() > 0) {
                    sb.append("    * Resources:\n").append(here);
                }
            }
            sb.append("\nInactive Resources:\n");
            // crm_mon -n -r: each resource not wholly active, as the full list shows it (a clone with an
            // instance stopped, a group with a member stopped, with their flags)
            boolean any = false;
            for (XmlElement r : Tree.section(m.config.configuration(), "resources").elements()) {
                if (Configuration.RESOURCE_TAGS.contains(r.name()) && !r.name().equals("template") && !whollyActive(m, r)) {
                    resourceText(sb, m, r, 1, false);
                    any = true;
                }
            }
            if (!any) {
                sb.append("  * No inactive resources\n");
            }
            return;
        }
        // crm_mon's lists: a node in an ordinary state goes in its list, any other gets a line of its own
        Map<String, List<String>> lists = new LinkedHashMap<>();
        for (String list : List.of("Online", "OFFLINE", "RemoteOnline", "RemoteOFFLINE", "GuestOnline")) {
            lists.put(list, new ArrayList<>());
        }
        for (StatusModel.NodeView n : m.nodes) {
            if (hidden(n)) {
                continue;
            }
            boolean busy = m.placement.values().stream().anyMatch(w -> w.containsKey(n.name()));
            String kind = kindWord(n);
            String prefix = n.type().equals(StatusModel.REMOTE) ? "Remote" : n.type().equals(StatusModel.GUEST) ? "Guest" : "";
            if (n.online() && n.standby()) {
                sb.append("  * ").append(kind).append(' ').append(n.name()).append(": standby")
                        .append(busy ? " (with active resources)" : "").append('\n');
            } else if (n.online() && n.maintenance()) {
                sb.append("  * ").append(kind).append(' ').append(n.name()).append(": maintenance\n");
            } else if (n.online()) {
                lists.get(prefix + "Online").add(n.name());
            } else if (m.unclean.contains(n.name())) {
                sb.append("  * ").append(kind).append(' ').append(n.name()).append(": UNCLEAN (offline)\n");
            } else {
                lists.get(prefix + "OFFLINE").add(n.name());
            }
        }
        lists.forEach((list, names) -> {
            if (!names.isEmpty()) {
                sb.append("  * ").append(list).append(": [ ").append(String.join(" ", names)).append(" ]\n");
            }
        });
        sb.append("\nFull List of Resources:\n");
        XmlElement resources = Tree.section(m.config.configuration(), "resources");
        boolean any = false;
        if (brief) {
            // crm_mon -b: the primitives outside groups and clones first, counted by agent
            List<XmlElement> alone = resources.elements("primitive");
            briefPrimitives(sb, m, alone, "  ");
            any = !alone.isEmpty();
        }
        for (XmlElement r : resources.elements()) {
            if (brief && r.name().equals("group")) {
                sb.append("  * Resource Group: ").append(r.id()).append(collectionFlags(m, r, false)).append(":\n");
                briefPrimitives(sb, m, r.elements("primitive"), "    ");
                any = true;
            } else if (Configuration.RESOURCE_TAGS.contains(r.name()) && !r.name().equals("template")
                    && !(brief && r.name().equals("primitive"))) {
                resourceText(sb, m, r, 1, false);
                any = true;
            }
        }
        if (!any) {
            sb.append("  * No resources\n");
        }
    }

    /**
     * crm_mon's brief lines for these primitives: for each agent (in its order), how many of them are
     * active (started, promoted or failed) on each node, of how many there are; "0/N" with no node
     * when none is. Flags are not shown, as crm_mon shows none here.
     */
    private static void briefPrimitives(StringBuilder sb, StatusModel m, List<XmlElement> primitives, String pad) {
        Map<String, List<XmlElement>> byAgent = new java.util.TreeMap<>();
        primitives.forEach(p -> byAgent.computeIfAbsent(agent(m, p), k -> new ArrayList<>()).add(p));
        byAgent.forEach((a, ps) -> {
            boolean anyActive = false;
            for (StatusModel.NodeView n : m.nodes) {
                long here = ps.stream().filter(p -> {
                    StatusModel.Role role = m.placement.getOrDefault(p.id(), Map.of()).get(n.name());
                    return role != null && role != StatusModel.Role.STOPPED;
                }).count();
                if (here > 0) {
                    sb.append(pad).append("* ").append(here).append('/').append(ps.size()).append("\t(").append(a)
                            .append("):\tActive ").append(n.name()).append('\n');
                    anyActive = true;
                }
            }
            if (!anyActive) {
                sb.append(pad).append("* 0/").append(ps.size()).append("\t(").append(a).append("):\tActive\n");
            }
        });
    }

    /** crm_mon leaves a guest node that is down out of its node lists (it is a node all the same: counted). */
    private static boolean hidden(StatusModel.NodeView n) {
        return n.type().equals(StatusModel.GUEST) && !n.online();
    }

    /** Whether every primitive of {@code r} runs, and a clone every instance it may have (clone-max, else one a node). */
    private static boolean whollyActive(StatusModel m, XmlElement r) {
        java.util.function.Predicate<XmlElement> active = p -> m.placement.getOrDefault(p.id(), Map.of()).values().stream()
                .anyMatch(role -> role != StatusModel.Role.STOPPED);
        return switch (r.name()) {
            case "primitive" -> active.test(r);
            case "group" -> r.elements("primitive").stream().allMatch(active);
            case "clone", "master" -> {
                XmlElement child = r.elements().stream().filter(e -> e.name().equals("primitive") || e.name().equals("group"))
                        .findFirst().orElse(null);
                if (child == null) {
                    yield true;
                }
                long running = m.nodes.stream().filter(n -> cloneRole(m, child, n.name()) != StatusModel.Role.STOPPED).count();
                String max = StatusModel.meta(r, "clone-max");
                long wanted = max != null && max.matches("\\d+") ? Math.min(Long.parseLong(max), m.nodes.size()) : m.nodes.size();
                yield running >= wanted;
            }
            default -> true;
        };
    }

    /** crm_mon's word for a node of each type: Node, RemoteNode, GuestNode. */
    private static String kindWord(StatusModel.NodeView n) {
        return switch (n.type()) {
            case StatusModel.REMOTE -> "RemoteNode";
            case StatusModel.GUEST -> "GuestNode";
            default -> "Node";
        };
    }

    private static void rest(StringBuilder sb, StatusModel m, ZoneId zone, Map<String, String> partition,
            boolean failCountsAsked, boolean migrationSummary, boolean tickets) {
        if (failCountsAsked && m.failCounts.isEmpty()) {
            sb.append("\nMigration Summary:\n");   // crm_mon -f says it, empty
        }
        if (migrationSummary && !m.failCounts.isEmpty()) {
            sb.append("\nMigration Summary:\n");
            Map<String, List<StatusModel.FailCount>> byNode = new LinkedHashMap<>();
            m.failCounts.forEach(f -> byNode.computeIfAbsent(f.node(), k -> new ArrayList<>()).add(f));
            byNode.forEach((node, list) -> {
                sb.append("  * Node: ").append(node).append(":\n");
                // one line a resource, as crm_mon: its operations' counts summed (INFINITY at most), the latest failure
                Map<String, long[]> byResource = new LinkedHashMap<>();
                for (StatusModel.FailCount f : list) {
                    long[] c = byResource.computeIfAbsent(f.resource(), k -> new long[2]);
                    c[0] = Math.min(INFINITY_COUNT, c[0] + f.count());
                    c[1] = Math.max(c[1], f.lastFailure());
                }
                byResource.forEach((rsc, c) -> {
                    String threshold = m.migrationThreshold(rsc);
                    sb.append("    * ").append(rsc).append(": migration-threshold=")
                            .append(threshold == null ? "1000000" : threshold).append(" fail-count=").append(c[0]);
                    if (c[1] > 0) {
                        sb.append(" last-failure='").append(time(c[1], zone)).append('\'');
                    }
                    sb.append('\n');
                });
            });
        }
        if (!m.failed.isEmpty()) {
            sb.append("\nFailed Resource Actions:\n");
            for (StatusModel.FailedAction f : m.failed) {
                sb.append("  * ").append(f.resource()).append(' ');
                if (f.intervalMs() > 0) {
                    sb.append(interval(f.intervalMs())).append("-interval ");
                }
                sb.append(f.operation()).append(" on ").append(f.node()).append(" returned '")
                        .append(f.opStatus() == 2 ? "timed out" : OcfRc.name(f.rc())).append('\'');
                if (!f.exitReason().isEmpty()) {
                    sb.append(" (").append(f.exitReason()).append(')');
                }
                if (f.lastRcChange() > 0) {
                    sb.append(" at ").append(time(f.lastRcChange(), zone));
                }
                sb.append('\n');
            }
        }
        if (tickets) {
            tickets(sb, m, zone);
        }
        if (!m.moves.isEmpty()) {
            sb.append("\nMoves and Bans:\n");
            for (StatusModel.MoveConstraint c : m.moves) {
                sb.append("  * ").append(c.id()).append(": ").append(c.resource());
                boolean ban = c.score().startsWith("-");
                sb.append(ban ? " banned from " : " prefers ").append(c.node() == null ? "?" : c.node());
                if (c.expires() != null) {
                    sb.append(c.expired() ? " (expired " : " until ").append(c.expires()).append(c.expired() ? ")" : "");
                } else {
                    sb.append(" (no expiry)");
                }
                sb.append("; 'crm resource clear ").append(c.resource()).append("' removes it\n");
            }
        }
        String blocked = partition.get("blocked");
        if (blocked != null && !blocked.isBlank()) {
            sb.append("\nHeld back by the DC:\n");
            for (String line : blocked.split("\n")) {
                sb.append("  * ").append(line).append('\n');
            }
        }
        fencingText(sb, partition, zone);
    }

    /**
     * crm_mon -o (-t): for each online node, each resource's operations by call id, probes that found it
     * stopped left out as crm_mon leaves them; with timing, when each result came, how long it ran and
     * waited, and its result.
     */
    private static void operations(StringBuilder sb, StatusModel m, ZoneId zone, boolean timing) {
        StringBuilder body = new StringBuilder();
        java.util.Set<String> online = new java.util.HashSet<>();
        m.nodes.stream().filter(StatusModel.NodeView::online).forEach(n -> online.add(n.name()));
        // per node and resource: the operations' fail counts summed (INFINITY at most) and the latest failure
        Map<String, Map<String, long[]>> failCounts = new LinkedHashMap<>();
        for (StatusModel.FailCount f : m.failCounts) {
            long[] c = failCounts.computeIfAbsent(f.node(), k -> new LinkedHashMap<>()).computeIfAbsent(f.resource(),
                    k -> new long[2]);
            c[0] = Math.min(INFINITY_COUNT, c[0] + f.count());
            c[1] = Math.max(c[1], f.lastFailure());
        }
        for (XmlElement state : Tree.section(m.cib, "status").elements("node_state")) {
            String node = state.attr("uname", state.id());
            if (!online.contains(node)) {
                continue;
            }
            StringBuilder nodeText = new StringBuilder();
            for (XmlElement lrm : state.elements("lrm")) {
                for (XmlElement rscs : lrm.elements("lrm_resources")) {
                    for (XmlElement rsc : rscs.elements("lrm_resource")) {
                        List<XmlElement> ops = new ArrayList<>();
                        for (XmlElement op : rsc.elements("lrm_rsc_op")) {
                            int rc = intAttr(op, "rc-code", 0);
                            boolean probe = "monitor".equals(op.attr("operation")) && intAttr(op, "interval", 0) == 0;
                            if ((probe && rc == 7) || intAttr(op, "op-status", 0) == -1) {
                                continue;   // a probe that found it stopped, or one still pending
                            }
                            ops.add(op);
                        }
                        if (ops.isEmpty()) {
                            continue;
                        }
                        ops.sort(java.util.Comparator.comparingInt(op -> intAttr(op, "call-id", 0)));
                        String threshold = m.migrationThreshold(rsc.id());
                        nodeText.append("    * ").append(rsc.id()).append(": migration-threshold=")
                                .append(threshold == null ? "1000000" : threshold);
                        long[] failed = failCounts.getOrDefault(node, Map.of()).get(rsc.id());
                        if (failed != null && failed[0] > 0) {
                            nodeText.append(" fail-count=").append(failed[0]);
                        }
                        if (failed != null && failed[1] > 0) {
                            nodeText.append(" last-failure='").append(time(failed[1], zone)).append('\'');
                        }
                        nodeText.append(":\n");
                        for (XmlElement op : ops) {
                            nodeText.append("      * (").append(op.attr("call-id", "?")).append(") ")
                                    .append(op.attr("operation", "?"));
                            List<String> details = new ArrayList<>();
                            long intervalMs = intAttr(op, "interval", 0);
                            if (intervalMs > 0) {
                                details.add("interval=\"" + intervalMs + "ms\"");
                            }
                            if (timing) {
                                long changed = intAttr(op, "last-rc-change", 0);
                                if (changed > 0) {
                                    details.add("last-rc-change=\"" + time(changed, zone) + "\"");
                                }
                                for (String t : List.of("exec-time", "queue-time")) {
                                    if (op.attr(t) != null) {
                                        details.add(t + "=\"" + op.attr(t) + "ms\"");
                                    }
                                }
                                int rc = intAttr(op, "rc-code", 0);
                                String name = OcfRc.name(rc);
                                details.add("rc=" + rc + " (" + (name.startsWith("unknown") ? "unknown" : name) + ")");
                            }
                            if (!details.isEmpty()) {
                                nodeText.append(": ").append(String.join(" ", details));
                            }
                            nodeText.append('\n');
                        }
                    }
                }
            }
            if (nodeText.length() > 0) {
                body.append("  * Node: ").append(node).append(":\n").append(nodeText);
            }
        }
        sb.append("\nOperations:\n").append(body);
    }

    private static int intAttr(XmlElement e, String name, int fallback) {
        try {
            return e.attr(name) == null ? fallback : Integer.parseInt(e.attr(name));
        } catch (NumberFormatException ex) {
            return fallback;
        }
    }

    /**
     * crm_mon -c: every ticket the status section holds or a constraint names (one nobody granted is
     * revoked), granted or revoked, in standby, when last granted.
     */
    private static void tickets(StringBuilder sb, StatusModel m, ZoneId zone) {
        Map<String, XmlElement> states = new LinkedHashMap<>();
        Tree.section(m.cib, "status").elements("tickets").forEach(ts -> ts.elements("ticket_state")
                .forEach(t -> states.put(t.id(), t)));
        for (XmlElement c : Tree.section(m.config.configuration(), "constraints").elements("rsc_ticket")) {
            if (c.attr("ticket") != null) {
                states.putIfAbsent(c.attr("ticket"), XmlElement.of("ticket_state", "id", c.attr("ticket")));
            }
        }
        if (states.isEmpty()) {
            return;
        }
        sb.append("\nTickets:\n");
        states.forEach((id, t) -> {
            sb.append("  * ").append(id).append(": ")
                    .append("true".equalsIgnoreCase(t.attr("granted")) ? "granted" : "revoked");
            if ("true".equalsIgnoreCase(t.attr("standby"))) {
                sb.append(" [standby]");
            }
            long granted = intAttr(t, "last-granted", 0);
            if (granted > 0) {
                sb.append(" last-granted=\"").append(time(granted, zone)).append('"');
            }
            sb.append('\n');
        });
    }

    /** One fence history event as crmd sends it (see CibSource.loadForStatus). */
    record FenceEvent(String completed, String target, String action, String result, String device,
            String executor, int level, String detail) {
    }

    static List<FenceEvent> fenceHistory(Map<String, String> partition) {
        List<FenceEvent> out = new ArrayList<>();
        String text = partition.get("fence_history");
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 8) {
                continue;   // a newer crmd's line the shell cannot read: left out rather than misread
            }
            int level;
            try {
                level = Integer.parseInt(f[6]);
            } catch (NumberFormatException e) {
                level = 0;
            }
            out.add(new FenceEvent(f[0], f[1], f[2], f[3], f[4], f[5], level, f[7]));
        }
        return out;
    }

    private static Map<String, String> linesByKey(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            out.put(colon < 0 ? line : line.substring(0, colon), colon < 0 ? "" : line.substring(colon + 2));
        }
        return out;
    }

    /** Pending fencing, fencing given up, and the fence history (newest first, as crm_mon shows it). */
    private static void fencingText(StringBuilder sb, Map<String, String> partition, ZoneId zone) {
        String pending = partition.get("fencing_pending");
        Map<String, String> failed = linesByKey(partition.get("fencing_failed"));
        List<FenceEvent> history = fenceHistory(partition);
        if ((pending == null || pending.isBlank()) && failed.isEmpty() && history.isEmpty()) {
            return;
        }
        sb.append("\nFencing History:\n");
        if (pending != null && !pending.isBlank()) {
            for (String n : pending.split(",")) {
                sb.append("  * fencing of ").append(n).append(" pending\n");
            }
        }
        failed.forEach((node, why) -> sb.append("  * fencing of ").append(node).append(" STOPPED: ").append(why)
                .append("; 'crm node fence ").append(node).append("' tries again\n"));
        for (int i = history.size() - 1; i >= 0; i--) {
            FenceEvent e = history.get(i);
            String when = e.completed();
            try {
                when = CTIME.format(Instant.parse(e.completed()).atZone(zone));
            } catch (java.time.format.DateTimeParseException ex) {
                // shown as sent
            }
            sb.append("  * ").append(e.action()).append(" of ").append(e.target()).append(' ')
                    .append(e.result().equals("success") ? "successful" : e.result());
            if (!e.device().isEmpty()) {
                sb.append(": device=").append(e.device()).append(", executor=").append(e.executor());
                if (e.level() > 0) {
                    sb.append(", level=").append(e.level());
                }
            } else if (!e.executor().isEmpty()) {
                // Confirmed by hand (crm node clearstate): no device ran; crm_mon names the "delegate" and the
                // client and node the confirmation came from, which the detail carries.
                sb.append(": delegate=").append(e.executor()).append(e.detail().isEmpty() ? "" : ", " + e.detail());
            }
            sb.append(", completed='").append(when).append('\'');
            if (!e.detail().isEmpty() && !e.result().equals("success")) {
                sb.append(" (").append(e.detail()).append(')');
            }
            sb.append('\n');
        }
    }

    static String interval(long ms) {
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s >= 60) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static int[] instanceCounts(StatusModel m) {
        int[] c = new int[2];
        XmlElement resources = Tree.section(m.config.configuration(), "resources");
        for (XmlElement r : resources.elements()) {
            count(m, r, 1, false, c);
        }
        return c;
    }

    private static void count(StatusModel m, XmlElement r, int copies, boolean disabled, int[] c) {
        boolean off = disabled || "stopped".equalsIgnoreCase(StatusModel.meta(r, "target-role"));
        switch (r.name()) {
            case "primitive" -> {
                c[0] += copies;
                if (off) {
                    c[1] += copies;
                }
            }
            case "group" -> r.elements("primitive").forEach(p -> count(m, p, copies, off, c));
            case "clone", "master" -> {
                int n = m.nodes.size();
                String max = StatusModel.meta(r, "clone-max");
                if (max != null && max.matches("\\d+")) {
                    n = Integer.parseInt(max);
                }
                int k = Math.max(n, 1);
                for (XmlElement e : r.elements()) {
                    if (e.name().equals("primitive") || e.name().equals("group")) {
                        count(m, e, k, off, c);
                    }
                }
            }
            default -> {
                // templates and bundles are not counted
            }
        }
    }

    private static String agent(StatusModel m, XmlElement p) {
        if (p.attr("class") == null && p.attr("template") != null) {
            // a templated primitive names no agent itself: crm_mon shows the template's
            XmlElement t = m.config.find(p.attr("template")).map(Configuration.CibObject::element)
                    .filter(e -> e.name().equals("template")).orElse(null);
            if (t != null) {
                p = t;
            }
        }
        String cls = p.attr("class", "");
        return p.attr("provider") == null ? cls + ":" + p.attr("type", "") : cls + ":" + p.attr("provider") + ":"
                + p.attr("type", "");
    }

    /**
     * crm_mon's flags after a primitive's state, "(disabled, unmanaged)"; whether it is managed is
     * cib.model's reading (what the policy engine decides by), which follows rsc_defaults, the group or
     * clone around it and maintenance-mode.
     */
    private static String flags(StatusModel m, XmlElement r, boolean parentDisabled) {
        List<String> f = new ArrayList<>();
        if (parentDisabled || "stopped".equalsIgnoreCase(StatusModel.meta(r, "target-role"))) {
            f.add("disabled");
        }
        if (m.placement.getOrDefault(r.id(), Map.of()).isEmpty() ? m.unmanaged.contains(r.id())
                : m.placement.get(r.id()).keySet().stream().anyMatch(n -> m.unmanagedOn(r.id(), n))) {
            f.add("unmanaged");
        }
        return f.isEmpty() ? "" : " (" + String.join(", ", f) + ")";
    }

    /** crm_mon's flags on a group's or clone's line, in its order: "(promotable, unmanaged, disabled)". */
    private static String collectionFlags(StatusModel m, XmlElement r, boolean promotable) {
        List<String> f = new ArrayList<>();
        if (promotable) {
            f.add("promotable");
        }
        if (m.unmanaged.contains(r.id())) {
            f.add("unmanaged");
        }
        if ("stopped".equalsIgnoreCase(StatusModel.meta(r, "target-role"))) {
            f.add("disabled");
        }
        return f.isEmpty() ? "" : " (" + String.join(", ", f) + ")";
    }

    private static void resourceText(StringBuilder sb, StatusModel m, XmlElement r, int depth, boolean parentDisabled) {
        String pad = "  ".repeat(depth);
        boolean disabled = parentDisabled || "stopped".equalsIgnoreCase(StatusModel.meta(r, "target-role"));
        switch (r.name()) {
            case "primitive" -> {
                sb.append(pad).append("* ").append(r.id()).append("\t(").append(agent(m, r)).append("):\t ")
                        .append(primitiveState(m, r.id())).append(flags(m, r, parentDisabled)).append('\n');
            }
            case "group" -> {
                sb.append(pad).append("* Resource Group: ").append(r.id()).append(collectionFlags(m, r, false)).append(":\n");
                for (XmlElement c : r.elements("primitive")) {
                    resourceText(sb, m, c, depth + 1, disabled);
                }
            }
            case "clone", "master" -> {
                XmlElement child = r.elements().stream().filter(e -> e.name().equals("primitive") || e.name().equals("group"))
                        .findFirst().orElse(null);
                boolean promotable = r.name().equals("master") || "true".equalsIgnoreCase(StatusModel.meta(r, "promotable"));
                sb.append(pad).append("* Clone Set: ").append(r.id()).append(" [").append(child == null ? "" : child.id())
                        .append(']').append(collectionFlags(m, r, promotable)).append(":\n");
                if (child == null) {
                    return;
                }
                Map<String, List<String>> byRole = new LinkedHashMap<>();
                List<String> failedLines = new ArrayList<>();
                // crm_mon lists the active instances of an unmanaged clone one by one, with their flags, and
                // so those on a node in maintenance
                List<String> activeLines = new ArrayList<>();
                for (StatusModel.NodeView n : m.nodes) {
                    StatusModel.Role role = cloneRole(m, child, n.name());
                    boolean oneByOne = child.name().equals("primitive") && m.unmanagedOn(child.id(), n.name());
                    if (role == StatusModel.Role.FAILED) {
                        failedLines.add(n.name());
                    } else if (oneByOne && role != StatusModel.Role.STOPPED) {
                        activeLines.add((role == StatusModel.Role.PROMOTED ? "Promoted " : promotable ? "Unpromoted "
                                : "Started ") + n.name());
                    } else if (role == StatusModel.Role.PROMOTED) {
                        byRole.computeIfAbsent("Promoted", k -> new ArrayList<>()).add(n.name());
                    } else if (role == StatusModel.Role.STARTED) {
                        byRole.computeIfAbsent(promotable ? "Unpromoted" : "Started", k -> new ArrayList<>()).add(n.name());
                    } else {
                        byRole.computeIfAbsent("Stopped", k -> new ArrayList<>()).add(n.name());
                    }
                }
                String inner = "  ".repeat(depth + 1);
                for (String f : failedLines) {
                    sb.append(inner).append("* ").append(child.id()).append("\t(")
                            .append(child.name().equals("primitive") ? agent(m, child) : "group").append("):\t FAILED ")
                            .append(f).append(instanceFlags(m, child, f, disabled)).append('\n');
                }
                for (String a : activeLines) {
                    sb.append(inner).append("* ").append(child.id()).append("\t(").append(agent(m, child)).append("):\t ")
                            .append(a).append(instanceFlags(m, child, a.substring(a.indexOf(' ') + 1), disabled)).append('\n');
                }
                for (String role : List.of("Promoted", "Unpromoted", "Started", "Stopped")) {
                    List<String> ns = byRole.get(role);
                    if (ns != null) {
                        sb.append(inner).append("* ").append(role).append(": [ ").append(String.join(" ", ns))
                                .append(" ]").append(role.equals("Stopped") && disabled ? " (disabled)" : "").append('\n');
                    }
                }
            }
            default -> sb.append(pad).append("* ").append(r.id()).append(" (").append(r.name()).append(")\n");
        }
    }

    /** The flags of a clone's instance listed on its own line: that on {@code node}. */
    private static String instanceFlags(StatusModel m, XmlElement child, String node, boolean disabled) {
        if (!child.name().equals("primitive") || !m.unmanagedOn(child.id(), node)) {
            return "";
        }
        List<String> f = new ArrayList<>();
        if (disabled || "stopped".equalsIgnoreCase(StatusModel.meta(child, "target-role"))) {
            f.add("disabled");
        }
        f.add("unmanaged");
        return " (" + String.join(", ", f) + ")";
    }

    private static StatusModel.Role cloneRole(StatusModel m, XmlElement child, String node) {
        if (child.name().equals("primitive")) {
            return m.placement.getOrDefault(child.id(), Map.of()).getOrDefault(node, StatusModel.Role.STOPPED);
        }
        StatusModel.Role overall = null;
        for (XmlElement p : child.elements("primitive")) {
            StatusModel.Role r = m.placement.getOrDefault(p.id(), Map.of()).getOrDefault(node, StatusModel.Role.STOPPED);
            if (r == StatusModel.Role.FAILED) {
                return r;
            }
            if (overall == null || r == StatusModel.Role.STOPPED) {
                overall = r;
            }
        }
        return overall == null ? StatusModel.Role.STOPPED : overall;
    }

    static String primitiveState(StatusModel m, String id) {
        Map<String, StatusModel.Role> where = m.placement.getOrDefault(id, Map.of());
        if (where.isEmpty()) {
            return m.notInstalled.contains(id) ? "Stopped (not installed)" : "Stopped";
        }
        List<String> failed = new ArrayList<>();
        List<String> promoted = new ArrayList<>();
        List<String> started = new ArrayList<>();
        where.forEach((node, role) -> {
            switch (role) {
                case FAILED -> failed.add(node);
                case PROMOTED -> promoted.add(node);
                case STARTED -> started.add(node);
                default -> {
                    // stopped here
                }
            }
        });
        List<String> parts = new ArrayList<>();
        if (!failed.isEmpty()) {
            parts.add("FAILED " + nodesText(failed));
        }
        if (!promoted.isEmpty()) {
            parts.add("Promoted " + nodesText(promoted));
        }
        if (!started.isEmpty()) {
            parts.add("Started " + nodesText(started));
        }
        // crm_mon marks a resource on an unclean node: it may or may not still run there
        if (!parts.isEmpty() && where.keySet().stream().anyMatch(m.unclean::contains)) {
            parts.set(parts.size() - 1, parts.get(parts.size() - 1) + " (UNCLEAN)");
        }
        return parts.isEmpty() ? "Stopped" : String.join(", ", parts);
    }

    private static String nodesText(List<String> nodes) {
        return nodes.size() == 1 ? nodes.get(0) : "[ " + String.join(" ", nodes) + " ]";
    }

    // ---- json / xml ----

    static Map<String, Object> json(StatusModel m) {
        return json(m, Map.of());
    }

    static Map<String, Object> json(StatusModel m, Map<String, String> partition) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", JSON_VERSION);
        root.put("generated", m.now.toString());
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("dc", m.dc());
        cluster.put("quorate", m.quorate());
        if (partition.containsKey("quorum")) {
            cluster.put("quorumReason", partition.get("quorum"));
            cluster.put("waitingForAll", "true".equals(partition.get("wait_for_all")));
        }
        String blocked = partition.get("blocked");
        if (blocked != null && !blocked.isBlank()) {
            Map<String, String> held = new LinkedHashMap<>();
            for (String line : blocked.split("\n")) {
                int colon = line.indexOf(": ");
                held.put(colon < 0 ? line : line.substring(0, colon), colon < 0 ? "" : line.substring(colon + 2));
            }
            cluster.put("heldBack", held);
        }
        String pending = partition.get("fencing_pending");
        Map<String, String> failedFencing = linesByKey(partition.get("fencing_failed"));
        List<FenceEvent> history = fenceHistory(partition);
        if (partition.containsKey("quorum")) {
            Map<String, Object> fencing = new LinkedHashMap<>();
            fencing.put("pending", pending == null || pending.isBlank() ? List.of() : List.of(pending.split(",")));
            fencing.put("stopped", failedFencing);
            List<Object> events = new ArrayList<>();
            for (FenceEvent e : history) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("target", e.target());
                o.put("action", e.action());
                o.put("result", e.result());
                o.put("device", e.device().isEmpty() ? null : e.device());
                o.put("executor", e.executor().isEmpty() ? null : e.executor());
                o.put("level", e.level());
                o.put("completed", e.completed());
                o.put("detail", e.detail());
                events.add(o);
            }
            fencing.put("history", events);
            cluster.put("fencing", fencing);
        }
        cluster.put("cibVersion", m.cib.attr("admin_epoch", "0") + "." + m.cib.attr("epoch", "0") + "."
                + m.cib.attr("num_updates", "0"));
        cluster.put("lastChange", m.cib.attr("cib-last-written"));
        root.put("cluster", cluster);
        List<Object> nodes = new ArrayList<>();
        for (StatusModel.NodeView n : m.nodes) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", n.name());
            o.put("id", n.id());
            o.put("type", n.type());
            o.put("online", n.online());
            o.put("unclean", m.unclean.contains(n.name()));
            o.put("standby", n.standby());
            o.put("maintenance", n.maintenance());
            o.put("attributes", new LinkedHashMap<>(n.attributes()));
            nodes.add(o);
        }
        root.put("nodes", nodes);
        List<Object> resources = new ArrayList<>();
        for (XmlElement r : Tree.section(m.config.configuration(), "resources").elements()) {
            if (Configuration.RESOURCE_TAGS.contains(r.name()) && !r.name().equals("template")) {
                resources.add(resourceJson(m, r));
            }
        }
        root.put("resources", resources);
        List<Object> failed = new ArrayList<>();
        for (StatusModel.FailedAction f : m.failed) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("resource", f.resource());
            o.put("operation", f.operation());
            o.put("intervalMs", f.intervalMs());
            o.put("node", f.node());
            o.put("rc", f.rc());
            o.put("rcText", OcfRc.name(f.rc()));
            o.put("opStatus", f.opStatus());
            o.put("exitReason", f.exitReason());
            o.put("lastRcChange", f.lastRcChange() > 0 ? Instant.ofEpochSecond(f.lastRcChange()).toString() : null);
            o.put("callId", f.callId());
            failed.add(o);
        }
        root.put("failedActions", failed);
        List<Object> fc = new ArrayList<>();
        for (StatusModel.FailCount f : m.failCounts) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", f.node());
            o.put("resource", f.resource());
            o.put("operation", f.operation());
            o.put("count", f.count());
            o.put("lastFailure", f.lastFailure() > 0 ? Instant.ofEpochSecond(f.lastFailure()).toString() : null);
            fc.add(o);
        }
        root.put("failCounts", fc);
        List<Object> moves = new ArrayList<>();
        for (StatusModel.MoveConstraint c : m.moves) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", c.id());
            o.put("resource", c.resource());
            o.put("node", c.node());
            o.put("kind", c.score().startsWith("-") ? "ban" : "prefer");
            o.put("expires", c.expires());
            o.put("expired", c.expired());
            moves.add(o);
        }
        root.put("movesAndBans", moves);
        return root;
    }

    private static Map<String, Object> resourceJson(StatusModel m, XmlElement r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", r.id());
        String type = switch (r.name()) {
            case "master" -> "clone";
            default -> r.name();
        };
        o.put("type", type);
        o.put("disabled", "stopped".equalsIgnoreCase(StatusModel.meta(r, "target-role")));
        o.put("managed", !m.unmanaged.contains(r.id()));
        if (r.name().equals("primitive")) {
            o.put("agent", agent(m, r));
            List<Object> inst = new ArrayList<>();
            m.placement.getOrDefault(r.id(), Map.of()).forEach((node, role) -> {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("node", node);
                i.put("role", role.name().charAt(0) + role.name().substring(1).toLowerCase(Locale.ROOT));
                inst.add(i);
            });
            o.put("active", inst);
        } else {
            if (!r.name().equals("group")) {
                o.put("promotable", r.name().equals("master") || "true".equalsIgnoreCase(StatusModel.meta(r, "promotable")));
            }
            List<Object> kids = new ArrayList<>();
            for (XmlElement c : r.elements()) {
                if (c.name().equals("primitive") || c.name().equals("group")) {
                    kids.add(resourceJson(m, c));
                }
            }
            o.put("children", kids);
        }
        return o;
    }

    static XmlElement xml(StatusModel m) {
        MNode root = MNode.of("pulse_status", "version", JSON_VERSION, "generated", m.now.toString());
        MNode summary = root.child("summary");
        summary.set("dc", m.dc() == null ? "" : m.dc());
        summary.set("quorate", Boolean.toString(m.quorate()));
        summary.set("cib-version", m.cib.attr("admin_epoch", "0") + "." + m.cib.attr("epoch", "0") + "."
                + m.cib.attr("num_updates", "0"));
        MNode nodes = root.child("nodes");
        for (StatusModel.NodeView n : m.nodes) {
            nodes.add(MNode.of("node", "name", n.name(), "id", n.id(), "type", n.type(), "online", Boolean.toString(n.online()),
                    "unclean", Boolean.toString(m.unclean.contains(n.name())), "standby", Boolean.toString(n.standby()), "maintenance", Boolean.toString(n.maintenance())));
        }
        MNode res = root.child("resources");
        m.placement.forEach((rsc, where) -> where.forEach((node, role) -> res.add(MNode.of("resource", "id", rsc,
                "node", node, "role", role.name().toLowerCase(Locale.ROOT)))));
        MNode failed = root.child("failures");
        for (StatusModel.FailedAction f : m.failed) {
            failed.add(MNode.of("failure", "resource", f.resource(), "operation", f.operation(), "interval-ms",
                    Long.toString(f.intervalMs()), "node", f.node(), "rc", Integer.toString(f.rc()),
                    "exit-reason", f.exitReason()));
        }
        MNode moves = root.child("moves_and_bans");
        for (StatusModel.MoveConstraint c : m.moves) {
            MNode e = MNode.of("constraint", "id", c.id(), "resource", c.resource(), "node", c.node() == null ? "" : c.node(),
                    "kind", c.score().startsWith("-") ? "ban" : "prefer");
            e.set("expires", c.expires());
            moves.add(e);
        }
        return root.freeze();
    }
}
