package org.pulse.lrm;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished run of an operation: everything the CIB's {@code lrm_rsc_op} holds, plus the agent's output.
 * Immutable; the LRM's history keeps the latest one per operation key.
 *
 * @param resourceId      the resource
 * @param agent           its agent
 * @param action          the action as requested (monitor, not LSB's status)
 * @param intervalMs      0 for one-shot operations
 * @param callId          the LRM's call id; a recurring operation keeps the one it got when submitted
 * @param rcCode          the normalised OCF exit code (0-9, 190, 191): what Pacemaker records as rc-code
 * @param execStatus      how the run ended, separate from rcCode ({@code op-status})
 * @param expectedRc      the rc the caller expected (op_target_rc)
 * @param exitReason      why it failed, for a person: the agent's last {@code ocf-exit-reason:} (128 chars), or
 *                        the LRM's own reason (timed out, killed by a signal, odd exit code, not installed).
 *                        Empty when there is none. Only meaningful when the result is not the expected one
 * @param lastRun         when this run started
 * @param lastRcChange    when this operation's rc (or status) last changed
 * @param execTimeMs      spawn to exit of the agent's main process
 * @param queueTimeMs     time spent waiting for the resource's previous operation (and start-delay)
 * @param transitionKey   the caller's transition key, untouched (null when none was given)
 * @param opDigest        MD5 of the parameters, see {@link OpDigest}
 * @param nodeName        the node that ran it
 * @param stdout          the agent's stdout, at most the configured bytes
 * @param stderr          the agent's stderr, at most the configured bytes
 * @param outputDroppedBytes bytes of stdout and stderr beyond the limit, counted and dropped
 * @param pid             the agent's process id (also its process group), or -1 when it was not started
 */
public record OperationResult(String resourceId, AgentRef agent, String action, long intervalMs, int callId, int rcCode,
                              ExecStatus execStatus, int expectedRc, String exitReason, Instant lastRun,
                              Instant lastRcChange, long execTimeMs, long queueTimeMs, String transitionKey,
                              String opDigest, String nodeName, String stdout, String stderr, long outputDroppedBytes,
                              long pid) {
    public OperationResult {
        exitReason = exitReason == null ? "" : exitReason;
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    /** {@code RSC_ACTION_INTERVAL}, as in the CIB's {@code operation_key}. */
    public String operationKey() {
        return resourceId + "_" + action + "_" + intervalMs;
    }

    /**
     * The run did what the caller wanted: status done and rc as expected. 190 (degraded) counts as 0 and 191
     * as 8, as Pacemaker treats them.
     */
    public boolean isExpected() {
        if (execStatus != ExecStatus.DONE) {
            return false;
        }
        int rc = rcCode == OcfRc.DEGRADED ? OcfRc.SUCCESS : rcCode == OcfRc.DEGRADED_PROMOTED ? OcfRc.RUNNING_PROMOTED : rcCode;
        return rc == expectedRc;
    }

    /** Pacemaker's {@code transition-magic}: {@code OPSTATUS:RC;TRANSITIONKEY}, or null without a key. */
    public String transitionMagic() {
        return transitionKey == null ? null : execStatus.code() + ":" + rcCode + ";" + transitionKey;
    }

    OperationResult withTimes(Instant rcChange) {
        return new OperationResult(resourceId, agent, action, intervalMs, callId, rcCode, execStatus, expectedRc,
                exitReason, lastRun, rcChange, execTimeMs, queueTimeMs, transitionKey, opDigest, nodeName, stdout,
                stderr, outputDroppedBytes, pid);
    }

    OperationResult withStatus(ExecStatus status, String reason) {
        return new OperationResult(resourceId, agent, action, intervalMs, callId, rcCode, status, expectedRc, reason,
                lastRun, lastRcChange, execTimeMs, queueTimeMs, transitionKey, opDigest, nodeName, stdout, stderr,
                outputDroppedBytes, pid);
    }

    /**
     * The attributes of a CIB {@code <lrm_rsc_op>} for this result, in Pacemaker's order, without {@code id}
     * (the controller names entries {@code RSC_last_0}, {@code RSC_last_failure_0} or the operation key of a
     * recurring operation). Times are epoch seconds, durations ms.
     */
    public Map<String, String> toLrmRscOpAttributes(String crmFeatureSet) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("operation_key", operationKey());
        a.put("operation", action);
        a.put("crm-debug-origin", "pulse-lrm");
        a.put("crm_feature_set", crmFeatureSet);
        if (transitionKey != null) {
            a.put("transition-key", transitionKey);
            a.put("transition-magic", transitionMagic());
        }
        a.put("exit-reason", isExpected() ? "" : exitReason);
        a.put("on_node", nodeName);
        a.put("call-id", Integer.toString(callId));
        a.put("rc-code", Integer.toString(rcCode));
        a.put("op-status", Integer.toString(execStatus.code()));
        a.put("interval", Long.toString(intervalMs));
        a.put("last-rc-change", Long.toString(lastRcChange.getEpochSecond()));
        a.put("exec-time", Long.toString(execTimeMs));
        a.put("queue-time", Long.toString(queueTimeMs));
        a.put("op-digest", opDigest);
        return a;
    }

    /** One line for logs and the shell: {@code vip_start_0 call 4: rc 0 (ok) done in 63 ms}. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(operationKey()).append(" call ").append(callId).append(": rc ").append(rcCode)
                .append(" (").append(OcfRc.name(rcCode)).append(") ").append(execStatus.name().toLowerCase().replace('_', ' '))
                .append(" in ").append(execTimeMs).append(" ms");
        if (!isExpected() && !exitReason.isEmpty()) {
            b.append(": ").append(exitReason);
        }
        return b.toString();
    }
}
