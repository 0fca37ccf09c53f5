package org.pulse.lab.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.PlannedAction;
import org.pulse.crmd.controller.Scheduler;
import org.pulse.crmd.controller.TransitionPlan;

/**
 * A deliberately small stand-in policy engine for the simulation while org.pulse.policy's
 * schedule() is not there: independent primitives, each on one online node (least loaded, not
 * banned by a fail count), recovered in place after a monitor failure, moved after a failed
 * start, stopped when target-role=Stopped. Enough to exercise every path of the controller.
 */
final class SimScheduler implements Scheduler {
    static final long MONITOR_INTERVAL_MS = 10_000;

    @Override
    public TransitionPlan schedule(Cib cib, Instant now) {
        XmlElement root = cib.root();
        List<String> online = new ArrayList<>();
        Map<String, XmlElement> states = new LinkedHashMap<>();
        for (XmlElement ns : root.element("status").map(XmlElement::elements).orElse(List.of())) {
            String node = ns.attr("uname", ns.id());
            states.put(node, ns);
            if ("true".equals(ns.attr("in_ccm")) && "online".equals(ns.attr("crmd"))
                    && "member".equals(ns.attr("join"))) {
                online.add(node);
            }
        }
        List<PlannedAction> actions = new ArrayList<>();
        Map<String, Integer> load = new HashMap<>();
        online.forEach(n -> load.put(n, 0));
        XmlElement resources = root.element("configuration").flatMap(c -> c.element("resources")).orElseThrow();
        List<XmlElement> prims = resources.elements("primitive");
        // First pass: count what stays where it is, so new placements spread out.
        for (XmlElement p : prims) {
            for (String n : online) {
                XmlElement res = lrmResource(states.get(n), p.id());
                if (res != null && running(res) && !failed(res)) {
                    load.merge(n, 1, Integer::sum);
                }
            }
        }
        for (XmlElement p : prims) {
            if ("stonith".equals(p.attr("class"))) {
                continue;
            }
            AgentSpec agent = new AgentSpec(p.attr("class"), p.attr("provider"), p.attr("type"));
            boolean stopped = p.element("meta_attributes").map(m -> m.elements("nvpair").stream()
                    .anyMatch(nv -> "target-role".equals(nv.attr("name"))
                            && "stopped".equalsIgnoreCase(nv.attr("value")))).orElse(false);
            List<String> activeOn = new ArrayList<>();
            List<String> failedOn = new ArrayList<>();
            for (String n : online) {
                XmlElement res = lrmResource(states.get(n), p.id());
                if (res != null && running(res)) {
                    activeOn.add(n);
                    if (failed(res)) {
                        failedOn.add(n);
                    }
                }
            }
            List<Integer> stops = new ArrayList<>();
            String keep = null;
            for (String n : activeOn) {
                if (!stopped && keep == null && !failedOn.contains(n)) {
                    keep = n;
                    continue;
                }
                stops.add(actions.size());
                actions.add(action(actions.size(), n, p.id(), agent, "stop", 0, 0, List.of()));
            }
            if (stopped) {
                continue;
            }
            if (keep != null) {
                XmlElement res = lrmResource(states.get(keep), p.id());
                if (!hasMonitor(res)) {
                    actions.add(action(actions.size(), keep, p.id(), agent, "monitor", MONITOR_INTERVAL_MS, 0,
                            List.of()));
                }
                continue;
            }
            String target = null;
            for (String n : online) {
                if (banned(states.get(n), p.id())) {
                    continue;
                }
                if (target == null || load.get(n) < load.get(target)) {
                    target = n;
                }
            }
            if (target == null) {
                continue;
            }
            load.merge(target, 1, Integer::sum);
            int start = actions.size();
            actions.add(action(start, target, p.id(), agent, "start", 0, 0, stops));
            actions.add(action(start + 1, target, p.id(), agent, "monitor", MONITOR_INTERVAL_MS, 0, List.of(start)));
        }
        return new TransitionPlan("policy-engine", actions);
    }

    private static PlannedAction action(int id, String node, String rsc, AgentSpec agent, String op, long intervalMs,
            int expectedRc, List<Integer> inputs) {
        return new PlannedAction(id, node, rsc, agent, op, intervalMs, 20_000, Map.of(), expectedRc, inputs, null);
    }

    private static XmlElement lrmResource(XmlElement ns, String id) {
        if (ns == null) {
            return null;
        }
        for (XmlElement lrm : ns.elements("lrm")) {
            for (XmlElement lr : lrm.elements("lrm_resources")) {
                for (XmlElement r : lr.elements("lrm_resource")) {
                    if (id.equals(r.id())) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    private static XmlElement op(XmlElement res, String id) {
        return res.elements("lrm_rsc_op").stream().filter(o -> id.equals(o.id())).findFirst().orElse(null);
    }

    private static boolean running(XmlElement res) {
        XmlElement last = op(res, res.id() + "_last_0");
        if (last == null) {
            return false;
        }
        String opName = last.attr("operation");
        String rc = last.attr("rc-code");
        if ("stop".equals(opName)) {
            return !"0".equals(rc);
        }
        if ("monitor".equals(opName)) {
            return !"7".equals(rc);
        }
        return true;
    }

    private static boolean failed(XmlElement res) {
        XmlElement last = op(res, res.id() + "_last_0");
        if (last != null && !"0".equals(last.attr("op-status"))) {
            return true;
        }
        if (last != null && "start".equals(last.attr("operation")) && !"0".equals(last.attr("rc-code"))) {
            return true;
        }
        if (last != null && "monitor".equals(last.attr("operation"))
                && !List.of("0", "7").contains(last.attr("rc-code"))) {
            return true;
        }
        XmlElement mon = op(res, res.id() + "_monitor_" + MONITOR_INTERVAL_MS);
        return mon != null && !"0".equals(mon.attr("rc-code"));
    }

    private static boolean hasMonitor(XmlElement res) {
        return op(res, res.id() + "_monitor_" + MONITOR_INTERVAL_MS) != null;
    }

    private static boolean banned(XmlElement ns, String rsc) {
        for (XmlElement ta : ns.elements("transient_attributes")) {
            for (XmlElement set : ta.elements("instance_attributes")) {
                for (XmlElement nv : set.elements("nvpair")) {
                    String name = nv.attr("name", "");
                    if (name.startsWith("fail-count-" + rsc + "#")) {
                        String v = nv.attr("value", "0");
                        if (v.equals("INFINITY") || Long.parseLong(v) >= 3) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
