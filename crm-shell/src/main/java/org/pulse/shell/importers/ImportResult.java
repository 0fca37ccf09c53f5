package org.pulse.shell.importers;

import java.util.List;

/**
 * What an importer made of another cluster manager's configuration: the nodes it names (no
 * {@code node} command is made for them: a node in the CIB's nodes section is a quorum vote, so
 * only real members may be added, by joining), crm configure commands in the order they must run, lines for crmd.conf (each node's own file; empty when the source says
 * nothing about membership), and every construct that was not imported with why. Nothing of the
 * source is left out of both lists.
 */
public record ImportResult(List<String> nodes, List<String> commands, List<String> crmdConf,
        List<NotImported> notImported) {
    public ImportResult {
        nodes = List.copyOf(nodes);
        commands = List.copyOf(commands);
        crmdConf = List.copyOf(crmdConf);
        notImported = List.copyOf(notImported);
    }

    /** The not-imported list in reading order (by file as first named, then line), each entry once. */
    static List<NotImported> inFileOrder(List<NotImported> items) {
        java.util.Map<String, Integer> fileOrder = new java.util.LinkedHashMap<>();
        for (NotImported n : items) {
            fileOrder.putIfAbsent(file(n.where()), fileOrder.size());
        }
        // the same file given for several nodes reports the same construct once
        List<NotImported> sorted = new java.util.ArrayList<>(new java.util.LinkedHashSet<>(items));
        sorted.sort(java.util.Comparator.<NotImported>comparingInt(n -> fileOrder.get(file(n.where())))
                .thenComparingInt(n -> line(n.where())));
        return sorted;
    }

    private static String file(String where) {
        int colon = where.lastIndexOf(':');
        return colon > 0 && where.substring(colon + 1).matches("[0-9]+") ? where.substring(0, colon) : where;
    }

    private static int line(String where) {
        int colon = where.lastIndexOf(':');
        return colon > 0 && where.substring(colon + 1).matches("[0-9]+") ? Integer.parseInt(where.substring(colon + 1)) : 0;
    }

    /** A construct left out: where it was written (file:line), what it is, and why. */
    public record NotImported(String where, String what, String reason) {
        public String line() {
            return where + ": " + what + ": " + reason;
        }
    }

    /**
     * The dry-run text: a crm script (loadable with crm -f or configure load update) whose
     * comments carry the crmd.conf lines and the not-imported list.
     */
    public String script(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append('\n');
        if (!nodes.isEmpty()) {
            sb.append("# nodes: ").append(String.join(" ", nodes))
                    .append(" (the cluster's node names must be these; no node is added here)\n");
        }
        for (String c : commands) {
            sb.append(c).append('\n');
        }
        if (!crmdConf.isEmpty()) {
            sb.append("#\n# crmd.conf (every node's /etc/pulse/crmd.conf; node = its own name):\n");
            for (String l : crmdConf) {
                sb.append("#   ").append(l).append('\n');
            }
        }
        sb.append("#\n# Not imported (").append(notImported.size()).append("):\n");
        for (NotImported n : notImported) {
            sb.append("#   ").append(n.line()).append('\n');
        }
        return sb.toString();
    }
}
