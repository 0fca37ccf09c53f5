/**
 * The policy engine: {@link org.pulse.policy.PolicyEngine#schedule(org.pulse.cib.model.CibModel, java.time.Instant)}
 * turns a CIB and the time into a {@link org.pulse.policy.Transition}. Pure: no clock, thread,
 * file or socket; the same input gives an equal transition (byte for byte in
 * {@link org.pulse.policy.Transition#canonical()} and {@link org.pulse.policy.Transition#graphXml()}).
 *
 * <p>What the DC uses: {@link org.pulse.policy.Transition#actions()} — each
 * {@link org.pulse.policy.Action} has an id, an operation, the resource and node, the interval,
 * the agent parameters with the CRM_meta_* the LRM needs (timeout, interval, notify and
 * migration details) and the ids of the actions that must complete first ({@code inputs}).
 * Actions of kind {@code pseudo_event} (a stop implied by fencing, the start of a migrated
 * resource) need no execution and complete when their inputs have. {@code stonith} actions
 * fence {@code node} with {@code CRM_meta_stonith_action}; {@code do_shutdown} lets a node
 * leave; {@code clear_failcount} removes a fail count.
 *
 * <p>Stages, each its own class, in Pacemaker's order: {@code Unpack} (membership, history →
 * roles and failures, then {@code Tickets}), {@code Scoring} (scores with their sources),
 * {@code Assignment} (+ {@code Promotion}: an {@code Allocation}, the node and role of each
 * resource, which every later stage reads), then the planning stages, which share one
 * {@code ActionTable} and return a record each: {@code Probes}, {@code Fencing} (fencing and
 * shutdowns), {@code ResourceActions}, {@code Monitors}, {@code OrderGraph}, {@code Migrations},
 * {@code Restarts}, {@code Runnability}, {@code Notifications}, {@code Orderings} (the graph's
 * inputs), and {@code GraphBuilder} (the immutable transition). {@code PolicyEngine.stages}
 * lists them in order, saying why each sits where it does.
 */
package org.pulse.policy;
