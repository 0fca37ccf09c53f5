package org.pulse.policy;

/**
 * One line of crm_simulate's "Transition Summary": what happens to one resource (or node) as a
 * whole, in Pacemaker's words, rather than the actions that do it.
 *
 * @param change    Start, Stop, Move, Recover, Restart, Promote, Demote, Re-promote, Migrate,
 *                  Reload; for node actions "Fence (reboot|off|on)" or "Shutdown"
 * @param resource  the resource's id as Pacemaker names it (clone instances keep ":N"); null for
 *                  node actions
 * @param role      its role now (for node actions null)
 * @param nextRole  its role once the transition has run (for node actions null)
 * @param from      where it is now, or null (starting); for node actions the node (a guest with
 *                  " (resource: CONTAINER)")
 * @param to        where it will be, or null (stopping)
 * @param reason    why, in Pacemaker's words ("node availability", "unrunnable X start"), or null
 * @param runnable  false when the change cannot happen (crm_simulate says "blocked")
 */
public record SummaryItem(String change, String resource, String role, String nextRole, String from, String to,
                          String reason, boolean runnable) {
    public boolean nodeAction() {
        return resource == null;
    }
}
