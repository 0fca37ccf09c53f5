package org.pulse.messaging;

import org.jgroups.util.LazyThreadFactory;

/**
 * JGroups' own thread factory for the transport (the one TCP makes when it has none: base name
 * "jgroups", numbered, names filled in lazily), except that every thread it makes runs at normal
 * priority. A Java thread inherits its creator's priority, and JGroups creates some threads lazily
 * from whichever thread first needs them: the per-destination sender thread for a peer is made by
 * the first message sent to it, often a heartbeat from {@link Heartbeats}' thread at
 * {@link Thread#MAX_PRIORITY}. With bin/crmd's priority flags (root) that made one bundler thread in
 * a few run at nice -5 and carry all traffic to its peer (seen in ps: "pd-bundler-16" at -5, its
 * siblings at 0). Only the heartbeat thread is meant to be raised.
 */
final class NormalPriorityThreads extends LazyThreadFactory {
    NormalPriorityThreads() {
        super("jgroups", false, true);
    }

    @Override
    public Thread newThread(Runnable r, String name) {
        return normal(super.newThread(r, name));
    }

    @Override
    public Thread newThread(Runnable r) {
        return normal(super.newThread(r));
    }

    @Override
    protected Thread newThread(Runnable r, String name, String addr, String clusterName) {
        return normal(super.newThread(r, name, addr, clusterName));
    }

    private static Thread normal(Thread t) {
        if (t != null) {
            t.setPriority(Thread.NORM_PRIORITY);
        }
        return t;
    }
}
