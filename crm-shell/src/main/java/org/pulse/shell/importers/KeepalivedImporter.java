package org.pulse.shell.importers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pulse.shell.importers.ImportResult.NotImported;
import org.pulse.shell.importers.KeepalivedConfig.Stmt;

/**
 * keepalived (VRRP) to crm commands. keepalived has one file per node; each {@code vrrp_instance}
 * (matched across the files by name) becomes a group of {@code ocf:pulse:IPaddr} primitives, one
 * per virtual address, and each node's {@code priority} a location score for that group, so the
 * node keepalived would elect (highest priority) is the one Pulse prefers.
 *
 * <p>Failback: keepalived preempts by default (a returning higher-priority node takes the address
 * back); that is Pacemaker's behaviour with no stickiness, so the group gets
 * {@code resource-stickiness=0} explicitly (whatever rsc_defaults say). {@code nopreempt} keeps
 * the address where it is until that node fails: the group's stickiness is made larger than any
 * difference the priorities and tracking weights can make (the highest priority plus every
 * weight, plus one), so preference never moves it, while a fault (-INFINITY) still does; a finite
 * value, so that {@code crm resource move} still works.
 *
 * <p>Tracking: a {@code vrrp_script} becomes a clone of {@code ocf:pulse:health}, which runs the
 * script at each monitor (interval, timeout, rise, fall as keepalived's) and publishes node
 * attribute {@code health_NAME} = 1 (good) or 0 (failed); {@code track_interface} the same agent
 * watching the link ({@code health_if_IFACE}). Each tracking instance gets a location rule with
 * keepalived's arithmetic: weight 0 (fault) is {@code -inf} when failed, a positive weight adds
 * itself while good, a negative one adds itself while failed ({@code reverse} flips both).
 */
public final class KeepalivedImporter {
    private KeepalivedImporter() {
    }

    /** One node's keepalived configuration, parsed. */
    public record NodeConfig(String node, List<Stmt> statements) {
    }

    /** One node's keepalived.conf on disk; {@code display} is how messages name it. */
    public record NodeFile(String node, Path file, String display) {
    }

    /** Parses every node's file (with includes) and translates them. */
    public static ImportResult importFiles(List<NodeFile> files, KeepalivedConfig.Files fs)
            throws KeepalivedConfig.ParseException {
        List<NodeConfig> nodes = new ArrayList<>();
        for (NodeFile f : files) {
            nodes.add(new NodeConfig(f.node(), KeepalivedConfig.parse(f.file(), f.display(), f.node(), fs)));
        }
        return translate(nodes);
    }

    static final String LVS = "LVS load balancing (IPVS virtual and real servers) is not managed by Pulse; keep "
            + "keepalived for it with its vrrp_instance blocks removed, or run ldirectord as a cluster resource";
    static final String WIRE = "a VRRP wire setting; Pulse's nodes agree over crmd's own links "
            + "(crmd.conf nodes, failure_detection_ms), so it needs nothing";
    static final String ALERT = "keepalived runs it on VRRP state changes; the crm shell has no 'alert' command and "
            + "crmd does not run alert agents yet, so nothing would call it (a Pacemaker alert agent gets "
            + "CRM_alert_* variables, not keepalived's arguments: it would need a wrapper anyway)";
    static final String PROTOCOL = "a VRRP protocol detail with no Pulse equivalent (ocf:pulse:IPaddr sends its "
            + "own gratuitous ARP when it starts the address)";

    /** Known instance keywords that need nothing, with why. */
    private static final Map<String, String> INSTANCE_NOTES = new LinkedHashMap<>();

    static {
        INSTANCE_NOTES.put("virtual_router_id", WIRE);
        INSTANCE_NOTES.put("advert_int", WIRE + "; failover speed is crmd.conf's failure_detection_ms");
        INSTANCE_NOTES.put("authentication", WIRE + "; cluster traffic is authenticated with /etc/pulse/authkey");
        INSTANCE_NOTES.put("unicast_peer", WIRE);
        INSTANCE_NOTES.put("unicast_src_ip", WIRE);
        INSTANCE_NOTES.put("mcast_src_ip", WIRE);
        INSTANCE_NOTES.put("version", WIRE);
        INSTANCE_NOTES.put("smtp_alert", "mail on state changes; Pulse sends no mail (see notify_*)");
        INSTANCE_NOTES.put("notify_master", ALERT);
        INSTANCE_NOTES.put("notify_backup", ALERT);
        INSTANCE_NOTES.put("notify_fault", ALERT);
        INSTANCE_NOTES.put("notify_stop", ALERT);
        INSTANCE_NOTES.put("notify", ALERT);
        INSTANCE_NOTES.put("notify_master_rx_lower_pri", ALERT);
        INSTANCE_NOTES.put("virtual_routes", "routes that follow the address; not translated: add an "
                + "ocf:heartbeat:Route primitive per route to the group by hand");
        INSTANCE_NOTES.put("virtual_rules", "policy routing rules that follow the address; Pulse has no agent for them");
        INSTANCE_NOTES.put("use_vmac", "a VRRP virtual MAC; Pulse moves the address with gratuitous ARP instead");
        INSTANCE_NOTES.put("vmac_xmit_base", "a VRRP virtual MAC setting (see use_vmac)");
        INSTANCE_NOTES.put("track_file", "not translated: track the file with a vrrp_script (ocf:pulse:health command) instead");
        INSTANCE_NOTES.put("track_process", "not translated: track the process with a vrrp_script (e.g. pidof) instead");
        INSTANCE_NOTES.put("track_bfd", "BFD tracking has no Pulse equivalent");
        INSTANCE_NOTES.put("lvs_sync_daemon_interface", LVS);
    }

    /** A virtual address as keepalived writes it: ADDR[/LEN] [brd B] [dev D] [label L] ... */
    private record Vip(String address, int prefix, String nic, String broadcast, String label, String where,
            String text) {
    }

    /** How one node's file describes one instance. */
    private static final class View {
        String node;
        Stmt stmt;
        String iface;
        int priority = 100;
        String state;
        boolean noPreempt;
        Stmt preemptDelay;
        List<Vip> vips = new ArrayList<>();
        /** script name -> [weight or null, reverse] from track_script, in order. */
        Map<String, Track> scripts = new LinkedHashMap<>();
        Map<String, Track> interfaces = new LinkedHashMap<>();
    }

    private record Track(Integer weight, boolean reverse, String where) {
    }

    private static final class Builder {
        final List<String> commands = new ArrayList<>();
        final List<NotImported> notImported = new ArrayList<>();
        final Set<String> ids = new HashSet<>();

        void skip(Stmt s, String what, String reason) {
            notImported.add(new NotImported(s.where(), what, reason));
        }

        void skip(Stmt s, String reason) {
            skip(s, s.block() ? s.text() + " { ... }" : s.text(), reason);
        }
    }

    /** The translation itself: a pure function of the parsed files. */
    public static ImportResult translate(List<NodeConfig> nodes) {
        Builder b = new Builder();
        Map<String, Map<String, Stmt>> instances = new LinkedHashMap<>();
        Map<String, Map<String, Stmt>> scripts = new LinkedHashMap<>();
        Map<String, Map<String, Stmt>> syncGroups = new LinkedHashMap<>();
        for (NodeConfig nc : nodes) {
            for (Stmt s : nc.statements()) {
                switch (s.keyword()) {
                    case "vrrp_instance", "vrrp_script", "vrrp_sync_group" -> {
                        if (s.args().isEmpty() || !s.block()) {
                            b.skip(s, s.keyword() + " needs a name and a { } block as keepalived requires");
                            continue;
                        }
                        Map<String, Map<String, Stmt>> into = s.keyword().equals("vrrp_instance") ? instances
                                : s.keyword().equals("vrrp_script") ? scripts : syncGroups;
                        Map<String, Stmt> perNode = into.computeIfAbsent(s.args().get(0), k -> new LinkedHashMap<>());
                        if (perNode.containsKey(nc.node())) {
                            b.skip(s, s.keyword() + " " + s.args().get(0) + " is defined twice in " + nc.node()
                                    + "'s configuration; the first (" + perNode.get(nc.node()).where() + ") is imported");
                        } else {
                            perNode.put(nc.node(), s);
                        }
                    }
                    case "global_defs" -> b.skip(s, "global_defs { " + keywords(s) + " }", "keepalived's own process, "
                            + "mail and naming options; Pulse's equivalents live in crmd.conf");
                    case "virtual_server", "virtual_server_group" -> b.skip(s, s.keyword() + " " + String.join(" ", s.args())
                            + countRealServers(s), LVS);
                    case "static_ipaddress", "static_routes", "static_rules" -> b.skip(s, s.keyword() + " { "
                            + s.children().size() + " entries }", "host network configuration keepalived applies on every "
                            + "node at start, not failed over; keep it in the operating system's network configuration");
                    case "net_namespace", "net_namespace_ipvs" -> b.skip(s, "keepalived's own network namespace; run "
                            + "crmd in the namespace instead if the addresses live there");
                    case "vrrp_track_process", "vrrp_track_file", "vrrp_track_bfd" -> b.skip(s, "not translated: "
                            + "express the check as a vrrp_script (an ocf:pulse:health command) instead");
                    default -> b.skip(s, "not a construct the importer knows; nothing in Pulse was made from it");
                }
            }
        }
        List<String> nodeNames = nodes.stream().map(NodeConfig::node).distinct().toList();
        // no node commands: a node in the CIB's nodes section is a quorum vote (see ImportResult)
        Set<String> usedScripts = new java.util.LinkedHashSet<>();
        Set<String> usedInterfaces = new java.util.LinkedHashSet<>();
        Map<String, String> groupOfInstance = new LinkedHashMap<>();
        List<String> healthCommands = new ArrayList<>();
        for (Map.Entry<String, Map<String, Stmt>> inst : instances.entrySet()) {
            List<View> views = new ArrayList<>();
            for (Map.Entry<String, Stmt> e : inst.getValue().entrySet()) {
                views.add(view(b, e.getKey(), e.getValue()));
            }
            String group = instance(b, inst.getKey(), views, scripts);
            if (group != null) {
                groupOfInstance.put(inst.getKey(), group);
                for (View v : views) {
                    usedScripts.addAll(v.scripts.keySet().stream().filter(scripts::containsKey).toList());
                    usedInterfaces.addAll(v.interfaces.keySet());
                }
            }
        }
        for (Map.Entry<String, Map<String, Stmt>> sc : scripts.entrySet()) {
            if (!usedScripts.contains(sc.getKey())) {
                for (Stmt s : sc.getValue().values()) {
                    b.skip(s, "vrrp_script " + sc.getKey() + " { ... }", "no imported vrrp_instance tracks it");
                }
                continue;
            }
            healthScript(b, sc.getKey(), sc.getValue(), healthCommands);
        }
        for (String iface : usedInterfaces) {
            String prim = CrmWords.unique(CrmWords.id("health-if-" + iface), b.ids);
            healthCommands.add("primitive " + prim + " ocf:pulse:health params "
                    + CrmWords.nv("name", ifaceAttribute(iface)) + " " + CrmWords.nv("interface", iface)
                    + " op monitor interval=2s timeout=20s");
            healthCommands.add("clone " + CrmWords.unique(prim + "-clone", b.ids) + " " + prim);
        }
        b.commands.addAll(healthCommands);
        for (Map.Entry<String, Map<String, Stmt>> sg : syncGroups.entrySet()) {
            syncGroup(b, sg.getKey(), sg.getValue(), groupOfInstance);
        }
        return new ImportResult(nodeNames, b.commands, List.of(), ImportResult.inFileOrder(b.notImported));
    }

    private static String keywords(Stmt s) {
        return String.join(", ", s.children().stream().map(Stmt::keyword).distinct().toList());
    }

    private static String countRealServers(Stmt s) {
        long n = s.children().stream().filter(c -> c.keyword().equals("real_server")).count();
        return n == 0 ? "" : " (" + n + " real_server)";
    }

    static String scriptAttribute(String script) {
        return "health_" + CrmWords.attribute(script);
    }

    static String ifaceAttribute(String iface) {
        return "health_if_" + CrmWords.attribute(iface);
    }

    private static Integer integer(Builder b, Stmt s, int index, String what) {
        if (s.args().size() <= index) {
            b.skip(s, what + " without a value; keepalived's default is used");
            return null;
        }
        try {
            return Integer.parseInt(s.args().get(index));
        } catch (NumberFormatException e) {
            b.skip(s, what + " '" + s.args().get(index) + "' is not a whole number; keepalived's default is used");
            return null;
        }
    }

    /** Reads one node's vrrp_instance block; what it cannot use goes to the not-imported list. */
    private static View view(Builder b, String node, Stmt inst) {
        View v = new View();
        v.node = node;
        v.stmt = inst;
        for (Stmt c : inst.children()) {
            if (c.keyword().equals("interface") && !c.args().isEmpty()) {
                v.iface = c.args().get(0);
            }
        }
        for (Stmt c : inst.children()) {
            switch (c.keyword()) {
                case "interface" -> {
                    // the default device of the addresses (above)
                }
                case "priority" -> {
                    Integer p = integer(b, c, 0, "priority");
                    if (p != null) {
                        v.priority = p;
                    }
                }
                case "state" -> {
                    v.state = c.args().isEmpty() ? null : c.args().get(0).toUpperCase(Locale.ROOT);
                    b.skip(c, "the state a node starts in; keepalived then elects by priority, and Pulse places the "
                            + "group on the node with the highest score (its priority), so it needs nothing");
                }
                case "nopreempt" -> v.noPreempt = true;
                case "preempt" -> {
                    // keepalived's default
                }
                case "preempt_delay" -> v.preemptDelay = c;
                case "virtual_ipaddress", "virtual_ipaddress_excluded" -> {
                    for (Stmt e : c.children()) {
                        Vip vip = vip(b, e, v.iface);
                        if (vip != null) {
                            v.vips.add(vip);
                        }
                    }
                    if (!c.block()) {
                        b.skip(c, c.keyword() + " without a { } block");
                    }
                }
                case "track_script" -> {
                    for (Stmt t : c.children()) {
                        v.scripts.put(t.keyword(), track(b, t));
                    }
                }
                case "track_interface" -> {
                    for (Stmt t : c.children()) {
                        v.interfaces.put(t.keyword(), track(b, t));
                    }
                }
                default -> {
                    String why = INSTANCE_NOTES.get(c.keyword());
                    b.skip(c, why != null ? why : c.keyword().startsWith("garp_") || c.keyword().startsWith("gna_")
                            || c.keyword().startsWith("lower_prio") || c.keyword().equals("dont_track_primary")
                            || c.keyword().equals("accept") || c.keyword().equals("no_accept")
                            || c.keyword().equals("strict_mode") || c.keyword().equals("native_ipv6")
                            || c.keyword().equals("debug") || c.keyword().equals("skip_check_adv_addr")
                            || c.keyword().equals("check_unicast_src") ? PROTOCOL
                            : "not an instance setting the importer knows; nothing in Pulse was made from it");
                }
            }
        }
        if (v.preemptDelay != null) {
            b.skip(v.preemptDelay, "keepalived waits this long after its start before taking the address back; Pulse "
                    + "fails back (preempts) as soon as the preferred node is up again, with no delay");
        }
        return v;
    }

    private static Track track(Builder b, Stmt t) {
        Integer weight = null;
        boolean reverse = false;
        List<String> a = t.args();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).equals("weight") && i + 1 < a.size()) {
                try {
                    weight = Integer.parseInt(a.get(++i));
                } catch (NumberFormatException e) {
                    b.skip(t, "weight '" + a.get(i) + "' is not a whole number; the script's own weight is used");
                }
            } else if (a.get(i).equals("reverse")) {
                reverse = true;
            } else {
                b.skip(t, "'" + a.get(i) + "' after " + t.keyword() + " is not understood (weight N [reverse])");
            }
        }
        return new Track(weight, reverse, t.where());
    }

    private static Vip vip(Builder b, Stmt e, String iface) {
        String addr = e.keyword();
        int slash = addr.indexOf('/');
        String ip = slash < 0 ? addr : addr.substring(0, slash);
        boolean v6 = ip.contains(":");
        if (!(ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || (v6 && ip.matches("[0-9A-Fa-f:.]+")))) {
            b.skip(e, "not an IP address (keepalived's ADDRESS[/PREFIX] [dev D] [brd B] [label L] ...)");
            return null;
        }
        // keepalived adds an address without a prefix as a host address (/32, /128)
        int prefix = v6 ? 128 : 32;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(addr.substring(slash + 1));
            } catch (NumberFormatException ex) {
                b.skip(e, "the prefix '" + addr.substring(slash + 1) + "' is not a number");
                return null;
            }
        }
        String nic = iface;
        String brd = null;
        String label = null;
        List<String> a = e.args();
        for (int i = 0; i < a.size(); i++) {
            String k = a.get(i);
            String val = i + 1 < a.size() ? a.get(i + 1) : null;
            switch (k) {
                case "dev" -> {
                    nic = val;
                    i++;
                }
                case "brd" -> {
                    brd = val;
                    i++;
                }
                case "label" -> {
                    label = val;
                    i++;
                }
                case "scope", "peer", "preferred_lft", "metric", "table", "src" -> {
                    b.skip(e, k + (val == null ? "" : " " + val) + " of " + addr, "ocf:pulse:IPaddr has no such setting; "
                            + "the address is added with the kernel's defaults");
                    i++;
                }
                default -> b.skip(e, k + " of " + addr, "an address option ocf:pulse:IPaddr has no equivalent for");
            }
        }
        if (brd != null && (brd.equals("+") || brd.equals("-"))) {
            brd = null; // computed from the prefix, as ocf:pulse:IPaddr does anyway
        }
        if (label != null) {
            int colon = label.indexOf(':');
            label = colon >= 0 ? label.substring(colon + 1) : label;
        }
        return new Vip(ip, prefix, nic, brd, label, e.where(), e.text());
    }

    /** One instance: its addresses, group, location scores and tracking rules; returns the group id or null. */
    private static String instance(Builder b, String name, List<View> views, Map<String, Map<String, Stmt>> scripts) {
        List<Vip> vips = new ArrayList<>();
        Map<String, Vip> seen = new LinkedHashMap<>();
        for (View v : views) {
            Map<String, Vip> mine = new LinkedHashMap<>();
            for (Vip vip : v.vips) {
                String key = vip.address() + "%" + vip.nic();
                if (mine.containsKey(key)) {
                    b.notImported.add(new NotImported(vip.where(), vip.text(), "the same address on the same device as "
                            + mine.get(key).where() + "; one primitive manages it"));
                    continue;
                }
                mine.put(key, vip);
                if (seen.containsKey(key)) {
                    continue; // the same address in another node's file, as expected
                }
                if (v != views.get(0)) {
                    b.notImported.add(new NotImported(vip.where(), vip.text(), "only in " + v.node + "'s file, not in "
                            + views.get(0).node + "'s; imported anyway (the address follows the group)"));
                }
                seen.put(key, vip);
                vips.add(vip);
            }
        }
        if (vips.isEmpty()) {
            for (View v : views) {
                b.skip(v.stmt, "vrrp_instance " + name + " { ... }", "it has no virtual_ipaddress, so there is nothing "
                        + "for Pulse to place");
            }
            return null;
        }
        String group = CrmWords.unique(CrmWords.id(name), b.ids);
        List<String> members = new ArrayList<>();
        int n = 0;
        for (Vip vip : vips) {
            String id = CrmWords.unique(group + "-ip" + (++n), b.ids);
            StringBuilder p = new StringBuilder("primitive " + id + " ocf:pulse:IPaddr params ");
            p.append(CrmWords.nv("ip", vip.address())).append(' ').append("cidr_netmask=").append(vip.prefix());
            if (vip.nic() != null) {
                p.append(' ').append(CrmWords.nv("nic", vip.nic()));
            }
            if (vip.broadcast() != null) {
                p.append(' ').append(CrmWords.nv("broadcast", vip.broadcast()));
            }
            if (vip.label() != null) {
                p.append(' ').append(CrmWords.nv("iflabel", vip.label()));
            }
            p.append(" op monitor interval=10s timeout=20s");
            b.commands.add(p.toString());
            members.add(id);
        }
        // weights of every tracking, for the no-failback stickiness bound
        int maxPriority = 0;
        int weights = 0;
        boolean noPreempt = false;
        for (View v : views) {
            maxPriority = Math.max(maxPriority, v.priority);
            noPreempt |= v.noPreempt;
            for (Map.Entry<String, Track> t : v.scripts.entrySet()) {
                Integer w = effectiveWeight(t.getValue(), scripts.getOrDefault(t.getKey(), Map.of()).get(v.node));
                weights += w == null ? 0 : Math.abs(w);
            }
            for (Track t : v.interfaces.values()) {
                weights += t.weight() == null ? 0 : Math.abs(t.weight());
            }
        }
        for (View v : views) {
            if (noPreempt && !v.noPreempt) {
                b.skip(v.stmt, "vrrp_instance " + name + " on " + v.node, "has no nopreempt while another node's has; "
                        + "imported as no failback for the whole group");
            }
            if (noPreempt && "MASTER".equals(v.state)) {
                b.skip(v.stmt, "vrrp_instance " + name + " on " + v.node + ": state MASTER with nopreempt",
                        "keepalived ignores nopreempt on a node that starts as MASTER (it takes the address back); "
                        + "Pulse never fails back here: set state BACKUP in keepalived to get the same");
            }
        }
        int stickiness = noPreempt ? maxPriority + weights + 1 : 0;
        b.commands.add("group " + group + " " + String.join(" ", members) + " meta resource-stickiness=" + stickiness);
        for (View v : views) {
            b.commands.add("location " + CrmWords.unique(group + "-prio-" + CrmWords.id(v.node), b.ids) + " " + group
                    + " " + v.priority + ": " + v.node);
        }
        // tracking: taken from the first node that tracks each thing (the files normally agree)
        Map<String, Integer> scriptWeights = new LinkedHashMap<>();
        Map<String, Boolean> scriptReverse = new LinkedHashMap<>();
        Map<String, Integer> ifaceWeights = new LinkedHashMap<>();
        Map<String, Boolean> ifaceReverse = new LinkedHashMap<>();
        for (View v : views) {
            for (Map.Entry<String, Track> t : v.scripts.entrySet()) {
                Stmt def = scripts.getOrDefault(t.getKey(), Map.of()).get(v.node);
                if (def == null && scripts.containsKey(t.getKey())) {
                    def = scripts.get(t.getKey()).values().iterator().next();
                }
                if (def == null) {
                    b.notImported.add(new NotImported(t.getValue().where(), "track_script " + t.getKey(),
                            "no vrrp_script " + t.getKey() + " is defined; nothing to track"));
                    continue;
                }
                Integer w = effectiveWeight(t.getValue(), def);
                boolean rev = t.getValue().reverse() || scriptReverse(def);
                if (scriptWeights.containsKey(t.getKey())) {
                    if (!java.util.Objects.equals(scriptWeights.get(t.getKey()), w == null ? 0 : w)) {
                        b.notImported.add(new NotImported(t.getValue().where(), "track_script " + t.getKey() + " weight on "
                                + v.node, "differs from the first node's; the first node's weight is used for all"));
                    }
                    continue;
                }
                scriptWeights.put(t.getKey(), w == null ? 0 : w);
                scriptReverse.put(t.getKey(), rev);
            }
            for (Map.Entry<String, Track> t : v.interfaces.entrySet()) {
                if (!ifaceWeights.containsKey(t.getKey())) {
                    ifaceWeights.put(t.getKey(), t.getValue().weight() == null ? 0 : t.getValue().weight());
                    ifaceReverse.put(t.getKey(), t.getValue().reverse());
                }
            }
        }
        for (Map.Entry<String, Integer> e : scriptWeights.entrySet()) {
            b.commands.add(rule(b, group, e.getKey(), scriptAttribute(e.getKey()), e.getValue(), scriptReverse.get(e.getKey())));
        }
        for (Map.Entry<String, Integer> e : ifaceWeights.entrySet()) {
            b.commands.add(rule(b, group, "if-" + e.getKey(), ifaceAttribute(e.getKey()), e.getValue(),
                    ifaceReverse.get(e.getKey())));
        }
        return group;
    }

    /** keepalived's priority arithmetic as a location rule on the health attribute (1 good, 0 failed). */
    private static String rule(Builder b, String group, String what, String attribute, int weight, boolean reverse) {
        String id = CrmWords.unique(CrmWords.id(group + "-track-" + what), b.ids);
        String prefix = "location " + id + " " + group + " rule ";
        if (weight == 0) {
            return prefix + "-inf: " + attribute + " eq 0";
        }
        boolean whenGood = weight > 0;
        int score = weight;
        if (reverse) {
            // reverse: the adjustment goes the other way (a positive weight lowers the priority while good)
            score = -weight;
        }
        return prefix + score + ": " + attribute + " eq " + (whenGood ? "1" : "0");
    }

    private static Integer effectiveWeight(Track t, Stmt scriptDef) {
        if (t.weight() != null) {
            return t.weight();
        }
        if (scriptDef == null) {
            return null;
        }
        for (Stmt c : scriptDef.children()) {
            if (c.keyword().equals("weight") && !c.args().isEmpty()) {
                try {
                    return Integer.parseInt(c.args().get(0));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static boolean scriptReverse(Stmt scriptDef) {
        for (Stmt c : scriptDef.children()) {
            if (c.keyword().equals("weight") && c.args().contains("reverse")) {
                return true;
            }
        }
        return false;
    }

    /** A statement's words and its block's, without where they were written: equal texts, equal definitions. */
    private static String canonical(Stmt s) {
        StringBuilder sb = new StringBuilder(s.text());
        if (s.block()) {
            sb.append(" {");
            for (Stmt c : s.children()) {
                sb.append(' ').append(canonical(c)).append(';');
            }
            sb.append(" }");
        }
        return sb.toString();
    }

    /**
     * A vrrp_script as a clone of ocf:pulse:health. When the nodes' files define it differently
     * (e.g. @node lines pick a per-node script), each definition gets its own clone, kept off the
     * nodes whose files say otherwise, so every node runs the check its own keepalived would.
     */
    private static void healthScript(Builder b, String name, Map<String, Stmt> defs, List<String> out) {
        Map<String, List<String>> nodesByDefinition = new LinkedHashMap<>();
        Map<String, Stmt> firstByDefinition = new LinkedHashMap<>();
        for (Map.Entry<String, Stmt> e : defs.entrySet()) {
            String key = canonical(e.getValue());
            nodesByDefinition.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getKey());
            firstByDefinition.putIfAbsent(key, e.getValue());
        }
        boolean perNode = nodesByDefinition.size() > 1;
        for (Map.Entry<String, Stmt> e : firstByDefinition.entrySet()) {
            List<String> nodes = nodesByDefinition.get(e.getKey());
            String suffix = perNode ? "-" + CrmWords.id(nodes.get(0)) : "";
            String clone = healthScriptClone(b, name, e.getValue(), suffix, out);
            if (clone != null && perNode) {
                List<String> others = new ArrayList<>();
                for (String n : nodes) {
                    others.add("#uname ne " + n);
                }
                out.add("location " + CrmWords.unique(clone + "-nodes", b.ids) + " " + clone + " rule -inf: "
                        + String.join(" and ", others));
            }
        }
    }

    private static String healthScriptClone(Builder b, String name, Stmt def, String suffix, List<String> out) {
        String script = null;
        int intervalS = 1;
        Integer timeoutS = null;
        Integer rise = null;
        Integer fall = null;
        boolean initFail = false;
        for (Stmt c : def.children()) {
            switch (c.keyword()) {
                case "script" -> script = String.join(" ", c.args());
                case "interval" -> {
                    Integer i = integer(b, c, 0, "interval");
                    if (i != null) {
                        intervalS = Math.max(1, i);
                    }
                }
                case "timeout" -> timeoutS = integer(b, c, 0, "timeout");
                case "rise" -> rise = integer(b, c, 0, "rise");
                case "fall" -> fall = integer(b, c, 0, "fall");
                case "weight" -> {
                    // used in the location rules of the instances that track it
                }
                case "init_fail" -> initFail = true;
                case "user" -> b.skip(c, "ocf:pulse:health runs the command as root (the cluster's agents run as "
                        + "root); wrap it in runuser -u USER -- ... to drop privileges");
                default -> b.skip(c, "not a vrrp_script setting the importer knows");
            }
        }
        if (script == null || script.isBlank()) {
            b.skip(def, "vrrp_script " + name + " { ... }", "it has no script line; nothing to run");
            return null;
        }
        String prim = CrmWords.unique(CrmWords.id("health-" + name + suffix), b.ids);
        StringBuilder p = new StringBuilder("primitive " + prim + " ocf:pulse:health params ");
        p.append(CrmWords.nv("name", scriptAttribute(name))).append(' ').append(CrmWords.nv("command", script));
        if (timeoutS != null) {
            p.append(" timeout=").append(timeoutS);
        }
        if (rise != null) {
            p.append(" rise=").append(rise);
        }
        if (fall != null) {
            p.append(" fall=").append(fall);
        }
        if (initFail) {
            p.append(" init_fail=true");
        }
        int opTimeoutS = Math.max(20, (timeoutS == null ? intervalS : timeoutS) + 10);
        p.append(" op monitor interval=").append(intervalS).append("s timeout=").append(opTimeoutS).append('s');
        out.add(p.toString());
        String clone = CrmWords.unique(prim + "-clone", b.ids);
        out.add("clone " + clone + " " + prim);
        return clone;
    }

    /** vrrp_sync_group: the instances fail over together, so their groups are colocated. */
    private static void syncGroup(Builder b, String name, Map<String, Stmt> defs, Map<String, String> groupOfInstance) {
        Stmt def = defs.values().iterator().next();
        List<String> members = new ArrayList<>();
        for (Stmt c : def.children()) {
            // older keepalived lists the members directly in the block, without group { }
            List<Stmt> listed = c.keyword().equals("group") ? c.children()
                    : c.args().isEmpty() && !c.block() && !c.keyword().startsWith("notify")
                            && !c.keyword().equals("smtp_alert") ? List.of(c) : null;
            switch (listed != null ? "group" : c.keyword()) {
                case "group" -> {
                    for (Stmt m : listed) {
                        String g = groupOfInstance.get(m.keyword());
                        if (g == null) {
                            b.skip(m, "member " + m.keyword() + " of vrrp_sync_group " + name,
                                    "no imported vrrp_instance has that name");
                        } else if (!members.contains(g)) {
                            members.add(g);
                        }
                    }
                }
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" -> b.skip(c, ALERT);
                case "smtp_alert" -> b.skip(c, "mail on state changes; Pulse sends no mail");
                default -> b.skip(c, "not a vrrp_sync_group setting the importer knows");
            }
        }
        for (Map.Entry<String, Stmt> other : defs.entrySet()) {
            if (other.getValue() != def) {
                b.skip(other.getValue(), "vrrp_sync_group " + name + " on " + other.getKey(),
                        "the first node's definition (" + def.where() + ") is imported");
            }
        }
        if (members.size() < 2) {
            b.skip(def, "vrrp_sync_group " + name + " { ... }", "fewer than two imported instances in it; nothing to "
                    + "keep together");
            return;
        }
        b.commands.add("colocation " + CrmWords.unique(CrmWords.id(name), b.ids) + " inf: " + String.join(" ", members));
    }
}
