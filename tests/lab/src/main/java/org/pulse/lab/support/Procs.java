package org.pulse.lab.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
