package org.pulse.shell.source;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.shell.CrmException;

/**
 * The node daemon started and stopped the way pulse.service would, for hosts without systemd
 * (containers, this project's CI): {@code start} runs the unit's ExecStart in a session of its own,
 * output appended to a log file, the environment of /etc/default/pulse (the unit's EnvironmentFile),
 * and returns once the daemon answers on its socket; {@code stop} is the unit's stop: SIGTERM to the
 * daemon alone (its clean stop: the DC moves its resources away), then, after
 * {@link #STOP_TIMEOUT_MS} (TimeoutStopSec), SIGKILL to it and everything below it. The daemon's
 * process id is kept in {@code crmd.pid} beside its socket (/run/pulse/crmd.pid with the packaged
 * config), the only record of which process is the node's.
 */
public final class DirectDaemon {
    public static final Path DEFAULT_LOG = Path.of("/var/log/pulse/crmd.log");
    /** pulse.service's TimeoutStopSec: the clean stop's own bound (60 s) plus margin. */
    static final long STOP_TIMEOUT_MS = 90_000;
    /** How long a start may take until the daemon answers on its socket (a JVM start on a busy host). */
    static final long START_TIMEOUT_MS = 60_000;
    /** What the daemon's command line holds: only such a process is taken for the node's. */
    static final String MAIN_CLASS = "org.pulse.crmd.Main";

    private final Path config;
    private final Path socket;
    private final Path log;
    private final Path program;
    private final PrintStream out;
    private final PrintStream err;

    public DirectDaemon(Path config, Path socket, Path log, Path program, PrintStream out, PrintStream err) {
        this.config = config;
        this.socket = socket;
        this.log = log;
        this.program = program;
        this.out = out;
        this.err = err;
    }

    Path pidFile() {
        return socket.toAbsolutePath().resolveSibling("crmd.pid");
    }

    /** The daemon the pid file names, if that process lives and is a crmd. */
    Optional<ProcessHandle> running() {
        Path f = pidFile();
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(DirectDaemon::alive).filter(DirectDaemon::isCrmd);
    }

    static boolean isCrmd(ProcessHandle p) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).contains(MAIN_CLASS);
        } catch (IOException e) {
            return false;
        }
    }

    boolean answers() {
        try {
            AdminClient c = new AdminClient(socket);
            AdminResponse r = c.call(AdminRequest.status(c.nextId()));
            return r != null;
        } catch (CrmException | RuntimeException e) {
            return false;
        }
    }

    public int start() throws IOException {
        Optional<ProcessHandle> now = running();
        if (now.isPresent()) {
            out.println("pulse is running already (pid " + now.get().pid() + ", " + pidFile() + ")");
            return 0;
        }
        if (answers()) {
            err.println("ERROR: cluster start: a crmd answers on " + socket + " but " + pidFile() + " does not name it"
                    + " (started by hand?): stop that one first");
            return 1;
        }
        if (!Files.isRegularFile(config)) {
            err.println("ERROR: cluster start: no node config " + config + ": run 'crm cluster init' or 'crm cluster join'"
                    + " first");
            return 1;
        }
        if (!Files.isExecutable(program)) {
            err.println("ERROR: cluster start: the daemon " + program + " is missing: reinstall the pulse package");
            return 1;
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.createDirectories(socket.toAbsolutePath().getParent());
        // setsid: a session of its own, so the terminal's hang-up or Ctrl-C does not reach the node;
        // setsid and the launchers exec in place, so the child's pid is the daemon's.
        ProcessBuilder pb = new ProcessBuilder("setsid", program.toString(), "--config", config.toString());
        Map<String, String> env = pb.environment();
        // crm's own launcher exported crm's JVM options: the daemon takes its own (bin/crmd's) or the admin's.
        env.remove("PULSE_JAVA_OPTS");
        env.putAll(environmentFile(Path.of("/etc/default/pulse")));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        Path pid = pidFile();
        Path tmp = pid.resolveSibling(pid.getFileName() + ".tmp");
        Files.writeString(tmp, p.pid() + "\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, pid, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                Files.deleteIfExists(pid);
                err.println("ERROR: cluster start: the daemon exited with " + p.exitValue() + "; the end of " + log
                        + ":\n" + tail(log, 15));
                return 1;
            }
            if (answers()) {
                out.println("started pulse (pid " + p.pid() + "; log " + log + ", pid file " + pid + ")");
                return 0;
            }
            sleep(200);
        }
        err.println("ERROR: cluster start: the daemon (pid " + p.pid() + ") did not answer on " + socket + " within "
                + START_TIMEOUT_MS / 1000 + " s; it is left running: see " + log + ", 'crm cluster stop' ends it");
        return 1;
    }

    public int stop() throws IOException {
        Optional<ProcessHandle> now = running();
        if (now.isEmpty()) {
            Files.deleteIfExists(pidFile());
            out.println("pulse is not running (no live crmd in " + pidFile() + ")");
            return 0;
        }
        ProcessHandle d = now.get();
        long t0 = System.nanoTime();
        out.println("stopping pulse (pid " + d.pid() + "): its resources move away first, at most "
                + STOP_TIMEOUT_MS / 1000 + " s");
        out.flush();
        // The unit's KillMode=mixed: SIGTERM to the daemon alone; the agents it runs now are the clean stop.
        d.destroy();
        boolean gone = await(d, STOP_TIMEOUT_MS);
        int rc = 0;
        if (!gone) {
            List<ProcessHandle> rest = new ArrayList<>(d.descendants().toList());
            d.destroyForcibly();
            rest.forEach(ProcessHandle::destroyForcibly);
            await(d, 5_000);
            err.println("ERROR: cluster stop: the daemon did not stop within " + STOP_TIMEOUT_MS / 1000
                    + " s of SIGTERM; killed it and " + rest.size() + " processes below it (see " + log + ")");
            rc = 1;
        } else {
            out.println("stopped pulse in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        Files.deleteIfExists(pidFile());
        return rc;
    }

    public int status() {
        Optional<ProcessHandle> now = running();
        if (now.isEmpty()) {
            out.println("pulse: not running (" + pidFile() + ")" + (answers()
                    ? "; but a crmd answers on " + socket + " (started by hand?)" : ""));
            return 3; // LSB: program is not running
        }
        out.println("pulse: running (pid " + now.get().pid() + ", config " + config + ", log " + log + ")"
                + (answers() ? "" : "; not answering on " + socket + " yet"));
        return 0;
    }

    /** KEY=VALUE lines as systemd's EnvironmentFile reads them (comments and blanks skipped, quotes dropped). */
    static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return env;
        }
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || eq <= 0) {
                continue;
            }
            String v = l.substring(eq + 1).strip();
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                v = v.substring(1, v.length() - 1);
            }
            env.put(l.substring(0, eq).strip(), v);
        }
        return env;
    }

    /**
     * Waits until the process is gone. A zombie counts as gone: the daemon's parent (the crm that
     * started it) has exited, and in a container the new parent may reap late or never.
     */
    private static boolean await(ProcessHandle p, long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (alive(p)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(100);
        }
        return true;
    }

    static boolean alive(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            // the state follows the command name's closing parenthesis: "PID (comm) S ..."
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }
}
