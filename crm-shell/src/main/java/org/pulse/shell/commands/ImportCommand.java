package org.pulse.shell.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.importers.HeartbeatImporter;
import org.pulse.shell.importers.ImportResult;
import org.pulse.shell.importers.KeepalivedConfig;
import org.pulse.shell.importers.KeepalivedImporter;
import org.pulse.shell.levels.ConfigureLevel;
import org.pulse.shell.levels.NodeLevel;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.parse.Token;

/**
 * {@code configure import keepalived|heartbeat}: another cluster manager's configuration as crm
 * commands (org.pulse.shell.importers), applied like any other configure commands (checked, and
 * committed on leaving the level), or printed with {@code --dry-run}. Everything not imported is
 * listed with why; a command that fails leaves the configuration as it was.
 */
public final class ImportCommand {
    private ImportCommand() {
    }

    public static final String USAGE = "import keepalived [--dry-run] [NODE=]FILE... | import heartbeat [--dry-run] "
            + "[--crmd-conf OUT] [--address NODE=IP]... HA_CF HARESOURCES   translate another cluster manager's configuration";

    public static int run(Session s, List<Token> args) throws CrmException {
        if (args.isEmpty()) {
            throw new CrmException("configure import: usage: " + USAGE);
        }
        String kind = args.get(0).text();
        boolean dryRun = false;
        Path crmdConfOut = null;
        List<String> rest = new ArrayList<>();
        java.util.Map<String, String> addresses = new java.util.LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i).text();
            switch (a) {
                case "--dry-run", "-n" -> dryRun = true;
                case "--crmd-conf" -> {
                    if (i + 1 >= args.size()) {
                        throw new CrmException("configure import: --crmd-conf needs a file to write");
                    }
                    crmdConfOut = Path.of(args.get(++i).text());
                }
                case "--address" -> {
                    String v = i + 1 < args.size() ? args.get(++i).text() : "";
                    int eq = v.indexOf('=');
                    if (eq <= 0 || eq == v.length() - 1) {
                        throw new CrmException("configure import: --address needs NODE=IP (the node's address on the "
                                + "cluster link, for crmd.conf's nodes line)");
                    }
                    addresses.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--node" -> {
                    if (i + 1 >= args.size()) {
                        throw new CrmException("configure import: --node needs NAME=FILE");
                    }
                    String v = args.get(++i).text();
                    if (!v.contains("=")) {
                        throw new CrmException("configure import: --node " + v + ": give NAME=FILE");
                    }
                    rest.add(v);
                }
                default -> rest.add(a);
            }
        }
        ImportResult result;
        String title;
        switch (kind) {
            case "keepalived" -> {
                if (!addresses.isEmpty()) {
                    throw new CrmException("configure import keepalived: --address is for heartbeat (keepalived's files "
                            + "say nothing about the cluster's links)");
                }
                List<KeepalivedImporter.NodeFile> files = nodeFiles(s, rest);
                try {
                    result = KeepalivedImporter.importFiles(files, KeepalivedConfig.DISK);
                } catch (KeepalivedConfig.ParseException e) {
                    throw new CrmException("configure import keepalived: " + e.getMessage() + "; nothing was imported");
                }
                title = "crm configure import keepalived " + String.join(" ",
                        files.stream().map(f -> f.node() + "=" + f.display()).toList());
            }
            case "heartbeat" -> {
                if (rest.size() != 2) {
                    throw new CrmException("configure import heartbeat: give ha.cf and haresources, e.g. "
                            + "import heartbeat /etc/ha.d/ha.cf /etc/ha.d/haresources");
                }
                result = HeartbeatImporter.translate(rest.get(0), read(rest.get(0)), rest.get(1), read(rest.get(1)),
                        addresses);
                title = "crm configure import heartbeat " + rest.get(0) + " " + rest.get(1);
            }
            default -> throw new CrmException("configure import: '" + kind + "' is not a source I know; use keepalived "
                    + "or heartbeat");
        }
        if (crmdConfOut != null) {
            if (result.crmdConf().isEmpty()) {
                throw new CrmException("configure import: --crmd-conf: " + kind + " gives no crmd.conf lines");
            }
            try {
                Files.writeString(crmdConfOut, String.join("\n", result.crmdConf()) + "\n");
            } catch (java.io.IOException e) {
                throw new CrmException("configure import: cannot write " + crmdConfOut + ": " + e.getMessage());
            }
        }
        if (dryRun) {
            s.out.print(result.script(title));
            return 0;
        }
        apply(s, result.commands());
        List<String> members = s.config().nodeNames();
        for (String n : result.nodes()) {
            if (!members.isEmpty() && !members.contains(n)) {
                s.warn("node " + n + " named by the " + kind + " configuration is not a node of this cluster ("
                        + String.join(", ", members) + "); the constraints naming it take effect once it joins under "
                        + "that name (import again with the right NODE= names otherwise)");
            }
        }
        if (!result.crmdConf().isEmpty() && crmdConfOut == null) {
            s.out.println("# crmd.conf lines for every node (node = its own name):");
            result.crmdConf().forEach(s.out::println);
        } else if (crmdConfOut != null) {
            s.info("crmd.conf lines written to " + crmdConfOut);
        }
        for (ImportResult.NotImported n : result.notImported()) {
            s.info("not imported: " + n.line());
        }
        s.info(result.commands().size() + " commands imported, " + result.notImported().size()
                + " constructs not imported (listed above)");
        return 0;
    }

    /** Runs the commands as if typed at the configure level; the first failure undoes them all. */
    static void apply(Session s, List<String> commands) throws CrmException {
        Configuration before = s.config();
        for (String line : commands) {
            try {
                ConfigureLevel.create(s, Lexer.split(line));
            } catch (CrmException e) {
                s.update(before);
                throw new CrmException("configure import: " + e.getMessage() + "\n  in: " + line
                        + "\nnothing was imported (fix the source, or see it with --dry-run)");
            }
        }
    }

    private static List<KeepalivedImporter.NodeFile> nodeFiles(Session s, List<String> rest) throws CrmException {
        if (rest.isEmpty()) {
            throw new CrmException("configure import keepalived: give each node's keepalived.conf as NODE=FILE "
                    + "(or one FILE for this node)");
        }
        List<KeepalivedImporter.NodeFile> out = new ArrayList<>();
        int bare = 0;
        for (String r : rest) {
            int eq = r.indexOf('=');
            String node;
            String file;
            if (eq > 0 && !Files.exists(Path.of(r))) {
                node = r.substring(0, eq);
                file = r.substring(eq + 1);
            } else {
                bare++;
                node = NodeLevel.localName(s);
                file = r;
            }
            if (bare > 1) {
                throw new CrmException("configure import keepalived: more than one file without a node name; write "
                        + "NODE=FILE for each (keepalived has one file per node)");
            }
            if (!Files.isReadable(Path.of(file))) {
                throw new CrmException("configure import keepalived: cannot read " + file);
            }
            if (out.stream().anyMatch(f -> f.node().equals(node))) {
                throw new CrmException("configure import keepalived: node " + node + " is given twice");
            }
            out.add(new KeepalivedImporter.NodeFile(node, Path.of(file), file));
        }
        return out;
    }

    private static String read(String file) throws CrmException {
        try {
            return Files.readString(Path.of(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CrmException("configure import: no such file " + file);
        } catch (java.io.IOException e) {
            throw new CrmException("configure import: cannot read " + file + ": " + e.getMessage());
        }
    }
}
