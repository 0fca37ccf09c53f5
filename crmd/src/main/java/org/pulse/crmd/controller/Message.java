package org.pulse.crmd.controller;

import java.util.List;
import java.util.Objects;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlElement;

/**
 * What crmds say to each other. Everything the DC sends that changes a member's state names the
 * view it belongs to: a member acts only on messages of the view it is in, from that view's DC,
 * so a stale DC (one that has not yet noticed it was cut off) cannot move a member that already
 * follows the new one. Encoded by {@link MessageCodec}.
 */
public sealed interface Message {
    /** One constant per record below, named after it (see {@link Kinds}): the controller and the DC switch over it. */
    enum Kind {
        JOIN_REQUEST, JOIN_RESPONSE, CIB_SYNC, CIB_UPDATE, CIB_ACK, RESYNC_REQUEST, EXECUTE, OP_REPORT,
        FORWARDED_ADMIN, FORWARDED_REPLY, SUICIDE, FORGET_HISTORY, SHUTDOWN_REQUEST, FENCE_HISTORY, SHUTDOWN_GRANTED
    }

    /** Each record's kind, checked against the permitted records when built. */
    java.util.Map<Class<?>, Kind> KINDS = Kinds.table(Message.class, Kind.class);

    /** This message's kind; an error for a record without one (never a silent no-op). */
    default Kind kind() {
        return Kinds.of(KINDS, this, "message");
    }

    /** DC → member: report your CIB version and operation history for this view. */
    record JoinRequest(String viewId, CibVersion dcVersion) implements Message {
        public JoinRequest {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(dcVersion, "dcVersion");
        }
    }

    /**
     * Member → DC. {@code cib} is sent only when the member's is newer than the DC's (else null);
     * {@code lrm} is the member's {@code <lrm>} history, complete: a member with operations in
     * flight answers only after they finished. {@code suspects} are the nodes the member's CIB
     * records as members that were not fenced since: a lower CIB may know of a node that rejoined
     * after the highest CIB last saw it fenced, so the DC unions these instead of trusting one CIB.
     * {@code dcFencingDone} and {@code dcFencingInFlight}: the member's device runs against an earlier DC that
     * asked for them (crm node fence on that DC), which went down before it could record them: the new DC must
     * know them before it decides to fence that node itself (issue 11), so they come with the join, not after it.
     */
    record JoinResponse(String viewId, CibVersion version, Cib cib, XmlElement lrm, List<String> suspects,
            List<FenceEvent> dcFencingDone, List<DcFenceRun> dcFencingInFlight) implements Message {
        public JoinResponse {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(lrm, "lrm");
            suspects = List.copyOf(suspects);
            dcFencingDone = List.copyOf(dcFencingDone);
            dcFencingInFlight = List.copyOf(dcFencingInFlight);
        }

        /** No fencing of an earlier DC to report (and what a node of the previous version sends). */
        public JoinResponse(String viewId, CibVersion version, Cib cib, XmlElement lrm, List<String> suspects) {
            this(viewId, version, cib, lrm, suspects, List.of(), List.of());
        }
    }

    /**
     * A device run against {@code target}, a DC that asked for it, still running on the member that reports it:
     * its op key (its result comes under it), and its timeout, which bounds how long the new DC waits for it.
     */
    record DcFenceRun(String opKey, String target, String device, String action, long timeoutMs) {
        public DcFenceRun {
            Objects.requireNonNull(opKey, "opKey");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(action, "action");
        }
    }

    /** DC → member at the end of a join: the whole CIB; accepting it makes the member joined. */
    record CibSync(String viewId, Cib cib) implements Message {
        public CibSync {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(cib, "cib");
        }
    }

    /** DC → member: the next change; a member at another version asks for a {@link CibSync}. */
    record CibUpdate(String viewId, CibDiff diff) implements Message {
        public CibUpdate {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(diff, "diff");
        }
    }

    /** Member → DC: this version is stored on disk. */
    record CibAck(String viewId, CibVersion version) implements Message {
        public CibAck {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(version, "version");
        }
    }

    /** Member → DC: my CIB does not match your diff; send me the whole CIB. */
    record ResyncRequest(String viewId, CibVersion have) implements Message {
        public ResyncRequest {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(have, "have");
        }
    }

    /**
     * DC → member: run this operation on your LRM; or, when {@code target} names a remote node, relay it over
     * this member's connection to that node's pulse-remoted (the member is the action's router node).
     * {@code target} is empty for the member itself.
     */
    record Execute(String viewId, OpRequest request, String target) implements Message {
        public Execute {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(request, "request");
            target = target == null ? "" : target;
        }

        public Execute(String viewId, OpRequest request) {
            this(viewId, request, "");
        }

        /** Whether it is for a remote node this member relays to. */
        public boolean relayed() {
            return !target.isEmpty();
        }
    }

    /**
     * Member → its DC: an operation ended (call ids grow per node, as in the lrm_rsc_op history);
     * {@code opDigest} is the parameter digest Pacemaker records, so the policy engine can tell
     * whether the parameters changed since the start (null when not known). {@code viewId} is the
     * view the member was in when it sent the report: the DC records only reports of its own view
     * (an earlier view's were collected by the join, and a recording replayed later must not fail
     * a resource or fence a node). {@code node}: the remote node the sender relayed the operation to (its
     * call id is that node's pulse-remoted's), or empty for the sender's own.
     */
    record OpReport(String viewId, OpResult result, long callId, String opDigest, String node) implements Message {
        public OpReport {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(result, "result");
            node = node == null ? "" : node;
        }

        /** A result of the sender's own LRM. */
        public OpReport(String viewId, OpResult result, long callId, String opDigest) {
            this(viewId, result, callId, opDigest, "");
        }
    }

    /** Any node → DC: an admin write received on another node's socket, applied only in {@code viewId}. */
    record ForwardedAdmin(String viewId, long forwardId, AdminCommand command) implements Message {
        public ForwardedAdmin {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * DC → forwarding node: the outcome of a forwarded admin write; {@code viewId} is the forward's,
     * so that a forward id a restarted node uses again is never answered by an earlier outcome.
     */
    record ForwardedReply(String viewId, long forwardId, AdminResult result) implements Message {
        public ForwardedReply {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(result, "result");
        }
    }

    /** DC of a partition without quorum and no-quorum-policy=suicide → members. */
    record Suicide(String viewId, String reason) implements Message {
        public Suicide {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** DC → member after a cleanup: forget this resource's operation history ("": every resource's) (the next probe finds out afresh). */
    record ForgetHistory(String viewId, String resourceId) implements Message {
        public ForgetHistory {
            Objects.requireNonNull(viewId, "viewId");
            Objects.requireNonNull(resourceId, "resourceId");
        }
    }

    /** Member → DC: stop my resources elsewhere and let me leave without being fenced. */
    record ShutdownRequest(String viewId) implements Message {
        public ShutdownRequest {
            Objects.requireNonNull(viewId, "viewId");
        }
    }

    /** DC → member: nothing runs on you any more and the CIB expects you down; leave now. */
    /**
     * The DC's fence history (newest last, at most {@link FenceEvent#KEPT}), sent to every member when
     * it grows: any member's crm status shows it, and the next DC goes on with it.
     */
    record FenceHistory(String viewId, List<FenceEvent> events) implements Message {
        public FenceHistory {
            Objects.requireNonNull(viewId, "viewId");
            events = List.copyOf(events);
        }
    }

    record ShutdownGranted(String viewId) implements Message {
        public ShutdownGranted {
            Objects.requireNonNull(viewId, "viewId");
        }
    }
}
