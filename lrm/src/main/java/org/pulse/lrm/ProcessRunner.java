package org.pulse.lrm;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one agent process the way Pacemaker's executor does (ocf-contract §2, §8):
 * <ul>
 * <li>argv as given, no shell; through util-linux {@code setsid}, which (because the JVM's spawn helper is not
 *     a group leader) calls setsid() and execs in place, so the agent's pid is its process group id; through
 *     {@code nsenter --net=NS} first when a network namespace is configured (nsenter also execs in place);</li>
 * <li>stdin /dev/null (never a TTY), or a pipe with the given bytes (fence agents);</li>
 * <li>at the deadline {@code kill -KILL -- -PGID}, no TERM first (as Pacemaker's executor: an agent that traps
 *     TERM changes nothing); the result is "timed out";</li>
 * <li>a main process that outlives SIGKILL by {@link LrmConfig#killGraceMs()} (uninterruptible sleep on a dead
 *     NFS server or a stuck device, or a zombie a stopped tracer holds) is reported timed out anyway and no
 *     longer waited on: a background task kills its group again every 5 s and logs when it is finally reaped,
 *     so the resource's next operation and every other one go on;</li>
 * <li>completion is the main process's exit, then a bounded drain of the pipes (never a wait for EOF);</li>
 * <li>the main process is reaped by the JDK (waitFor).</li>
 * </ul>
 */
final class ProcessRunner {
    private static final Logger LOG = System.getLogger(ProcessRunner.class.getName());
    static final long KILL_RETRY_MS = 5_000;

    private final LrmConfig config;
    private final ExecutorService readers;
    private final Clock clock;
    private final long ownPgid;

    ProcessRunner(LrmConfig config, ExecutorService readers, Clock clock) {
        this.config = config;
        this.readers = readers;
        this.clock = clock;
        this.ownPgid = readPgid(ProcessHandle.current().pid());
    }

    /** Lets another thread cancel a run: the group is killed and the run reports cancelled. */
    static final class Control {
        private volatile long pid = -1;
        private volatile boolean cancelled;
        private ProcessRunner runner;

        synchronized void cancel() {
            cancelled = true;
            if (pid > 0 && runner != null) {
                runner.killGroup(pid);
            }
        }

        boolean isCancelled() {
            return cancelled;
        }

        synchronized void started(ProcessRunner r, long p) {
            runner = r;
            pid = p;
            if (cancelled) {
                r.killGroup(p);
            }
        }
    }

    List<String> commandLine(List<String> argv) {
        List<String> cmd = new ArrayList<>();
        if (config.netns() != null) {
            cmd.add(config.nsenterCommand());
            cmd.add("--net=" + config.netns());
        }
        cmd.add(config.setsidCommand());
        cmd.addAll(argv);
        return cmd;
    }

    RawExecution run(Invocation inv, Control control) {
        ProcessBuilder pb = new ProcessBuilder(commandLine(inv.argv()));
        Map<String, String> env = pb.environment();
        for (Iterator<String> it = env.keySet().iterator(); it.hasNext(); ) {
            String k = it.next();
            for (String p : inv.dropEnvPrefixes()) {
                if (k.startsWith(p)) {
                    it.remove();
                    break;
                }
            }
        }
        env.putAll(inv.env());
        pb.directory(new File("/"));
        pb.redirectInput(inv.stdin() == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.PIPE);
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new RawExecution(-1, -1, false, control.isCancelled(), "could not start " + pb.command() + ": " + e.getMessage(),
                    new OutputCapture.Snapshot("", 0, ""), new OutputCapture.Snapshot("", 0, ""), startedAt, 0, false);
        }
        long pid = p.pid();
        control.started(this, pid);
        OutputCapture out = new OutputCapture(p.getInputStream(), config.maxOutputBytes(), false);
        OutputCapture err = new OutputCapture(p.getErrorStream(), config.maxOutputBytes(), true);
        readers.execute(out);
        readers.execute(err);
        if (inv.stdin() != null) {
            byte[] bytes = inv.stdin();
            readers.execute(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(bytes);
                } catch (IOException e) {
                    // The agent exited or closed stdin without reading: its exit code tells the rest.
                }
            });
        }
        boolean timedOut = false;
        boolean unreaped = false;
        boolean interrupted = false;
        try {
            if (!p.waitFor(inv.timeoutMs(), TimeUnit.MILLISECONDS)) {
                timedOut = !control.isCancelled();
                killGroup(pid);
                if (!p.waitFor(config.killGraceMs(), TimeUnit.MILLISECONDS)) {
                    // Waiting on would hold this resource's queue (and the DC's transition) hostage to a process
                    // nothing can end: report now, keep killing and reaping in the background.
                    unreaped = true;
                    LOG.log(Level.WARNING, "agent " + inv.argv() + " (pid " + pid + ") did not die within " + config.killGraceMs()
                            + " ms of SIGKILL (uninterruptible sleep, or held by a tracer); reporting the timeout and"
                            + " reaping it in the background");
                    reapInBackground(p, pid, inv.argv());
                }
            }
        } catch (InterruptedException e) {
            // The LRM is shutting down: leave nothing running behind us.
            interrupted = true;
            killGroup(pid);
            try {
                p.waitFor(KILL_RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // already interrupted
            }
        }
        long execMs = (System.nanoTime() - t0) / 1_000_000;
        // The main process is gone: give the pipes a short, bounded time to reach EOF. A background child
        // (IPaddr2's send_arp) may keep them open for seconds; its output after this point is not ours.
        long drainDeadline = System.nanoTime() + config.drainMs() * 1_000_000;
        try {
            boolean ended = out.awaitEof(Math.max(0, (drainDeadline - System.nanoTime()) / 1_000_000));
            ended &= err.awaitEof(Math.max(0, (drainDeadline - System.nanoTime()) / 1_000_000));
            if (!ended && !unreaped && !groupAlive(pid)) {
                // Nothing of the agent's group is left to hold the pipes, so EOF is certain: a reader thread a busy
                // machine did not run within drainMs has just not read it yet. Cutting it off lost a fence device's
                // whole list answer under load ("list () does not name n2": ten fencing attempts failed, nothing
                // recovered). Bounded all the same: a process outside the group may hold a pipe.
                long late = System.nanoTime() + LATE_READER_MS * 1_000_000;
                out.awaitEof(Math.max(0, (late - System.nanoTime()) / 1_000_000));
                err.awaitEof(Math.max(0, (late - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int exit = p.isAlive() ? -1 : p.exitValue();
        return new RawExecution(pid, exit, timedOut, control.isCancelled() || interrupted, null, out.snapshot(), err.snapshot(),
                startedAt, execMs, unreaped);
    }

    /**
     * Kills the group again every {@link #KILL_RETRY_MS} until the main process is gone (the JDK's reaper waits
     * on it meanwhile), on a reader thread: the caller has already reported. Ends when the LRM closes, too.
     */
    private void reapInBackground(Process p, long pid, List<String> argv) {
        long since = System.nanoTime();
        readers.execute(() -> {
            try {
                while (!p.waitFor(KILL_RETRY_MS, TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.WARNING, "agent " + argv + " (pid " + pid + ") still will not die after SIGKILL; killing its"
                            + " group again");
                    killGroup(pid);
                }
                LOG.log(Level.INFO, "agent " + argv + " (pid " + pid + ") was finally reaped "
                        + (System.nanoTime() - since) / 1_000_000 + " ms after its timeout was reported");
            } catch (InterruptedException e) {
                LOG.log(Level.WARNING, "the LRM closed; agent " + argv + " (pid " + pid + ") is still not reaped");
            }
        });
    }

    /**
     * {@code kill -KILL -- -PGID}. The group is the agent's pid (setsid made it so); should /proc say otherwise,
     * the group /proc names is killed, but never the LRM's own group.
     */
    void killGroup(long pid) {
        long pgid = readPgid(pid);
        if (pgid <= 0) {
            pgid = pid; // the leader is gone (reaped) but its group may live on: the group id is still its pid
        }
        if (pgid == ownPgid || pgid <= 1) {
            LOG.log(Level.WARNING, "agent pid " + pid + " is in the LRM's own process group " + pgid + "; killing the pid alone");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            return;
        }
        try {
            Process k = new ProcessBuilder(config.killCommand(), "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!k.waitFor(2, TimeUnit.SECONDS)) {
                k.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not run '" + config.killCommand() + "' to kill process group " + pgid
                    + "; killing the agent pid alone", e);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long output is still awaited once nothing of the agent's process group is left (see run). */
    static final long LATE_READER_MS = 5_000;

    /**
     * Whether group {@code pgid} (the agent's: its pid) still has a process, e.g. a background child that may keep a
     * pipe open for seconds: {@code kill -0 -- -PGID}, one program, only when the drain time ran out (scanning every
     * process's stat from Java took seconds at load 50). A zombie counts too: then output is not awaited further.
     */
    boolean groupAlive(long pgid) {
        if (pgid <= 1 || pgid == ownPgid) {
            return true;
        }
        try {
            Process k = new ProcessBuilder(config.killCommand(), "-0", "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!k.waitFor(2, TimeUnit.SECONDS)) {
                k.destroyForcibly();
                return true;
            }
            return k.exitValue() == 0;
        } catch (IOException e) {
            return true; // cannot tell: as before, output is not awaited further
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Field 5 of /proc/PID/stat, or -1 when the process is gone. */
    static long readPgid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // comm (field 2) may contain spaces and parentheses: the fields after it start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
