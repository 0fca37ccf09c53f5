package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pulse.cib.CibVersion;

/**
 * The DC's writes waiting for their acknowledgements, as the controller left them after an event, and the one
 * rule that answers them: a write is stored once every member of the partition, the DC included, acknowledged
 * storing its version or a later one ({@link #storedByAll}). The controller applies the rule to the acks it
 * handles; the runtime's ack lane applies it to the acks it hears on the wire before the event thread gets to
 * them, so the last ack answers the writer at once instead of waiting behind the policy engine's run. Both count
 * the same acks by the same rule, so whichever answers first says what the other would.
 *
 * @param viewId the partition's view: only acknowledgements tagged with it count
 * @param members the partition (the DC too)
 * @param acked the highest version each member acknowledged, as the controller counted them
 * @param waiting committed writes not answered yet, oldest first
 */
public record AckCount(String viewId, String self, List<String> members, Map<String, CibVersion> acked,
        List<Waiting> waiting) {
    /** Nothing waits (not the DC, or not joined): the lane answers nothing. */
    public static final AckCount NONE = new AckCount("", "", List.of(), Map.of(), List.of());

    /**
     * A write waiting for {@code version} to be stored by all; its writer is a request on the DC ({@code node} is
     * the DC itself, {@code id} its request id) or a forward of {@code node} in {@code replyViewId}.
     */
    public record Waiting(CibVersion version, String node, long id, String replyViewId) {
        public Waiting {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(replyViewId, "replyViewId");
        }
    }

    public AckCount {
        Objects.requireNonNull(viewId, "viewId");
        Objects.requireNonNull(self, "self");
        members = List.copyOf(members);
        acked = Map.copyOf(acked);
        waiting = List.copyOf(waiting);
    }

    /** Whether every one of {@code members} acknowledged storing {@code version} or a later one. */
    static boolean storedByAll(Collection<String> members, Map<String, CibVersion> acked, CibVersion version) {
        for (String m : members) {
            CibVersion v = acked.get(m);
            if (v == null || v.compareTo(version) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The answer to a write every member stored: the same words whoever gives it. */
    static AdminResult stored(CibVersion version, int members) {
        return AdminResult.written(version, "stored by all " + members + " members of the partition");
    }

    /**
     * The waiting writes every member stored once {@code heard} (acknowledgements the controller has not
     * counted yet, of this view) is added to what it counted: for each member the later of the two.
     */
    public List<Waiting> answerable(Map<String, CibVersion> heard) {
        if (waiting.isEmpty()) {
            return List.of();
        }
        Map<String, CibVersion> all = new java.util.HashMap<>(acked);
        heard.forEach((m, v) -> all.merge(m, v, (x, y) -> x.compareTo(y) >= 0 ? x : y));
        List<Waiting> out = new ArrayList<>();
        for (Waiting w : waiting) {
            if (storedByAll(members, all, w.version())) {
                out.add(w);
            }
        }
        return out;
    }

    /** The answer {@link #answerable} writes get. */
    public AdminResult answer(Waiting w) {
        return stored(w.version(), members.size());
    }
}
