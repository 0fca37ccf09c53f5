package org.pulse.lab.fuzz;

import java.util.List;

/**
 * One generated case: the CIB the cluster settles under, the configuration after the operator's
 * edit, and what happens next. Failures are chosen once the settled history is known (only a
 * resource that runs can fail), from {@code eventSeed}.
 *
 * @param cibBefore       complete CIB (configuration and fresh status) to settle with crm_simulate -S
 * @param configAfter     the {@code <configuration>} element that replaces the settled one
 * @param loseQuorum      the case is decided without quorum (have-quorum="0")
 * @param failures        how many operation failures to inject into the settled history
 * @param failureAgeS     how long ago the history happened, against the execution-date
 * @param ticketEvents    crm_simulate ticket options (--ticket-grant/--ticket-revoke=T)
 * @param nodeEvents      crm_simulate node options (--node-fail/--node-down/--node-up=N)
 * @param failureDigests  failure records carry the failed operation's digest, as the controller
 *                        writes them (else as crm_simulate's injection leaves them: none)
 * @param features        what the case carries, for the per-feature report
 */
public record FuzzCase(long seed, String cibBefore, String configAfter, boolean loseQuorum, int failures,
                       long eventSeed, long failureAgeS, List<String> ticketEvents, List<String> nodeEvents,
                       boolean failureDigests, List<String> features) {
}
