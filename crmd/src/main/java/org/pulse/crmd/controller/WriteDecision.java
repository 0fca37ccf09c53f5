package org.pulse.crmd.controller;

import java.util.List;
import java.util.Optional;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.acl.AclDenial;
import org.pulse.cib.acl.CibAcl;

/**
 * Whether the DC takes an operator's (or agent's) write, one concern of {@link DcRole} as a pure
 * function: the edit applied to the DC's own CIB (CibEdits, MoveBanClear), then the requester's
 * ACLs, the configuration checks, watchdog fencing's consistency and quorum, in that order, each
 * refusing with a message that names what to do. DcRole commits what is accepted.
 */
final class WriteDecision {
    private WriteDecision() {
    }

    sealed interface Outcome {
        /** Answered at once, nothing written: refused, or no change; {@code warning} (may be null) is logged. */
        record Answered(AdminResult result, String warning) implements Outcome {
        }

        /** To commit: the successor CIB (stamped with its writer), and whether it changes the configuration. */
        record Accepted(Cib next, boolean configuration) implements Outcome {
        }
    }

    /**
     * cib-last-written as Pacemaker writes it (ctime's layout, the day padded with a space), in UTC: crm status
     * shows it as "Last change", the metrics read it back.
     */
    static final java.time.format.DateTimeFormatter LAST_WRITTEN = java.time.format.DateTimeFormatter
            .ofPattern("EEE MMM ppd HH:mm:ss yyyy", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    static Outcome decide(Cib cur, AdminCommand.Write w, CibChecks checks, String self, long watchdogTimeoutMs,
            boolean quorate, String quorumReason, java.time.Instant now) {
        Cib next;
        try {
            next = CibEdits.apply(cur, w.edit());
        } catch (CibEdits.Refused e) {
            return new Outcome.Answered(AdminResult.error(e.code, e.getMessage()), null);
        }
        if (w.by() != null) {
            // ACLs: judged here, on the CIB the change applies to, with that CIB's ACLs.
            Optional<AclDenial> denied = CibAcl.checkWrite(cur.root(), next.root(), w.by().subject());
            if (denied.isPresent()) {
                return new Outcome.Answered(AdminResult.error(AdminResult.ACCESS_DENIED, denied.get().message()),
                        "write refused for " + w.by() + ": " + denied.get().message());
            }
        }
        boolean configuration = next.version().epoch() != cur.version().epoch()
                || next.version().adminEpoch() != cur.version().adminEpoch();
        if (configuration) {
            // Checked here, before anything is sent or stored: a member's store would refuse (or
            // worse, a node would stop on) a CIB the DC had already committed.
            List<CibProblem> added = checks.addedErrors(cur, next);
            if (!added.isEmpty()) {
                return new Outcome.Answered(AdminResult.error(AdminResult.INVALID, CibChecks.message(added)), null);
            }
            String watchdogProblem = WatchdogFencing.problem(next, self, watchdogTimeoutMs);
            if (watchdogProblem != null && !watchdogProblem.equals(WatchdogFencing.problem(cur, self, watchdogTimeoutMs))) {
                return new Outcome.Answered(AdminResult.error(AdminResult.INVALID,
                        "the change is refused; nothing was changed: " + watchdogProblem), null);
            }
        }
        if (configuration && !quorate && !w.force()) {
            return new Outcome.Answered(AdminResult.error(AdminResult.NO_QUORUM, "this partition has " + quorumReason
                    + ": configuration changes are refused so that"
                    + " the partition with quorum cannot be contradicted; bring the other nodes back, or force"
                    + " the change if you know they are down"), null);
        }
        if (next.equals(cur)) {
            return new Outcome.Answered(AdminResult.written(cur.version(), "no change"), null);
        }
        if (w.by() != null) {
            next = Cib.of(next.root().withAttribute("update-origin", w.by().origin())
                    .withAttribute("update-client", w.by().client()).withAttribute("update-user", w.by().user()));
        }
        if (configuration) {
            next = Cib.of(next.root().withAttribute("cib-last-written", LAST_WRITTEN.format(now)));
        }
        return new Outcome.Accepted(next, configuration);
    }
}
