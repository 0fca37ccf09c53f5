package org.pulse.policy;

import java.time.Instant;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlElement;

/**
 * The scheduler: a CIB and the time in, a {@link Transition} out. Pure: no clock, no threads,
 * no IO; the same input gives an equal transition. The stages run in Pacemaker's order, each a
 * function over the previous one's output:
 * unpack (nodes, history) → node eligibility (inside unpack: membership, standby, fencing
 * needs; then tickets) → scores with reasons → assignment → actions, fencing and shutdowns → orderings and
 * what they make unrunnable → the graph.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    /**
     * Schedules at {@code now}; the CIB's {@code execution-date}, when present, overrides it
     * (saved inputs replay at the time they were taken).
     */
    public static Transition schedule(CibModel configured, Instant now) {
        // bundles become the implicit resources they stand for before anything else reads them
        CibModel cib = Bundles.expand(configured);
        Instant at = cib.executionDate() != null ? cib.executionDate() : now;
        Cluster cluster = Unpack.run(cib, at);
        Tickets.apply(cluster);
        Scoring scoring = Scoring.run(cluster);
        Assignment assignment = Assignment.run(cluster, scoring);
        Promotion.run(cluster, scoring);
        Planner planner = Planner.run(cluster, scoring);
        return GraphBuilder.build(cluster, assignment, planner);
    }

    public static Transition schedule(XmlElement cibRoot, Instant now) {
        return schedule(CibModel.from(cibRoot), now);
    }

    /**
     * Whether a CIB of this feature set keeps fail counts per operation ({@code fail-count-RSC#op_interval},
     * 3.0.13 and later) rather than one per resource: the form the engine reads, so writers write it.
     */
    public static boolean failCountsPerOperation(String crmFeatureSet) {
        return FailCounts.perOperation(crmFeatureSet);
    }
}
