package org.pulse.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlElement;

/**
 * The scheduler: a CIB and the time in, a {@link Transition} out. Pure: no clock, no threads of
 * its own, no IO; the same input gives an equal transition. (Reading a very large CIB, cib's parser
 * and typed view may split the status across two threads; what they return does not depend on it.) The stages run in Pacemaker's order
 * ({@code pcmk__schedule_actions}), each a function of the previous ones' records, listed in
 * {@link #stages} with why each sits where it does.
 */
public final class PolicyEngine {
    private PolicyEngine() {
    }

    /**
     * Schedules at {@code now}; the CIB's {@code execution-date}, when present, overrides it
     * (saved inputs replay at the time they were taken).
     */
    public static Transition schedule(CibModel configured, Instant now) {
        return stages(configured, now).transition();
    }

    /**
     * The stages in order, each line saying why it sits where it does; every hand-off is kept
     * in the returned record so a test can look at what any one stage decided.
     */
    static Stages stages(CibModel configured, Instant now) {
        return afterUnpack(unpack(configured, now));
    }

    /**
     * The CIB read: what every later stage reads and none writes but for one thing (RemoteNodes
     * sets a remote node's flags once its connection is placed; see SNode).
     */
    static Cluster unpack(CibModel configured, Instant now) {
        // bundles become the implicit resources they stand for before anything else reads them
        CibModel cib = Bundles.expand(configured);
        Instant at = cib.executionDate() != null ? cib.executionDate() : now;
        // nodes, resources and their state from the history; node eligibility (membership, standby, fencing needs);
        // what a ticket not granted bans or freezes, before anything is scored
        return Unpack.run(cib, at);
    }

    /** The stages after unpacking, in order, each returning what it decided (see {@link #stages}). */
    static Stages afterUnpack(Cluster cluster) {
        // placement scores with their reasons: locations, stickiness, colocations, fail counts
        Scoring scoring = Scoring.run(cluster);
        // a node for each resource, highest priority first, colocations followed
        Assignment assignment = Assignment.run(cluster, scoring);
        // roles of promotable instances, once every instance has its node; then the placement is
        // final, and every stage below reads it from here, none from the resources
        Allocation alloc = Promotion.run(cluster, scoring, assignment);
        // from here on the actions are built in one table (see ActionTable: ids follow creation order)
        ActionTable actions = new ActionTable(alloc);
        // discovery and reprobes first: a node probed afresh as a whole gets no per-resource probes
        Probes.Plan probing = Probes.prepare(cluster, actions);
        // fencing before any resource action: what runs on a node being fenced is stopped by the fencing (pseudo)
        Fencing.Plan fencing = Fencing.run(cluster, alloc, actions);
        // migration candidates before the resource actions: a partial migration finished is not a double activity
        Set<Rsc> migrationCandidates = Migrations.candidates(cluster, alloc);
        // each primitive from where it is to where it was assigned, in configuration order
        ResourceActions.Result resourceActions = ResourceActions.run(cluster, alloc, actions, probing, migrationCandidates);
        // a guest whose container does not start again is switched off rather than rebooted: needs the starts above
        Fencing.guestFenceActions(actions, fencing);
        // monitors again behind a remote connection that restarts: needs the connection's start above
        List<Act> reconnectMonitors = Monitors.afterReconnect(cluster, alloc, actions);
        // the orderings between resources, read once; everything below reads them
        OrderGraph orders = OrderGraph.build(cluster, alloc);
        // the candidates that really move live: their stop and start exist, nothing before them stops for real
        Set<Rsc> migrating = Migrations.confirm(alloc, actions, migrationCandidates, orders);
        // what the orderings make restart or stop, except behind a resource that migrates
        Restarts.Result restarts = Restarts.run(cluster, alloc, actions, orders, migrating);
        // clean shutdowns, once every stop that will precede them exists
        Map<SNode, Act> shutdowns = Fencing.shutdowns(cluster, actions);
        // what cannot run, and what that stops in turn, over every action added so far
        Runnability.Result runnability = Runnability.run(cluster, scoring, alloc, actions, orders);
        // a shutdown waits for ever behind a stop that runnability found cannot run
        Fencing.holdShutdowns(cluster, actions, shutdowns);
        // role="Stopped" monitors where the resource will not be: needs the stops runnability added
        List<Act> stoppedMonitors = Monitors.stoppedRole(cluster, alloc, actions, resourceActions.probes());
        // migrate_to/from for confirmed migrations whose stop and start can both run
        List<Act> migrations = Migrations.run(cluster, alloc, actions, migrating);
        // notifications around what will really happen, migrations included
        List<Act> notifications = Notifications.run(cluster, actions);
        // the graph's inputs last, when every action exists; then what waits for the impossible is never ready
        Orderings.Result inputs = Orderings.run(alloc, actions, fencing, shutdowns, resourceActions.probes(), orders,
                runnability.neverReady());
        Plan plan = new Plan(actions, fencing.fencing(), shutdowns, resourceActions.redefined(), inputs.neverReady());
        // freeze the actions into the immutable transition, with placements, summary and explanations
        Transition transition = GraphBuilder.build(cluster, scoring, alloc, plan);
        return new Stages(cluster, scoring, alloc, probing, fencing, resourceActions, reconnectMonitors, orders, migrating,
                restarts, shutdowns, runnability, stoppedMonitors, migrations, notifications, plan, transition);
    }

    /** Every planning stage's hand-off of one run, in stage order (see {@link #stages}). */
    record Stages(Cluster cluster, Scoring scoring, Allocation alloc, Probes.Plan probing, Fencing.Plan fencing,
                  ResourceActions.Result resourceActions, List<Act> reconnectMonitors, OrderGraph orders,
                  Set<Rsc> migrating, Restarts.Result restarts, Map<SNode, Act> shutdowns,
                  Runnability.Result runnability, List<Act> stoppedMonitors, List<Act> migrations,
                  List<Act> notifications, Plan plan, Transition transition) {
    }

    /**
     * Every primitive as the engine reads it at {@code now} (or the CIB's execution-date): agent, parameters,
     * meta attributes and operations with their timeouts, bundles' and guests' implicit primitives included.
     * A read-only view, in configuration order, for crmd and the tests that check crmd reads resources alike.
     */
    public static Map<String, ResolvedPrimitive> resolvedPrimitives(CibModel cib, Instant now) {
        return ResolvedPrimitives.of(cib, now);
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
