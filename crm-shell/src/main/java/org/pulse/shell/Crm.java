package org.pulse.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pulse.shell.commands.ClusterCommand;
import org.pulse.shell.commands.ExplainCommand;
import org.pulse.shell.commands.HistoryCommand;
import org.pulse.shell.commands.RaCommand;
import org.pulse.shell.commands.SchedulerWarmUp;
import org.pulse.shell.commands.SimulateCommand;
import org.pulse.shell.commands.WebCommand;
import org.pulse.shell.config.Agents;
import org.pulse.shell.levels.Batch;
import org.pulse.shell.levels.CibLevel;
import org.pulse.shell.levels.Interactive;
import org.pulse.shell.levels.LevelCommands;
import org.pulse.shell.levels.Shell;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.source.AclCibSource;
import org.pulse.shell.source.AdminClient;
import org.pulse.shell.source.CibSource;
import org.pulse.shell.source.FileCibSource;
import org.pulse.shell.source.LiveCibSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm}: the entry point. Subcommands are registered in {@link #commandLine()}; each
 * lives in its own class so that the people working on different levels do not meet.
 *
 * <p>{@code crm} alone starts the interactive shell (or reads commands from stdin when it is not
 * a terminal); {@code crm -f SCRIPT} runs a script; {@code crm LEVEL COMMAND ...} runs one
 * command. Offline work on a file: {@code --cib-file FILE} or {@code CIB_file=FILE}.
 */
@Command(name = "crm", mixinStandardHelpOptions = true, version = "crm (Pulse) 0.1.0",
        description = "Pulse cluster shell, crmsh syntax. Works on a live cluster, or offline on a CIB file "
                + "with --cib-file FILE (or CIB_file=FILE in the environment).")
public final class Crm implements Callable<Integer> {
    @Option(names = "--cib-file", paramLabel = "FILE",
            description = "Work on this CIB file instead of the live cluster (default: $CIB_file).")
    public Path cibFile;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "crmd's admin socket (default: $PULSE_SOCKET, else /run/pulse/crmd.sock).")
    public Path socket;

    @Option(names = {"-f", "--file"}, paramLabel = "SCRIPT",
            description = "Run the commands in SCRIPT ('-' reads stdin), as crmsh's crm -f.")
    String script;

    @Option(names = {"-F", "--force"}, description = "Commit despite validation errors; erase without asking.")
    public boolean force;

    @Option(names = {"-c", "--cib"}, paramLabel = "SHADOW",
            description = "Work on the shadow CIB SHADOW (see 'crm cib'); default: $CIB_shadow.")
    public String shadow;

    @Option(names = {"-D", "--display"}, paramLabel = "TYPE", hidden = true,
            description = "Accepted for crmsh compatibility (output is always plain).")
    String display;

    public final Map<String, String> env;
    public final InputStream stdin;
    public final PrintStream stdout;
    public final PrintStream stderr;
    public final Clock clock;
    /** A scheduler warm-up started by main for this run's simulate or explain, or null. */
    public SchedulerWarmUp warmUp;
    private CommandLine commandLine;

    public Crm() {
        this(System.getenv(), System.in, System.out, System.err, Clock.systemDefaultZone());
    }

    public Crm(Map<String, String> env, InputStream stdin, PrintStream stdout, PrintStream stderr, Clock clock) {
        this.env = env;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.clock = clock;
    }

    /** The CIB file to work on offline: the option, else $CIB_file, else null (live cluster). */
    public Path offlineCib() {
        if (cibFile != null) {
            return cibFile;
        }
        String e = env.get("CIB_file");
        return e == null || e.isBlank() ? null : Path.of(e);
    }

    public Path socketPath() {
        if (socket != null) {
            return socket;
        }
        String e = env.get("PULSE_SOCKET");
        return e == null || e.isBlank() ? AdminClient.DEFAULT_SOCKET : Path.of(e);
    }

    /** Where shadow CIBs live: $CIB_shadow_dir, else ~/.config/pulse/shadow. */
    Path shadowDir() {
        String e = env.get("CIB_shadow_dir");
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config/pulse/shadow");
    }

    /** The repository (for Pulse's own agents): -Dpulse.root, else two levels above the jar. */
    public Path repoRoot() {
        String p = System.getProperty("pulse.root");
        if (p != null) {
            return Path.of(p);
        }
        try {
            Path jar = Path.of(Crm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent();
        } catch (Exception e) {
            return null;
        }
    }

    CibSource primarySource() {
        Path file = offlineCib();
        if (file != null) {
            FileCibSource f = new FileCibSource(file, file.getFileName().toString());
            String user = env.get("CIB_user");
            // CIB_user: the file as that user's ACLs let it see and change it (Pacemaker's tools do the same).
            return user == null || user.isBlank() ? f : new AclCibSource(f, AclCibSource.subject(user.strip()));
        }
        return new LiveCibSource(new AdminClient(socketPath()));
    }

    public Shell newShell(boolean interactive, BufferedReader in) {
        CibSource primary = primarySource();
        Agents agents = Agents.standard(repoRoot(), env.get("PULSE_OCF_DIRS"));
        Session s = new Session(primary, stdout, stderr, in, env, clock, agents, interactive);
        s.force = force;
        s.shadowDir = shadowDir();
        String shadowName = shadow != null ? shadow : env.get("CIB_shadow");
        if (shadowName != null && !shadowName.isBlank()) {
            s.use(CibLevel.shadowSource(s.shadowDir, shadowName));
        }
        Shell shell = new Shell(s);
        CommandLine cl = commandLine;
        if (cl != null) {
            for (String name : List.of("ra", "simulate", "explain", "history", "cluster")) {
                CommandLine sub = cl.getSubcommands().get(name);
                if (sub != null) {
                    shell.addExternal(name, (n, args) -> sub.execute(args.toArray(new String[0])));
                }
            }
        }
        return shell;
    }

    @Override
    public Integer call() {
        if (script != null) {
            return runScript(script);
        }
        if (System.console() != null && stdin == System.in) {
            return new Interactive(this).run();
        }
        return runScript("-");
    }

    /** crm -f SCRIPT / stdin: one command a line, backslash continues a line, '#' starts a comment. */
    int runScript(String name) {
        String text;
        try {
            text = name.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(name), StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            stderr.println("ERROR: cannot read the script " + name + ": no such file");
            return 1;
        } catch (IOException e) {
            stderr.println("ERROR: cannot read the script " + name + ": " + e.getMessage());
            return 1;
        }
        Shell shell = newShell(false, new BufferedReader(new InputStreamReader(InputStream.nullInputStream(),
                StandardCharsets.UTF_8)));
        return Batch.run(shell, text, name.equals("-") ? "stdin" : name);
    }

    /** One command from the command line: {@code crm configure primitive ...}. */
    int runOneShot(String level, List<String> words) {
        // "crm configure" alone enters that level (a terminal) or reads its commands (a pipe);
        // status and verify are commands, not levels, and just run.
        boolean isLevel = !level.equals("status") && !level.equals("verify") && !level.equals("help")
                && !org.pulse.shell.levels.Shell.NOT_HERE.containsKey(level);
        boolean interactive = isLevel && words.isEmpty() && System.console() != null && stdin == System.in;
        if (interactive) {
            return new Interactive(this).run(level);
        }
        if (words.isEmpty() && isLevel) {
            // "echo show | crm configure": the commands on stdin run at that level, as crmsh does.
            String text;
            try {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                stderr.println("ERROR: cannot read stdin: " + e.getMessage());
                return 1;
            }
            Shell shell = newShell(false, new BufferedReader(new InputStreamReader(InputStream.nullInputStream(),
                    StandardCharsets.UTF_8)));
            return Batch.run(shell, level + "\n" + text, "stdin");
        }
        Shell shell = newShell(false, new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)));
        shell.session.tty = System.console() != null && stdin == System.in;
        List<String> all = new ArrayList<>();
        all.add(level);
        all.addAll(words);
        try {
            int rc = shell.execWords(Lexer.fromWords(all));
            if (!shell.leaveAll()) {
                return 1;
            }
            return rc != 0 || shell.errorsSinceCommit > 0 ? 1 : 0;
        } catch (CrmException e) {
            shell.session.error(e.getMessage());
            return 1;
        } finally {
            shell.session.close();
        }
    }

    static CommandLine commandLine() {
        return commandLine(new Crm());
    }

    static CommandLine commandLine(Crm crm) {
        CommandLine cl = new CommandLine(crm);
        crm.commandLine = cl;
        cl.setUnmatchedOptionsArePositionalParams(true);
        // Subcommands are added here, one line each.
        cl.addSubcommand(new LevelCommands.Configure());
        cl.addSubcommand(new LevelCommands.Resource());
        cl.addSubcommand(new LevelCommands.Node());
        cl.addSubcommand(new LevelCommands.CibShadow());
        cl.addSubcommand(new LevelCommands.Site());
        cl.addSubcommand(new LevelCommands.Maintenance());
        cl.addSubcommand(new LevelCommands.Corosync());
        cl.addSubcommand(new LevelCommands.Options());
        cl.addSubcommand(new LevelCommands.Assist());
        cl.addSubcommand(new LevelCommands.Script());
        cl.addSubcommand(new LevelCommands.Template());
        cl.addSubcommand(new LevelCommands.Report());
        cl.addSubcommand(new LevelCommands.Status());
        cl.addSubcommand(new LevelCommands.Verify());
        cl.addSubcommand(new LevelCommands.Help());
        cl.addSubcommand(new RaCommand(crm.stdout, crm.stderr, crm.env));   // the run's streams and environment
        cl.addSubcommand(new SimulateCommand());
        cl.addSubcommand(new ExplainCommand());
        cl.addSubcommand(new HistoryCommand());
        cl.addSubcommand(new WebCommand());
        cl.addSubcommand(new ClusterCommand());
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommand() instanceof LevelWords) {
                sub.setUnmatchedOptionsArePositionalParams(true);
            }
        }
        return cl;
    }

    public static void main(String[] args) {
        Crm crm = new Crm();
        // crm simulate/explain on a big CIB file: the scheduler warm-up starts before picocli reads
        // its annotations (~100 ms of a one-shot run), so the two overlap
        crm.warmUp = SchedulerWarmUp.startForCommandLine(args, crm.env.get("CIB_file"));
        System.exit(commandLine(crm).execute(args));
    }

    /** Words after a level name; picocli must not read '-inf:' or '--force' as options of its own. */
    public abstract static class LevelWords implements Callable<Integer> {
        @CommandLine.ParentCommand
        Crm crm;

        @Parameters(arity = "0..*", paramLabel = "WORD", description = "The command and its arguments, in crm syntax.")
        List<String> words = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The level these words go to: the command's own name, so a level is named once, in its @Command. */
        protected String level() {
            return spec.name();
        }

        @Override
        public Integer call() {
            if (words.size() == 1 && (words.get(0).equals("--help") || words.get(0).equals("-h"))) {
                // crm LEVEL --help: what the level is, then its commands as the shell's own help lists them.
                spec.commandLine().usage(crm.stdout);
                if (level().equals("help") || org.pulse.shell.levels.Shell.NOT_HERE.containsKey(level())) {
                    return 0;   // no level of commands to list
                }
                crm.stdout.println();
                return crm.runOneShot("help", List.of(level()));
            }
            return crm.runOneShot(level(), words);
        }
    }
}
