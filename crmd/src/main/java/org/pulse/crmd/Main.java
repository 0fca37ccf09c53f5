package org.pulse.crmd;

import java.nio.file.Path;
import org.pulse.crmd.runtime.CrmdRuntime;
import org.pulse.crmd.runtime.NodeConfig;
import org.pulse.messaging.ClusterKey;

/**
 * {@code crmd --config FILE} runs a node until it is stopped (SIGTERM leaves the cluster
 * gracefully); {@code crmd --generate-key FILE} writes a new cluster key (mode 0400) to copy to
 * every node. The node config format is documented in {@link NodeConfig}.
 */
public final class Main {
    private Main() {
    }

    static final String USAGE = "usage: crmd --config FILE        run a node (format: see README, 'Node config');\n"
            + "                                 SIGTERM = clean stop (resources move away first, up to 60 s)\n"
            + "       crmd --generate-key FILE  make a cluster key for all nodes (mode 0400)\n"
            + "       crmd --help               this text";

    public static void main(String[] args) throws Exception {
        // Before anything starts a process: agents are started by vfork + exec, not through jspawnhelper.
        org.pulse.lrm.SpawnMechanism.preferVfork();
        if (args.length == 2 && args[0].equals("--generate-key")) {
            ClusterKey key = ClusterKey.generate(Path.of(args[1]));
            System.out.println("wrote a new cluster key to " + args[1] + " (fingerprint " + key.fingerprint()
                    + "); copy it to every node, mode 0400");
            return;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println(USAGE);
            System.exit(2);
        }
        NodeConfig config;
        try {
            config = NodeConfig.load(Path.of(args[1]));
        } catch (NodeConfig.ConfigException e) {
            System.err.println("crmd: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging(config.node());
        CrmdRuntime runtime;
        try {
            runtime = CrmdRuntime.start(config);
        } catch (Exception e) {
            System.err.println("crmd[" + config.node() + "]: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        // SIGTERM: a clean stop (resources move away first, no fencing); SIGKILL is a crash.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> runtime.shutdownGracefully(60_000), "crmd-shutdown"));
        Thread.currentThread().join();
    }

    /** One line per event on stderr, each naming the node (several nodes may share a terminal or journal). */
    static void configureLogging(String node) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("pulse.log.level", System.getenv().getOrDefault("PULSE_LOG_LEVEL", "info")));
        System.setProperty(Slf4jLoggerFinder.NODE_PROPERTY, node);
        // JGroups would log through slf4j under its class names only; through JUL its lines carry the node.
        System.setProperty("jgroups.use.jdk_logger", "true");
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tH:%1$tM:%1$tS.%1$tL [%4$s] " + node + " - %5$s%6$s%n");
        for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            h.setFormatter(new PrintableLogFormatter());
        }
    }
}
