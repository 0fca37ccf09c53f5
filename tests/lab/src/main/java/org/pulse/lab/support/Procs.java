package org.pulse.lab.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Processes as the tests see them from outside. */
public final class Procs {
    private Procs() {
    }

    /**
     * Whether the process runs: gone from /proc, or a zombie, is dead. {@code ProcessHandle.isAlive()}
     * counts a zombie as alive, and PID 1 of this sandbox (and of some containers) does not reap
     * orphans: a daemon started through a launcher that exited stays a zombie after it exits.
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGKILL to a process this JVM did not start (a daemon in its own session, an orphan), then waits
     * until it runs no more. Not {@code ProcessHandle.onExit()}: for a process that is not our child it
     * polls isAlive, which counts the zombie as alive until PID 1 reaps it (late here), so it always
     * waited out its timeout. False when the process still runs after {@code timeout}.
     */
    public static boolean killAndAwait(long pid, Duration timeout) throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Waits until the process has its working directory, or a file open, under {@code dir}: a test that
     * starts a holder ({@code sh -c "cd MNT && exec sleep 600"}) and then checks that unmounting finds it
     * must wait for this, not for a fixed time (a shell's start takes 5 ms here, ten times that under
     * load). False when that has not happened within the timeout, or the process is gone.
     */
    public static boolean awaitHolding(long pid, Path dir, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (holds(pid, dir)) {
                return true;
            }
            if (!running(pid) || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /** Whether the process's working directory, or a file it has open, is {@code dir} or below it. */
    static boolean holds(long pid, Path dir) {
        Path proc = Path.of("/proc/" + pid);
        if (under(proc.resolve("cwd"), dir)) {
            return true;
        }
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            return fds.anyMatch(fd -> under(fd, dir));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static boolean under(Path link, Path dir) {
        try {
            return Files.readSymbolicLink(link).startsWith(real(dir));
        } catch (IOException e) {
            return false;
        }
    }

    /** The kernel names a process's files by their real path: /proc's links never go through a symlink. */
    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
