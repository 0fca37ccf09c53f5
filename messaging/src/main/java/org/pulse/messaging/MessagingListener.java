package org.pulse.messaging;

import java.util.Set;

/**
 * What the cluster tells a node. Every callback of one {@link Messenger} arrives on that
 * messenger's single delivery thread (named {@code pulse-messaging-NODE}), one at a time, in the
 * order JGroups delivered them: messages from one sender arrive in the order sent, unicasts and
 * multicasts alike (JGroups carries them in two streams; see {@link Messenger#sendToEach}), replies
 * aside; a view arrives before the messages its new members send in it. A callback must not block (crmd puts each on
 * its own event queue and returns); an exception it throws is logged and does not stop delivery.
 * {@link Messenger#request} futures complete on the same thread, so a callback must never wait
 * for one (it would wait for itself); chain on it instead, or hand it to the event queue.
 */
public interface MessagingListener {
    /** A new view was installed (including the first one, containing at least this node). */
    void onView(ClusterView view);

    /**
     * JGroups confirmed (VERIFY_SUSPECT2) that these members are unreachable; a view without them
     * normally follows within milliseconds. Informational: act on the view.
     */
    void onSuspect(Set<String> nodeNames);

    /**
     * A {@link Envelope.Kind#NOTICE} or {@link Envelope.Kind#REQUEST} from a member (possibly this
     * node itself, when it sent to itself). Answer a request with {@link Messenger#reply}.
     */
    void onMessage(Envelope envelope);
}
