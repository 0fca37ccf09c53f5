package org.pulse.cib.model;

import java.util.Map;

/**
 * One {@code <lrm_rsc_op>}: an operation's recorded result on a node.
 *
 * @param callId      the LRM's call counter on that node; -1 while pending
 * @param rcCode      the agent's exit code (OCF)
 * @param opStatus    the execution status: 0 done, 1 cancelled, 2 timed out, 3 not supported,
 *                    4 error, 5 not installed, 6 not connected, 7 invalid, -1 pending
 * @param expectedRc  the rc the scheduler expected (third field of transition-key), or -1
 * @param attributes  every XML attribute, in order
 */
public record LrmOp(String id, String operation, int callId, int rcCode, int opStatus, long intervalMs,
                    long lastRcChange, long lastRun, long execTimeMs, int expectedRc, String transitionKey,
                    String transitionMagic, String opDigest, String restartDigest, String onNode,
                    String migrateSource, String migrateTarget, String exitReason,
                    Map<String, String> attributes) {
    public LrmOp {
        attributes = org.pulse.cib.xml.AttributeMap.copyOf(attributes);
    }

    public boolean isProbe() {
        return "monitor".equals(operation) && intervalMs == 0;
    }

    public boolean isPending() {
        return opStatus == -1 || callId == -1 && opStatus != 0;
    }
}
