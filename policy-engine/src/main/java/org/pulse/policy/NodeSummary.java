package org.pulse.policy;

/**
 * A node before and after the transition.
 *
 * @param state      online, offline, standby, maintenance, pending or unclean (now)
 * @param stateAfter the same once the transition has run (a fenced node is offline)
 */
public record NodeSummary(String name, String state, String stateAfter, String reason) {
}
