package org.pulse.policy.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminProtocolException;

/**
 * What {@code crm simulate} was asked, as data: the what-if changes, what to show and which of the
 * documents (input, output, graph) the caller wants back. The same record drives the run in the
 * shell's own process and in a running crmd ({@link #toArgs}/{@link #fromArgs} carry it over the
 * admin socket), so both print the same. File names stay with the caller: crmd returns the
 * documents and the shell writes them, as the user who asked.
 */
public record SimulateOptions(boolean canonical, boolean quiet, boolean run, List<String> nodeUp,
        List<String> nodeDown, List<String> nodeFail, List<String> opInject, List<String> opFail, String setDatetime,
        String quorum, List<String> ticketGrant, List<String> ticketRevoke, List<String> ticketStandby,
        List<String> ticketActivate, boolean showScores, boolean showUtilization, boolean showFailcounts,
        boolean wantInput, boolean wantOutput, boolean wantGraph) {

    /** The admin arguments these options travel as (lists as lines: no name or OPSPEC holds a newline). */
    private static final List<String> FLAGS = List.of("canonical", "quiet", "run", "show_scores", "show_utilization",
            "show_failcounts", "want_input", "want_output", "want_graph");
    private static final List<String> LISTS = List.of("node_up", "node_down", "node_fail", "op_inject", "op_fail",
            "ticket_grant", "ticket_revoke", "ticket_standby", "ticket_activate");
    private static final List<String> STRINGS = List.of("set_datetime", "quorum");

    public SimulateOptions {
        nodeUp = List.copyOf(nodeUp);
        nodeDown = List.copyOf(nodeDown);
        nodeFail = List.copyOf(nodeFail);
        opInject = List.copyOf(opInject);
        opFail = List.copyOf(opFail);
        ticketGrant = List.copyOf(ticketGrant);
        ticketRevoke = List.copyOf(ticketRevoke);
        ticketStandby = List.copyOf(ticketStandby);
        ticketActivate = List.copyOf(ticketActivate);
    }

    /** No what-if, the default display, no documents back. */
    public static SimulateOptions plain() {
        return new SimulateOptions(false, false, false, List.of(), List.of(), List.of(), List.of(), List.of(), null,
                null, List.of(), List.of(), List.of(), List.of(), false, false, false, false, false, false);
    }

    /** Every admin argument name {@link #fromArgs} reads. */
    public static Set<String> argNames() {
        List<String> all = new ArrayList<>(FLAGS);
        all.addAll(LISTS);
        all.addAll(STRINGS);
        return Set.copyOf(all);
    }

    private List<List<String>> lists() {
        return List.of(nodeUp, nodeDown, nodeFail, opInject, opFail, ticketGrant, ticketRevoke, ticketStandby,
                ticketActivate);
    }

    private List<Boolean> flags() {
        return List.of(canonical, quiet, run, showScores, showUtilization, showFailcounts, wantInput, wantOutput,
                wantGraph);
    }

    /** These options added to {@code args}; only what differs from {@link #plain()} is sent. */
    public AdminArgs toArgs(AdminArgs args) {
        List<Boolean> f = flags();
        for (int i = 0; i < FLAGS.size(); i++) {
            if (f.get(i)) {
                args = args.with(FLAGS.get(i), true);
            }
        }
        List<List<String>> l = lists();
        for (int i = 0; i < LISTS.size(); i++) {
            for (String v : l.get(i)) {
                if (v.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("simulate: a value with a line break cannot be sent: " + v);
                }
            }
            if (!l.get(i).isEmpty()) {
                args = args.with(LISTS.get(i), String.join("\n", l.get(i)));
            }
        }
        return args.with("set_datetime", setDatetime).with("quorum", quorum);
    }

    /** The options a request carries; a value of the wrong type is refused by {@link AdminArgs}. */
    public static SimulateOptions fromArgs(AdminArgs args) throws AdminProtocolException {
        Map<String, Boolean> f = new LinkedHashMap<>();
        for (String name : FLAGS) {
            f.put(name, args.flag(name, false));
        }
        Map<String, List<String>> l = new LinkedHashMap<>();
        for (String name : LISTS) {
            String v = args.string(name).orElse("");
            l.put(name, v.isEmpty() ? List.of() : List.of(v.split("\n", -1)));
        }
        return new SimulateOptions(f.get("canonical"), f.get("quiet"), f.get("run"), l.get("node_up"),
                l.get("node_down"), l.get("node_fail"), l.get("op_inject"), l.get("op_fail"),
                args.string("set_datetime").orElse(null), args.string("quorum").orElse(null), l.get("ticket_grant"),
                l.get("ticket_revoke"), l.get("ticket_standby"), l.get("ticket_activate"), f.get("show_scores"),
                f.get("show_utilization"), f.get("show_failcounts"), f.get("want_input"), f.get("want_output"),
                f.get("want_graph"));
    }
}
