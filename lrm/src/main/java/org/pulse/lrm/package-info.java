/**
 * The local resource manager: runs resource agents (OCF, LSB init scripts, fence agents) the way
 * Pacemaker's executor does (../shared/reference/ocf-contract.md). JDK only.
 *
 * <h2>For the controller (crmd)</h2>
 * <pre>{@code
 * Lrm lrm = new Lrm(LrmConfig.defaults()
 *         .withAgentDirFirst(repo.resolve("resource-agents/src/main/ocf"))   // ocf:pulse:* before /usr/lib/ocf
 *         .withNodeName("node1")
 *         .withHaRsctmp(Path.of("/run/pulse/node1/rsctmp"))                 // per simulated node
 *         .withNetns(Path.of("/run/netns/node1")),                          // lab only; null = this namespace
 *     result -> controller.post(new OperationCompleted(result)));           // one event thread, in order
 *
 * // From a transition graph's <rsc_op>: attributes split into params and CRM_meta_* (meta).
 * OperationRequest req = OperationRequest.fromGraphAttributes(rscId, AgentRef.parse("ocf:heartbeat:IPaddr2"),
 *         "start", graphAttributes, transitionKey);
 * Lrm.Submission s = lrm.submit(req);       // s.callId(); s.result() completes with the (first) result
 * lrm.cancel(rscId, "monitor", 10_000);     // a recurring op; stop cancels them all by itself
 * lrm.history(rscId);                       // latest OperationResult per operation key, for the status section
 * lrm.lastFailure(rscId);                   // Pacemaker's last_failure
 * result.toLrmRscOpAttributes("3.16.1");    // the attributes of a CIB <lrm_rsc_op>
 * }</pre>
 * Rules the controller can rely on: one operation per resource at a time in submission order; different
 * resources in parallel; a recurring monitor reports its first result, then only changes of rc or status,
 * then CANCELLED when cancelled; a stop first cancels the resource's recurring operations (a run in progress
 * is killed and reports CANCELLED); every one-shot result is reported. {@link org.pulse.lrm.ExecStatus}
 * (op-status) and rc (rc-code) are separate; a timeout is {@code TIMED_OUT} with rc 1.
 *
 * <p>Fence devices (class stonith) answer as Pacemaker's fencer would. start runs the device's
 * {@code monitor} and registers it on this node; stop unregisters it; a probe is 7 unless the device is
 * registered; a recurring monitor runs the device's {@code monitor} (0, or 1 when it fails), whether or not
 * this LRM saw the start (the controller may acknowledge a device's start itself), registers nothing, and
 * is 7 only after a stop here. Registrations are kept in {@code HA_RSCTMP/stonith/}: they survive a restart of the LRM, not a
 * reboot (in memory when no HA_RSCTMP is configured).
 *
 * <h2>For the agents' tests and the shell</h2>
 * {@link org.pulse.lrm.AgentExecutor#execute} runs one action synchronously;
 * {@link org.pulse.lrm.RaTester} is {@code crm ra test}'s lifecycle check as a library;
 * {@link org.pulse.lrm.AgentCatalog} lists and locates agents; {@link org.pulse.lrm.AgentExecutor#metadata}
 * parses and caches meta-data.
 */
package org.pulse.lrm;
