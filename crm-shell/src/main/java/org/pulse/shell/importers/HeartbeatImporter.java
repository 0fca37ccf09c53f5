package org.pulse.shell.importers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pulse.shell.importers.ImportResult.NotImported;

/**
 * heartbeat v1 ({@code ha.cf} + {@code haresources}) to crm commands and crmd.conf lines.
 *
 * <p>haresources: each line {@code NODE RES1 RES2 ...} becomes one group, its resources in the
 * line's order (heartbeat started them left to right and stopped them right to left, as a group
 * does), preferring NODE (location 100). Arguments {@code R::a::b} map by position as heartbeat's
 * resource.d scripts took them: IPaddr/IPaddr2 {@code ip/netmask/nic/broadcast} (one argument,
 * split at '/'; a bare address is IPaddr), Filesystem {@code device::directory::fstype::options},
 * MailTo {@code email::subject}; any other name is an init script, {@code lsb:NAME}. heartbeat
 * passed arguments to init scripts too; Pacemaker's LSB class cannot, so such a resource is not
 * imported (a group without it would start its followers without it).
 *
 * <p>ha.cf: {@code auto_failback on} (and {@code legacy}) is failback: stickiness 0 on each group;
 * {@code off} keeps a group where it runs: stickiness 200, above the preference of 100. {@code node}
 * lines, {@code deadtime} and {@code ping} become crmd.conf lines ({@code nodes},
 * {@code failure_detection_ms}, {@code tie_breaker = ping:} or {@code two_node}); ipfail (respawned
 * with ping nodes) becomes an {@code ocf:pulse:ping} clone with a connectivity rule per group.
 */
public final class HeartbeatImporter {
    private HeartbeatImporter() {
    }

    /** heartbeat's preferred-node score and, with auto_failback off, the stickiness that outweighs it. */
    static final int PREFERENCE = 100;
    static final int NO_FAILBACK_STICKINESS = 200;

    private record Directive(String keyword, List<String> args, String where) {
        String text() {
            return args.isEmpty() ? keyword : keyword + " " + String.join(" ", args);
        }
    }

    private static List<Directive> lines(String name, String text, boolean continuations) {
        List<Directive> out = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        StringBuilder cur = new StringBuilder();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (cur.length() == 0) {
                start = i + 1;
            }
            if (continuations && line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            String full = cur.toString().strip();
            cur.setLength(0);
            if (full.isEmpty()) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(full.split("\\s+")));
            String kw = words.remove(0);
            out.add(new Directive(kw, words, name + ":" + start));
        }
        return out;
    }

    private static final Map<String, String> HA_CF_NOTES = new LinkedHashMap<>();

    static {
        String logs = "Pulse logs to stderr (the journal), one line per event naming the node";
        HA_CF_NOTES.put("logfacility", logs);
        HA_CF_NOTES.put("logfile", logs);
        HA_CF_NOTES.put("debugfile", logs);
        HA_CF_NOTES.put("use_logd", logs);
        HA_CF_NOTES.put("debug", logs + " (PULSE_LOG_LEVEL=debug for more)");
        HA_CF_NOTES.put("keepalive", "the heartbeat interval; Pulse's failure detector derives its own from "
                + "failure_detection_ms (taken from deadtime)");
        HA_CF_NOTES.put("warntime", "Pulse has no late-heartbeat warning; a node is either in the view or out after "
                + "failure_detection_ms");
        HA_CF_NOTES.put("initdead", "extra wait at boot before declaring nodes dead; Pulse has none (wait_for_all = "
                + "true keeps a booting node from acting alone, see crmd/README.md)");
        HA_CF_NOTES.put("udpport", "Pulse talks TCP between the addresses in crmd.conf's nodes (NAME@ADDRESS:PORT, "
                + "7800 by default)");
        HA_CF_NOTES.put("baud", "serial links are not supported; use a second network link (NAME@A:PORT+B:PORT)");
        HA_CF_NOTES.put("serial", "serial links are not supported; use a second network link (NAME@A:PORT+B:PORT)");
        HA_CF_NOTES.put("watchdog", "not set from here; see the watchdog section of crmd/README.md");
        HA_CF_NOTES.put("stonith", "heartbeat's stonith plugins (cluster-glue) are not fence-agents; configure a "
                + "device: crm configure primitive fence-X stonith:fence_AGENT params ... pcmk_host_list=\"NODES\"");
        HA_CF_NOTES.put("stonith_host", "heartbeat's stonith plugins (cluster-glue) are not fence-agents; configure a "
                + "device: crm configure primitive fence-X stonith:fence_AGENT params ... pcmk_host_list=\"NODES\"");
        HA_CF_NOTES.put("apiauth", "heartbeat's client API; Pulse's admin socket uses root, hacluster and haclient");
        HA_CF_NOTES.put("compression", "Pulse's cluster traffic has its own encoding");
        HA_CF_NOTES.put("traditional_compression", "Pulse's cluster traffic has its own encoding");
        HA_CF_NOTES.put("compression_threshold", "Pulse's cluster traffic has its own encoding");
        HA_CF_NOTES.put("autojoin", "only nodes listed in crmd.conf's nodes join (crm cluster add adds one)");
        HA_CF_NOTES.put("uuidfrom", "Pulse names nodes by crmd.conf's node names");
        HA_CF_NOTES.put("coredumps", "a process setting of heartbeat's; set limits in crmd's systemd unit");
        HA_CF_NOTES.put("realtime", "a process setting of heartbeat's; set scheduling in crmd's systemd unit");
        HA_CF_NOTES.put("hopfudge", "a heartbeat ring protocol detail; nothing to set");
        HA_CF_NOTES.put("max_rexmit_delay", "a heartbeat protocol detail; nothing to set");
        HA_CF_NOTES.put("msgfmt", "a heartbeat protocol detail; nothing to set");
        HA_CF_NOTES.put("conn_logd_time", "Pulse has no log daemon");
        HA_CF_NOTES.put("quorum_server", "not supported; tie_breaker = ping:ADDRESS or lease:/PATH can stand in");
        HA_CF_NOTES.put("respawn", "Pulse does not respawn arbitrary programs; run it as a systemd service, or as a "
                + "cluster resource (lsb: or systemd)");
    }

    /** The translation: ha.cf and haresources texts (named for messages) to commands, crmd.conf lines, and the rest. */
    public static ImportResult translate(String haCfName, String haCf, String haresourcesName, String haresources) {
        return translate(haCfName, haCf, haresourcesName, haresources, Map.of());
    }

    /**
     * As above, with each node's address on the cluster link ({@code --address NODE=IP}): ha.cf's
     * links say which addresses exist, not whose they are, so crmd.conf's nodes line needs them
     * from the operator; a node without one gets the placeholder ADDRESS-OF-NODE.
     */
    public static ImportResult translate(String haCfName, String haCf, String haresourcesName, String haresources,
            Map<String, String> addresses) {
        List<String> commands = new ArrayList<>();
        List<String> conf = new ArrayList<>();
        List<NotImported> skipped = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        List<String> pingHosts = new ArrayList<>();
        List<Directive> links = new ArrayList<>();
        Directive deadtime = null;
        Directive failback = null;
        Directive ipfail = null;
        Directive crm = null;
        Directive firstPing = null;
        for (Directive d : lines(haCfName, haCf, false)) {
            switch (d.keyword().toLowerCase(Locale.ROOT)) {
                case "node" -> {
                    for (String n : d.args()) {
                        if (!nodes.contains(n)) {
                            nodes.add(n);
                        }
                    }
                }
                case "deadtime" -> deadtime = d;
                case "auto_failback" -> failback = d;
                case "ping" -> {
                    firstPing = firstPing == null ? d : firstPing;
                    pingHosts.addAll(d.args());
                }
                case "ping_group" -> {
                    firstPing = firstPing == null ? d : firstPing;
                    if (d.args().size() >= 2) {
                        pingHosts.addAll(d.args().subList(1, d.args().size()));
                    }
                }
                case "ucast", "bcast", "mcast", "mcast6" -> links.add(d);
                case "crm" -> crm = d;
                case "respawn" -> {
                    if (d.args().size() >= 2 && d.args().get(1).endsWith("/ipfail")) {
                        ipfail = d;
                    } else {
                        skipped.add(new NotImported(d.where(), d.text(), HA_CF_NOTES.get("respawn")));
                    }
                }
                default -> {
                    String why = HA_CF_NOTES.get(d.keyword().toLowerCase(Locale.ROOT));
                    skipped.add(new NotImported(d.where(), d.text(), why != null ? why
                            : "not an ha.cf directive the importer knows; nothing in Pulse was made from it"));
                }
            }
        }
        if (crm != null && List.of("on", "yes", "respawn").contains(crm.args().isEmpty() ? "" : crm.args().get(0))) {
            skipped.add(new NotImported(crm.where(), crm.text(), "with crm on, heartbeat ignored haresources and ran "
                    + "the CIB (/var/lib/heartbeat/crm/cib.xml): load that with crm configure load update FILE; "
                    + "haresources was translated anyway"));
        }
        // crmd.conf
        for (String named : addresses.keySet()) {
            if (!nodes.contains(named)) {
                skipped.add(new NotImported(haCfName, "--address " + named + "=" + addresses.get(named),
                        "not a node of ha.cf; ignored"));
            }
        }
        if (!nodes.isEmpty()) {
            List<String> entries = new ArrayList<>();
            boolean placeholders = false;
            for (String n : nodes) {
                String a = addresses.get(n);
                placeholders |= a == null;
                entries.add(n + "@" + (a == null ? "ADDRESS-OF-" + n : a) + ":7800");
            }
            conf.add("# " + haCfName + ": node " + String.join(" ", nodes) + (placeholders
                    ? " (put each node's address on the cluster link in place of ADDRESS-OF-NAME, or give --address NAME=IP)"
                    : ""));
            conf.add("nodes = " + String.join(", ", entries));
        } else {
            skipped.add(new NotImported(haCfName, "node", "ha.cf names no node; crmd.conf's nodes must list them"));
        }
        for (Directive l : links) {
            skipped.add(new NotImported(l.where(), l.text(), "heartbeat's link; Pulse's links are the addresses in "
                    + "crmd.conf's nodes (a second link: NAME@A:PORT+B:PORT)"
                    + (l.keyword().equals("ucast") && l.args().size() >= 2 ? "; " + l.args().get(1)
                            + " is a node's address on " + l.args().get(0) : "")));
        }
        if (deadtime != null) {
            Long ms = durationMs(deadtime.args().isEmpty() ? "" : deadtime.args().get(0));
            if (ms == null) {
                skipped.add(new NotImported(deadtime.where(), deadtime.text(), "not a time (seconds, or with ms); "
                        + "failure_detection_ms keeps its default"));
            } else {
                conf.add("# " + deadtime.where() + ": " + deadtime.text() + " (a silent node is declared dead after this)");
                conf.add("failure_detection_ms = " + ms);
            }
        }
        if (!pingHosts.isEmpty()) {
            conf.add("# ping " + String.join(" ", pingHosts) + ": on an even split the half that reaches it keeps "
                    + "quorum (needs fencing)");
            conf.add("tie_breaker = ping:" + pingHosts.get(0));
        } else if (nodes.size() == 2) {
            conf.add("# two nodes: heartbeat kept running on one; two_node lets the survivor keep quorum (needs fencing)");
            conf.add("two_node = true");
        }
        if (pingHosts.size() > 1) {
            skipped.add(new NotImported(firstPing.where(), "ping " + String.join(" ", pingHosts.subList(1, pingHosts.size())),
                    "crmd.conf's tie_breaker takes one address; " + pingHosts.get(0) + " is used"
                            + (ipfail != null ? " (the ping clone pings them all)" : "")));
        }
        // stickiness
        int stickiness = 0;
        String fb = failback == null || failback.args().isEmpty() ? "legacy"
                : failback.args().get(0).toLowerCase(Locale.ROOT);
        switch (fb) {
            case "off", "no", "false" -> stickiness = NO_FAILBACK_STICKINESS;
            case "on", "yes", "true" -> stickiness = 0;
            default -> {
                // legacy (heartbeat's default): failback where every node runs a heartbeat that knows auto_failback
                stickiness = 0;
                skipped.add(new NotImported(failback == null ? haCfName : failback.where(), "auto_failback "
                        + (failback == null ? "(not set: legacy)" : String.join(" ", failback.args())),
                        "legacy failed back only while every node ran a heartbeat that understood auto_failback; "
                                + "imported as on (failback)"));
            }
        }
        Set<String> ids = new HashSet<>();
        List<String> groups = new ArrayList<>();
        for (Directive line : lines(haresourcesName, haresources, true)) {
            String node = line.keyword();
            if (!nodes.isEmpty() && !nodes.contains(node)) {
                skipped.add(new NotImported(line.where(), "preferred node " + node, "not a node of ha.cf; the location "
                        + "constraint names it anyway"));
            }
            List<String> members = new ArrayList<>();
            List<String> prims = new ArrayList<>();
            for (String spec : line.args()) {
                String prim = resource(spec, line, ids, skipped);
                if (prim != null) {
                    String id = prim.substring("primitive ".length(), prim.indexOf(' ', "primitive ".length()));
                    members.add(id);
                    prims.add(prim);
                }
            }
            if (members.isEmpty()) {
                skipped.add(new NotImported(line.where(), line.text(), "no resource of the line could be imported"));
                continue;
            }
            commands.addAll(prims);
            String group = CrmWords.unique("g_" + members.get(0), ids);
            commands.add("group " + group + " " + String.join(" ", members) + " meta resource-stickiness=" + stickiness);
            commands.add("location " + CrmWords.unique(group + "-prefers-" + CrmWords.id(node), ids) + " " + group + " "
                    + PREFERENCE + ": " + node);
            groups.add(group);
        }
        if (ipfail != null) {
            if (pingHosts.isEmpty()) {
                skipped.add(new NotImported(ipfail.where(), ipfail.text(), "ipfail without ping nodes does nothing"));
            } else {
                String ping = CrmWords.unique("ping", ids);
                commands.add("primitive " + ping + " ocf:pulse:ping params "
                        + CrmWords.nv("host_list", String.join(" ", pingHosts)) + " op monitor interval=10s timeout=20s");
                commands.add("clone " + CrmWords.unique(ping + "-clone", ids) + " " + ping);
                for (String g : groups) {
                    commands.add("location " + CrmWords.unique(g + "-connected", ids) + " " + g
                            + " rule -inf: not_defined pingd or pingd lte 0");
                }
            }
        }
        return new ImportResult(nodes, commands, conf, ImportResult.inFileOrder(skipped));
    }

    /** heartbeat times: seconds, or with an ms suffix. */
    static Long durationMs(String s) {
        try {
            if (s.endsWith("ms")) {
                return Long.parseLong(s.substring(0, s.length() - 2));
            }
            if (s.endsWith("s")) {
                s = s.substring(0, s.length() - 1);
            }
            return Math.round(Double.parseDouble(s) * 1000);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** One haresources resource as a primitive command, or null (with the reason added to {@code skipped}). */
    private static String resource(String spec, Directive line, Set<String> ids, List<NotImported> skipped) {
        String[] parts = spec.split("::", -1);
        String name = parts[0];
        List<String> args = new ArrayList<>(List.of(parts).subList(1, parts.length));
        if (name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}(/.*)?")) {
            args.add(0, name);
            name = "IPaddr";
        }
        switch (name) {
            case "IPaddr", "IPaddr2" -> {
                if (args.isEmpty()) {
                    skipped.add(new NotImported(line.where(), spec, name + " without an address"));
                    return null;
                }
                String[] f = args.get(0).split("/", -1);
                StringBuilder p = new StringBuilder();
                String ip = f[0];
                p.append(CrmWords.nv("ip", ip));
                if (f.length > 1 && !f[1].isEmpty()) {
                    Integer prefix = prefixLength(f[1]);
                    if (prefix == null) {
                        skipped.add(new NotImported(line.where(), spec, "netmask '" + f[1] + "' is neither a prefix "
                                + "length nor a dotted mask"));
                        return null;
                    }
                    p.append(" cidr_netmask=").append(prefix);
                }
                if (f.length > 2 && !f[2].isEmpty()) {
                    p.append(' ').append(CrmWords.nv("nic", f[2]));
                }
                if (f.length > 3 && !f[3].isEmpty()) {
                    p.append(' ').append(CrmWords.nv("broadcast", f[3]));
                }
                if (f.length > 4 || args.size() > 1) {
                    skipped.add(new NotImported(line.where(), spec, "arguments past ip/netmask/nic/broadcast are not "
                            + "understood; the address is imported without them"));
                }
                String id = CrmWords.unique(CrmWords.id("ip_" + ip), ids);
                return "primitive " + id + " ocf:pulse:IPaddr params " + p + " op monitor interval=10s timeout=20s";
            }
            case "Filesystem" -> {
                if (args.size() < 2) {
                    skipped.add(new NotImported(line.where(), spec, "Filesystem needs device::directory[::fstype[::options]]"));
                    return null;
                }
                StringBuilder p = new StringBuilder(CrmWords.nv("device", args.get(0)) + " "
                        + CrmWords.nv("directory", args.get(1)));
                if (args.size() > 2 && !args.get(2).isEmpty()) {
                    p.append(' ').append(CrmWords.nv("fstype", args.get(2)));
                }
                if (args.size() > 3 && !args.get(3).isEmpty()) {
                    p.append(' ').append(CrmWords.nv("options", args.get(3)));
                }
                if (args.size() > 4) {
                    skipped.add(new NotImported(line.where(), spec, "arguments past device::directory::fstype::options "
                            + "are not understood; imported without them"));
                }
                String dir = args.get(1).replaceAll("^/+", "");
                String id = CrmWords.unique(CrmWords.id("fs_" + (dir.isEmpty() ? "root" : dir)), ids);
                return "primitive " + id + " ocf:pulse:Filesystem params " + p + " op monitor interval=20s timeout=40s";
            }
            case "MailTo" -> {
                if (args.isEmpty()) {
                    skipped.add(new NotImported(line.where(), spec, "MailTo needs an address"));
                    return null;
                }
                StringBuilder p = new StringBuilder(CrmWords.nv("email", args.get(0)));
                if (args.size() > 1) {
                    p.append(' ').append(CrmWords.nv("subject", args.get(1)));
                }
                String id = CrmWords.unique("mailto", ids);
                return "primitive " + id + " ocf:heartbeat:MailTo params " + p;
            }
            default -> {
                if (!args.isEmpty()) {
                    skipped.add(new NotImported(line.where(), spec, "heartbeat passed the arguments " + String.join(" ",
                            args) + " to /etc/init.d/" + name + " (or resource.d/" + name + "); Pacemaker's lsb class "
                            + "cannot pass arguments, so the resource is left out of its group: write an OCF agent or "
                            + "a wrapper script without arguments"));
                    return null;
                }
                if (!name.matches("[A-Za-z0-9_.@-]+")) {
                    skipped.add(new NotImported(line.where(), spec, "not a script name"));
                    return null;
                }
                String id = CrmWords.unique(CrmWords.id(name), ids);
                return "primitive " + id + " lsb:" + name;
            }
        }
    }

    /** 24 or 255.255.255.0 as a prefix length. */
    static Integer prefixLength(String mask) {
        if (mask.matches("[0-9]{1,3}")) {
            int n = Integer.parseInt(mask);
            return n <= 128 ? n : null;
        }
        if (!mask.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return null;
        }
        long bits = 0;
        for (String o : mask.split("\\.")) {
            int v = Integer.parseInt(o);
            if (v > 255) {
                return null;
            }
            bits = bits << 8 | v;
        }
        int len = Long.bitCount(bits);
        // contiguous ones only
        long expected = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return bits == expected ? len : null;
    }
}
