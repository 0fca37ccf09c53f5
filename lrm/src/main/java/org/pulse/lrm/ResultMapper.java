package org.pulse.lrm;

/**
 * Turns a process's end into (exit code, execution status, reason), per class: Pacemaker's
 * services__ocf2ocf / lsb2ocf and the fencer's reading of fence agents (ocf-contract §5).
 */
final class ResultMapper {
    record Mapped(int rc, ExecStatus status, String reason) {
    }

    private ResultMapper() {
    }

    static Mapped map(String standard, String action, RawExecution raw, long timeoutMs) {
        String agentReason = raw.stderr().exitReason();
        if (raw.spawnError() != null) {
            return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.ERROR, raw.spawnError());
        }
        if (raw.cancelled()) {
            return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.CANCELLED, "cancelled");
        }
        if (raw.timedOut()) {
            return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.TIMED_OUT, "timed out after " + timeoutMs
                    + " ms: process group " + raw.pid() + " killed with SIGKILL"
                    + (raw.unreaped() ? "; the agent did not die (uninterruptible sleep, or held by a tracer)"
                    + " and is no longer waited on: check for a hung process " + raw.pid() : ""));
        }
        int exit = raw.exitValue();
        boolean meaningful = (standard.equals(AgentRef.OCF) && OcfRc.isValid(exit))
                || (standard.equals(AgentRef.LSB) && (action.equals("monitor") || action.equals("status"))
                    && (exit == 150 || exit == 151));
        if (!meaningful && exit > 128 && exit <= 128 + 64) {
            // Java reports death by signal N as 128+N, the same number as exit(128+N): say both.
            int sig = exit - 128;
            return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.ERROR, "agent was killed by signal " + sig + " ("
                    + signalName(sig) + ") or exited with status " + exit + "; taken as rc 1 (error)");
        }
        switch (standard) {
            case AgentRef.LSB:
                return lsb(action, exit, agentReason);
            case AgentRef.STONITH:
                return stonith(action, exit, agentReason);
            default:
                if (OcfRc.isValid(exit)) {
                    return new Mapped(exit, ExecStatus.DONE, agentReason);
                }
                return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.DONE, "agent returned " + exit
                        + ", which is not an OCF exit code (0-9, 190, 191); taken as 1 (error)"
                        + (agentReason.isEmpty() ? "" : ": " + agentReason));
        }
    }

    /** LSB status has its own codes (1, 2, 3 all mean stopped; 150/151 Pacemaker's not installed/privileges). */
    static Mapped lsb(String action, int exit, String reason) {
        if (action.equals("monitor") || action.equals("status")) {
            switch (exit) {
                case 0: return new Mapped(OcfRc.SUCCESS, ExecStatus.DONE, reason);
                case 1: case 2: case 3: return new Mapped(OcfRc.NOT_RUNNING, ExecStatus.DONE, reason);
                case 150: return new Mapped(OcfRc.ERR_INSTALLED, ExecStatus.DONE, reason);
                case 151: return new Mapped(OcfRc.ERR_PERM, ExecStatus.DONE, reason);
                default: return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.DONE,
                        "init script status returned " + exit + " (LSB: 4 = unknown); taken as 1 (error)");
            }
        }
        // For other actions LSB and OCF share the codes up to 7.
        if (exit >= 0 && exit <= 7) {
            return new Mapped(exit, ExecStatus.DONE, reason);
        }
        return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.DONE, "init script " + action + " returned " + exit
                + ", which is not an LSB exit code (0-7); taken as 1 (error)");
    }

    /** fence-agents: 0 success; for status/monitor 2 means "off"; anything else is a failure. */
    static Mapped stonith(String action, int exit, String reason) {
        if (exit == 0) {
            return new Mapped(OcfRc.SUCCESS, ExecStatus.DONE, reason);
        }
        if (action.equals("status") && exit == 2) {
            return new Mapped(OcfRc.NOT_RUNNING, ExecStatus.DONE, "fence agent reports the target off");
        }
        return new Mapped(OcfRc.ERR_GENERIC, ExecStatus.DONE, "fence agent " + action + " returned " + exit
                + (reason.isEmpty() ? "" : ": " + reason));
    }

    static String signalName(int sig) {
        switch (sig) {
            case 1: return "HUP";
            case 2: return "INT";
            case 3: return "QUIT";
            case 4: return "ILL";
            case 6: return "ABRT";
            case 7: return "BUS";
            case 8: return "FPE";
            case 9: return "KILL";
            case 10: return "USR1";
            case 11: return "SEGV";
            case 12: return "USR2";
            case 13: return "PIPE";
            case 14: return "ALRM";
            case 15: return "TERM";
            default: return "SIG" + sig;
        }
    }
}
