package org.pulse.lrm;

import java.time.Instant;

/**
 * What happened to one process, before any class-specific reading of its exit code.
 *
 * @param pid        the agent's pid and process group, -1 if it was never started
 * @param exitValue  as Java reports it: the exit status, or 128+N when killed by signal N (Java cannot tell
 *                   the two apart); -1 if not started
 * @param timedOut   the deadline passed and the group was killed
 * @param cancelled  the run was cancelled and the group was killed
 * @param spawnError why the process could not be started, or null
 * @param unreaped   the main process outlived SIGKILL by the kill grace period: no longer waited on, it is
 *                   reaped in the background (its exit value is unknown)
 */
record RawExecution(long pid, int exitValue, boolean timedOut, boolean cancelled, String spawnError,
                    OutputCapture.Snapshot stdout, OutputCapture.Snapshot stderr, Instant startedAt, long execTimeMs, boolean unreaped) {
}
