package org.pulse.crmd.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.policy.Placement;

/**
 * Failover time, as an operator means it: from the moment a member leaves the view to the moment
 * every resource it ran is active on another node. Pure bookkeeping over placements (where the
 * policy engine reads each resource to be, from a CIB's status): the caller reads them and keeps time.
 *
 * <p>Clone instances are left out (an instance of a clone with one per node has nowhere to go). A
 * watch ends without a figure when the node comes back first (that was no failover) or after
 * {@link #GIVE_UP}: resources that cannot run anywhere would otherwise be watched forever.
 */
final class FailoverWatch {
    static final Duration GIVE_UP = Duration.ofMinutes(10);

    private record Lost(Instant at, Set<String> resources) {
    }

    private final Map<String, Lost> open = new HashMap<>();

    /** {@code node} left the view at {@code at}; {@code before}: the placement of the CIB applied before it left. */
    void nodeLost(String node, Instant at, List<Placement> before) {
        Set<String> ran = new LinkedHashSet<>();
        for (Placement p : before) {
            if (!p.resource().contains(":") && p.nodes().contains(node)) {
                ran.add(p.resource());
            }
        }
        if (!ran.isEmpty()) {
            open.put(node, new Lost(at, ran));
        }
    }

    void nodeBack(String node) {
        open.remove(node);
    }

    boolean watching() {
        return !open.isEmpty();
    }

    /**
     * A CIB applied at {@code at} places the resources as {@code placement}: the failovers it completes,
     * in milliseconds from their node's loss.
     */
    List<Long> placed(List<Placement> placement, Instant at) {
        List<Long> done = new ArrayList<>();
        Map<String, List<String>> where = new HashMap<>();
        for (Placement p : placement) {
            where.put(p.resource(), p.nodes());
        }
        for (Iterator<Map.Entry<String, Lost>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Lost> e = it.next();
            String node = e.getKey();
            Lost lost = e.getValue();
            boolean all = true;
            for (String rsc : lost.resources()) {
                List<String> on = where.get(rsc);
                // A resource no longer configured has nothing left to wait for.
                if (on != null && (on.isEmpty() || on.contains(node))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                done.add(Math.max(0, Duration.between(lost.at(), at).toMillis()));
                it.remove();
            } else if (Duration.between(lost.at(), at).compareTo(GIVE_UP) > 0) {
                it.remove();
            }
        }
        return done;
    }
}
