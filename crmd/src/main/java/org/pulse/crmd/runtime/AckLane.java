package org.pulse.crmd.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.CibVersion;
import org.pulse.crmd.controller.AckCount;
import org.pulse.crmd.controller.AdminResult;

/**
 * The DC's ack lane: answers a writer as soon as the last acknowledgement of its change lands, on the thread
 * that received it, instead of after the acknowledgement's turn on the event thread (where it waited behind the
 * policy engine's run for that same change: 3 ms a commit at 8 quiet nodes, 25 ms at load 60). It decides
 * nothing of its own: the controller hands it, after every event, the writes it has waiting ({@link AckCount});
 * the lane adds the acks heard since (members' {@code CibAck}s of that view, the DC's own durable store as the
 * writer thread reports it) and applies the controller's rule ({@link AckCount#answerable}). The controller still
 * counts every ack and answers every write as before; whichever answer comes second is dropped here
 * ({@link #controllerAnswers}), so a writer hears once, and only "stored" when every member and the DC stored it.
 *
 * <p>It answers nothing while messaging already announced a view the controller has not handled (a member
 * may have left; the controller's answer follows the new view), nor for a store or an ack of another view.
 * Thread-safe: the event thread refreshes it, the delivery threads and the writer thread feed it.
 */
final class AckLane {
    /** Where the lane's answers go: a writer on this node, or the node that forwarded the write. */
    interface Answers {
        void local(long requestId, AdminResult result);

        void forwarded(String node, long forwardId, String viewId, AdminResult result);

        /**
         * Where the time of the change the last answers were for went, once per ack (or store) that completed writes:
         * from the DC sending the change to that last ack landing, and from its landing to the writers answered.
         */
        void timed(long sentToLastAckNanos, long lastAckToAnsweredNanos);
    }

    private record Heard(String viewId, CibVersion version) {
    }

    /** A writer: local ones by request id alone ({@code viewId} ""), forwarded ones by node, forward id and view. */
    private record Key(String node, long id, String viewId) {
    }

    private record Answer(AckCount.Waiting write, AdminResult result) {
    }

    /** Writes the acks completed, with when the DC sent their change (-1: not known) and when the last ack landed. */
    private record Due(List<Answer> answers, long sentNanos, long heardNanos) {
        static final Due NONE = new Due(List.of(), -1, -1);
    }

    private final String self;
    private final Answers answers;
    private AckCount count = AckCount.NONE;
    /** The newest view messaging announced (null: none yet): the count's view must be it for the lane to answer. */
    private String latestViewId;
    private final Map<String, Heard> heard = new HashMap<>();
    /** The newest durable store of this DC's own that the writer thread finished, with the view it was made in. */
    private Heard selfStored;
    /** Writes this lane answered whose answer from the controller has not come yet (it is dropped when it does). */
    private final Set<Key> answered = new HashSet<>();
    private long answeredByLane;
    /** When the DC sent each change still waiting (System.nanoTime), by version: for {@link Answers#timed}. */
    private final java.util.TreeMap<CibVersion, Long> sentAt = new java.util.TreeMap<>();

    AckLane(String self, Answers answers) {
        this.self = self;
        this.answers = answers;
    }

    /** Messaging announced {@code viewId} (before the controller hears of it). */
    synchronized void viewChanged(String viewId) {
        latestViewId = viewId;
    }

    /** The DC sent the change to {@code version} to its members (the runtime's fan-out), at {@code nanos}. */
    synchronized void sent(CibVersion version, long nanos) {
        sentAt.put(version, nanos);
        while (sentAt.size() > 256) {
            sentAt.pollFirstEntry(); // changes nobody waited for (status updates): only the newest matter
        }
    }

    /** A member's acknowledgement, on the thread that received it: answers the writes it completes. */
    void ack(String member, String viewId, CibVersion version) {
        Due due;
        synchronized (this) {
            Heard h = heard.get(member);
            if (h == null || !h.viewId().equals(viewId) || h.version().compareTo(version) < 0) {
                heard.put(member, new Heard(viewId, version));
            }
            due = due();
        }
        deliver(due);
    }

    /**
     * This DC's own durable store of {@code version} is done; {@code viewId} is the partition it was committed in
     * (the count's view when the store started): a store of another view says nothing of this view's writes.
     */
    void selfStored(String viewId, CibVersion version) {
        Due due;
        synchronized (this) {
            if (selfStored == null || !selfStored.viewId().equals(viewId) || selfStored.version().compareTo(version) < 0) {
                selfStored = new Heard(viewId, version);
            }
            due = due();
        }
        deliver(due);
    }

    /**
     * The event thread, after performing an event's effects: what the controller has waiting now. Writes this lane
     * answered that the controller no longer has waiting were answered by it too (that answer was dropped).
     */
    void refresh(AckCount next) {
        Due due;
        synchronized (this) {
            Set<Key> stillWaiting = new HashSet<>();
            for (AckCount.Waiting w : next.waiting()) {
                stillWaiting.add(key(w.node(), w.id(), w.replyViewId()));
            }
            answered.retainAll(stillWaiting);
            count = answered.isEmpty() ? next : withoutAnswered(next);
            due = due();
        }
        deliver(due);
    }

    /**
     * The controller answers a writer ({@code viewId} of the forward; ignored for a local request): false when this
     * lane already did (drop the controller's answer), else true, and the lane will not answer it any more.
     */
    synchronized boolean controllerAnswers(String node, long id, String viewId) {
        Key k = key(node, id, viewId);
        if (answered.remove(k)) {
            return false;
        }
        if (!count.waiting().isEmpty()) {
            List<AckCount.Waiting> rest = count.waiting().stream()
                    .filter(w -> !key(w.node(), w.id(), w.replyViewId()).equals(k)).toList();
            if (rest.size() != count.waiting().size()) {
                count = new AckCount(count.viewId(), count.self(), count.members(), count.acked(), rest);
            }
        }
        return true;
    }

    /** How many writers this lane answered before the controller did. */
    synchronized long answeredByLane() {
        return answeredByLane;
    }

    private Key key(String node, long id, String viewId) {
        return node.equals(self) ? new Key(node, id, "") : new Key(node, id, viewId);
    }

    private AckCount withoutAnswered(AckCount c) {
        return new AckCount(c.viewId(), c.self(), c.members(), c.acked(), c.waiting().stream()
                .filter(w -> !answered.contains(key(w.node(), w.id(), w.replyViewId()))).toList());
    }

    /** Under the lock: the writes the acks heard complete, marked answered and taken off the count. */
    private Due due() {
        if (count.waiting().isEmpty() || !count.viewId().equals(latestViewId)) {
            return Due.NONE;
        }
        Map<String, CibVersion> now = new HashMap<>();
        heard.forEach((m, h) -> {
            if (h.viewId().equals(count.viewId())) {
                now.put(m, h.version());
            }
        });
        if (selfStored != null && selfStored.viewId().equals(count.viewId())) {
            now.merge(self, selfStored.version(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
        }
        List<AckCount.Waiting> ready = count.answerable(now);
        if (ready.isEmpty()) {
            return Due.NONE;
        }
        List<Answer> out = new ArrayList<>();
        for (AckCount.Waiting w : ready) {
            answered.add(key(w.node(), w.id(), w.replyViewId()));
            out.add(new Answer(w, count.answer(w)));
        }
        answeredByLane += out.size();
        count = withoutAnswered(count);
        CibVersion newest = ready.get(ready.size() - 1).version();
        Long sent = sentAt.get(newest);
        sentAt.headMap(newest, true).clear();
        return new Due(out, sent == null ? -1 : sent, System.nanoTime());
    }

    /** Outside the lock: a forwarded answer is a send. */
    private void deliver(Due due) {
        if (due.answers().isEmpty()) {
            return;
        }
        for (Answer a : due.answers()) {
            if (a.write().node().equals(self)) {
                answers.local(a.write().id(), a.result());
            } else {
                answers.forwarded(a.write().node(), a.write().id(), a.write().replyViewId(), a.result());
            }
        }
        if (due.sentNanos() >= 0) {
            answers.timed(due.heardNanos() - due.sentNanos(), System.nanoTime() - due.heardNanos());
        }
    }
}
