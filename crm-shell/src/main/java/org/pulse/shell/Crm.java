package org.pulse.shell;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crm}: the entry point. Subcommands are registered in {@link #commandLine()}; each
 * lives in its own class so that the people working on different levels do not meet.
 */
@Command(name = "crm", mixinStandardHelpOptions = true, version = "crm (Pulse) 0.1.0",
        description = "Pulse cluster shell, crmsh syntax. Works on a live cluster, or offline on a CIB file "
                + "with --cib-file FILE (or CIB_file=FILE in the environment).")
public final class Crm implements Callable<Integer> {
    @Option(names = "--cib-file", paramLabel = "FILE",
            description = "Work on this CIB file instead of the live cluster (default: $CIB_file).")
    Path cibFile;

    /** The CIB file to work on offline: the option, else $CIB_file, else null (live cluster). */
    Path offlineCib() {
        if (cibFile != null) {
            return cibFile;
        }
        String env = System.getenv("CIB_file");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    @Override
    public Integer call() {
        System.err.println("crm: the interactive shell is not built yet; run 'crm --help' for the commands there are.");
        return 2;
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Crm());
        // Subcommands are added here, one line each.
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
