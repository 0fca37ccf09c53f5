package org.pulse.lrm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The lifecycle check of {@code crm ra test}, like ClusterLabs' ocf-tester: meta-data is valid XML,
 * validate-all passes, a probe says 7, start 0, monitor 0, start again 0 (idempotent), stop 0, stop again 0,
 * and a final probe 7. Every step runs even after a failure, so a started resource is always stopped again.
 * Steps run one at a time through {@link AgentExecutor}, with the environment the LRM gives agents in the
 * cluster (the same code path), and with each action's timeout from the agent's meta-data (20 s without).
 * A library API so that the agents' own tests run the same check the operator runs.
 */
public final class RaTester {
    /** Monitor interval for the post-start check when the meta-data advises none. */
    static final long DEFAULT_MONITOR_INTERVAL_MS = 10_000;

    /**
     * One step.
     *
     * @param name       what the step checks, e.g. "monitor (probe)"
     * @param action     the agent action run
     * @param rc         its exit code (-1 for the meta-data parse step when the agent was not run)
     * @param expectedRc what it should have been
     * @param status     how it ended
     * @param timeMs     the agent's run time
     * @param ok         the step passed
     * @param detail     why it failed (exit reason, parse error), or a note; empty when none
     */
    public record Step(String name, String action, int rc, int expectedRc, ExecStatus status, long timeMs, boolean ok,
                       String detail) {
        /** {@code   start                 rc 0   ok       23 ms}, plus the detail. */
        public String format() {
            String line = String.format("  %-22s rc %-3d %-5s %6d ms", name, rc, ok ? "ok" : "FAIL", timeMs);
            if (!ok && rc != expectedRc) {
                line += "   expected " + expectedRc;
            }
            if (!detail.isEmpty()) {
                line += "   " + detail;
            }
            return line;
        }
    }

    /** All steps, and warnings (missing required parameters). */
    public record Report(AgentRef agent, String resourceId, List<Step> steps, List<String> warnings) {
        public Report {
            steps = List.copyOf(steps);
            warnings = List.copyOf(warnings);
        }

        public boolean passed() {
            return steps.stream().allMatch(Step::ok);
        }

        public long failures() {
            return steps.stream().filter(s -> !s.ok()).count();
        }

        public String summary() {
            return passed() ? "PASS: " + agent + ": all " + steps.size() + " steps passed"
                    : "FAIL: " + agent + ": " + failures() + " of " + steps.size() + " steps failed";
        }
    }

    private final AgentExecutor executor;

    public RaTester(AgentExecutor executor) {
        this.executor = executor;
    }

    public Report run(AgentRef agent, Map<String, String> params) {
        return run(agent, "test-" + agent.type(), params, step -> { });
    }

    /**
     * Runs the lifecycle, handing each step to {@code progress} as soon as it is done (the CLI prints them as
     * they come: a hanging start shows which step hangs).
     */
    public Report run(AgentRef agent, String resourceId, Map<String, String> params, Consumer<Step> progress) {
        List<Step> steps = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Consumer<Step> add = s -> {
            steps.add(s);
            progress.accept(s);
        };
        AgentMetadata md = null;
        // Pacemaker's meta-data call: no parameters, instance = type, 30 s.
        OperationRequest mdReq = new OperationRequest(agent.type(), agent, "meta-data", 0, AgentExecutor.METADATA_TIMEOUT_MS,
                Map.of(), Map.of(), null, 0);
        ExecOutcome mdOut = executor.execute(mdReq);
        if (mdOut.status() != ExecStatus.DONE || mdOut.rc() != OcfRc.SUCCESS) {
            add.accept(step("meta-data", mdReq, mdOut, 0, ""));
        } else {
            try {
                md = MetadataParser.parse(agent, mdOut.stdout());
                List<String> missing = new ArrayList<>();
                for (String a : List.of("start", "stop", "monitor")) {
                    if (!md.advertises(a) && !agent.standard().equals(AgentRef.STONITH)) {
                        missing.add(a);
                    }
                }
                add.accept(new Step("meta-data", "meta-data", 0, 0, ExecStatus.DONE, mdOut.execTimeMs(), missing.isEmpty(),
                        missing.isEmpty() ? "" : "actions not advertised: " + String.join(", ", missing)));
                for (AgentMetadata.Parameter p : md.parameters()) {
                    if (p.required() && !params.containsKey(p.name())) {
                        warnings.add("required parameter '" + p.name() + "' is not set (" + p.shortdesc() + ")");
                    }
                }
            } catch (MetadataException e) {
                add.accept(new Step("meta-data", "meta-data", 0, 0, ExecStatus.DONE, mdOut.execTimeMs(), false, e.getMessage()));
            }
        }
        final AgentMetadata meta = md;
        long monitorInterval = DEFAULT_MONITOR_INTERVAL_MS;
        if (meta != null) {
            for (AgentMetadata.Action a : meta.actions()) {
                if (a.name().equals("monitor") && a.intervalMs() > 0 && a.role() == null) {
                    monitorInterval = a.intervalMs();
                    break;
                }
            }
        }
        OperationRequest validate = request(agent, resourceId, "validate-all", 0, params, meta);
        ExecOutcome v = executor.execute(validate);
        boolean validateOptional = v.rc() == OcfRc.ERR_UNIMPLEMENTED && (meta == null || !meta.advertises("validate-all"));
        Step vs = step("validate-all", validate, v, 0, "");
        if (validateOptional) {
            vs = new Step("validate-all", "validate-all", v.rc(), 0, v.status(), v.execTimeMs(), true, "not implemented (optional)");
        }
        add.accept(vs);
        add.accept(step("monitor (probe)", request(agent, resourceId, "monitor", 0, params, meta)
                .withMeta("op_target_rc", "7"), OcfRc.NOT_RUNNING));
        add.accept(step("start", request(agent, resourceId, "start", 0, params, meta), OcfRc.SUCCESS));
        add.accept(step("monitor (interval " + monitorInterval / 1000 + "s)",
                request(agent, resourceId, "monitor", monitorInterval, params, meta), OcfRc.SUCCESS));
        add.accept(step("start (again)", request(agent, resourceId, "start", 0, params, meta), OcfRc.SUCCESS));
        add.accept(step("stop", request(agent, resourceId, "stop", 0, params, meta), OcfRc.SUCCESS));
        add.accept(step("stop (again)", request(agent, resourceId, "stop", 0, params, meta), OcfRc.SUCCESS));
        add.accept(step("monitor (stopped)", request(agent, resourceId, "monitor", 0, params, meta)
                .withMeta("op_target_rc", "7"), OcfRc.NOT_RUNNING));
        return new Report(agent, resourceId, steps, warnings);
    }

    private Step step(String name, OperationRequest req, int expected) {
        return step(name, req, executor.execute(req), expected, "");
    }

    private static Step step(String name, OperationRequest req, ExecOutcome o, int expected, String note) {
        boolean ok = o.status() == ExecStatus.DONE && o.rc() == expected;
        String detail = note;
        if (!ok) {
            detail = o.exitReason().isEmpty() ? OcfRc.name(o.rc()) + ", " + o.status().name().toLowerCase().replace('_', ' ')
                    : o.exitReason();
            String err = o.stderr().strip();
            if (o.exitReason().isEmpty() && !err.isEmpty()) {
                String last = err.substring(err.lastIndexOf('\n') + 1);
                detail += "; stderr: " + (last.length() > 160 ? last.substring(0, 160) + "..." : last);
            }
        }
        return new Step(name, req.action(), o.rc(), expected, o.status(), o.execTimeMs(), ok, detail);
    }

    private static OperationRequest request(AgentRef agent, String resourceId, String action, long intervalMs,
                                            Map<String, String> params, AgentMetadata md) {
        long timeout = md == null ? OperationRequest.DEFAULT_TIMEOUT_MS : md.timeoutMs(action, OperationRequest.DEFAULT_TIMEOUT_MS);
        return new OperationRequest(resourceId, agent, action, intervalMs, timeout, params, Map.of(), null, 0);
    }
}
