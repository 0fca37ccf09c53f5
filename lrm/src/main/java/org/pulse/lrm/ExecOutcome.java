package org.pulse.lrm;

import java.time.Instant;

/**
 * The result of running one action once, before the LRM adds call ids and history.
 *
 * @param rc                 the normalised exit code (see {@link OcfRc})
 * @param status             how it ended, apart from rc
 * @param exitReason         the agent's last {@code ocf-exit-reason:} or the LRM's own reason; may be empty
 * @param stdout             at most {@link LrmConfig#maxOutputBytes()} bytes
 * @param stderr             at most {@link LrmConfig#maxOutputBytes()} bytes
 * @param outputDroppedBytes bytes beyond the limit on both streams, counted and dropped
 * @param startedAt          when the process was spawned
 * @param execTimeMs         spawn to the main process's exit
 * @param pid                the agent's pid (= process group), -1 if it never ran
 */
public record ExecOutcome(int rc, ExecStatus status, String exitReason, String stdout, String stderr,
                          long outputDroppedBytes, Instant startedAt, long execTimeMs, long pid) {
    static ExecOutcome immediate(int rc, ExecStatus status, String reason, Instant now) {
        return new ExecOutcome(rc, status, reason, "", "", 0, now, 0, -1);
    }
}
