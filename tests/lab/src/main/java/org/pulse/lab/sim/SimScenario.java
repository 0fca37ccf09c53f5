package org.pulse.lab.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.crmd.controller.AdminCommand;
import org.pulse.crmd.controller.CibEdit;
import org.pulse.crmd.controller.Controller;
import org.pulse.crmd.controller.QuorumConfig;
import org.pulse.crmd.controller.Scheduler;

/**
 * One seeded schedule: a cluster of 3–7 nodes boots, lives through a fault phase (crashes of
 * crmd and of whole nodes, partitions with stale views, views that change again within a join,
 * agents that fail, hang, or never return, crmds that freeze, resources that die, operator
 * writes), then is healed; the invariants are checked after every event, and after healing the
 * cluster must converge. After healing, a node dies while an operation on a survivor never
 * returns: it must be fenced within {@value #LATE_FENCE_WITHIN_MS} ms all the same. {@link #run()}
 * returns null when all held, else what broke.
 */
public final class SimScenario {
    static final long FAULTS_FROM_MS = 4_000;
    static final long FAULTS_UNTIL_MS = 40_000;
    static final long HEAL_AT_MS = 42_000;
    static final long END_MS = 100_000;
    /** The late phase: after healing and the operator's cleanup, a node dies while a survivor's probe hangs. */
    static final long LATE_CRASH_AT_MS = HEAL_AT_MS + 18_000;
    /** Detection (< 0.5 s), a join (members answer at once), a fencing: generous, but far below any op timeout. */
    public static final long LATE_FENCE_WITHIN_MS = 10_000;

    final long seed;
    public final SimCluster sim;
    final int nodes;
    final int resources;
    final String policy;
    final boolean grouped;
    /** Fencing: a topology (own device, then the shared pdu) or none; the pdu with a host list or asked by list. */
    final boolean topology;
    final boolean dynamicPdu;
    private final Map<String, String> ackedProperties = new LinkedHashMap<>();
    private final Map<Long, String[]> propertyWrites = new LinkedHashMap<>();
    private String violation;
    /** The late phase's victim and when it died; null before (or without a fence device). */
    private String lateVictim;
    private long lateCrashMs = -1;
    /** How long after its death the late phase's victim was fenced; -1 when that did not happen (yet). */
    public long lateFencedAfterMs = -1;
    private String logAtViolation;
    private int writes;
    /**
     * Issue 16's defences in the schedule ({@link #SimScenario(long, Scheduler, boolean)}): 2 or 4 nodes
     * with tie_breaker = arbitrator (ffsplit or lms, lowest/highest/a node), an arbitrator that goes down
     * and restarts during the faults, and mostly watchdogs with stonith-watchdog-timeout, sometimes as the
     * only way to fence. Empty for the ordinary schedules.
     */
    final String arsenal;
    /** Whether fence devices are configured (the late phase needs one). */
    final boolean devices;

    public SimScenario(long seed, Scheduler scheduler) {
        this(seed, scheduler, false);
    }

    public SimScenario(long seed, Scheduler scheduler, boolean withArsenal) {
        this(seed, scheduler, withArsenal, 0);
    }

    /**
     * With {@code fixedNodes > 0}, a cluster of exactly that many nodes (HundredNodeSimulationTest); the
     * seed draws everything else as for 3–7 nodes, so existing seeds keep their schedules.
     */
    public SimScenario(long seed, Scheduler scheduler, int fixedNodes) {
        this(seed, scheduler, false, fixedNodes);
    }

    private SimScenario(long seed, Scheduler scheduler, boolean withArsenal, int fixedNodes) {
        this.seed = seed;
        java.util.Random r = new java.util.Random(seed ^ 0x5DEECE66DL);
        int drawn = withArsenal ? (r.nextBoolean() ? 2 : 4) : 3 + r.nextInt(5);
        this.nodes = fixedNodes > 0 ? fixedNodes : drawn;
        this.resources = 2 + r.nextInt(5);
        int p = r.nextInt(10);
        this.policy = p < 6 ? "stop" : p < 8 ? "freeze" : p < 9 ? "demote" : "suicide";
        this.grouped = r.nextBoolean();
        this.topology = r.nextBoolean();
        this.dynamicPdu = r.nextBoolean();
        if (withArsenal) {
            boolean lms = r.nextInt(3) == 0;
            int t = r.nextInt(3);
            String tieBreaker = t == 0 ? "lowest" : t == 1 ? "highest" : "node" + (1 + r.nextInt(nodes));
            boolean watchdog = r.nextInt(4) != 0;
            this.devices = !watchdog || r.nextBoolean();
            this.arsenal = " arbitrator " + (lms ? "lms" : "ffsplit") + "/" + tieBreaker
                    + (watchdog ? " watchdog 1500 ms, stonith-watchdog-timeout 7s" : "") + (devices ? "" : ", no fence device");
            this.sim = new SimCluster(seed, nodes, initialCib(nodes, resources, policy, grouped, topology, dynamicPdu,
                    devices, watchdog ? "<nvpair id=\"o-swt\" name=\"stonith-watchdog-timeout\" value=\"7s\"/>" : ""),
                    scheduler);
            sim.quorum = new QuorumConfig(false, false, QuorumConfig.TieBreaker.arbitrator("arbitrator.sim:5403",
                    new QuorumConfig.Arbitration(lms ? QuorumConfig.Arbitration.Algorithm.LMS
                            : QuorumConfig.Arbitration.Algorithm.FFSPLIT, tieBreaker)));
            sim.watchdogTimeoutMs = watchdog ? 1500 : 0;
            sim.arbitratorUp();
        } else {
            this.devices = !Boolean.getBoolean("pulse.sim.nodevice");
            this.arsenal = "";
            // At 100 nodes a device per node would make every transition probe 100 devices on 100 nodes
            // (10,000 probes a schedule, minutes of CPU each): there the shared pdu alone fences.
            this.sim = new SimCluster(seed, nodes, initialCib(nodes, resources, policy, grouped, topology, dynamicPdu,
                    devices, "", fixedNodes <= 0), scheduler);
        }
        if (devices && r.nextBoolean() && fixedNodes <= 0) {
            // One node's own device is broken for the whole run: the pdu must do (level 2, or next device).
            sim.brokenDevices.add("fence-node" + (1 + r.nextInt(nodes)));
        }
    }

    /** The real policy engine (the default), or with -Dpulse.sim.scheduler=simple the small stand-in. */
    public static Scheduler scheduler() {
        return "simple".equals(System.getProperty("pulse.sim.scheduler")) ? new SimScheduler()
                : new org.pulse.crmd.controller.PolicyEngineScheduler();
    }

    public static Cib initialCib(int nodes, int resources, String policy, boolean grouped) {
        return initialCib(nodes, resources, policy, grouped, false, false);
    }

    /**
     * Fencing as a user sets it up: a device per node (fence-nodeN, pcmk_host_list=nodeN) and a
     * shared "pdu" for every node (a host list, or dynamic-list: the switch's list names them all),
     * with a topology (the node's own device, then the pdu) or without (the own device has the
     * higher priority). Fencing runs time out after 5 s (fencing-timeout) and stop after 3 failed
     * attempts (stonith-max-attempts), so that a broken device costs seconds, not minutes.
     */
    public static Cib initialCib(int nodes, int resources, String policy, boolean grouped, boolean topology,
            boolean dynamicPdu) {
        return initialCib(nodes, resources, policy, grouped, topology, dynamicPdu,
                !Boolean.getBoolean("pulse.sim.nodevice"), "");
    }

    public static Cib initialCib(int nodes, int resources, String policy, boolean grouped, boolean topology,
            boolean dynamicPdu, boolean devices, String extraProperties) {
        return initialCib(nodes, resources, policy, grouped, topology, dynamicPdu, devices, extraProperties, true);
    }

    /** As above; {@code perNodeDevices} false: the shared pdu is the only device (100-node schedules). */
    public static Cib initialCib(int nodes, int resources, String policy, boolean grouped, boolean topology,
            boolean dynamicPdu, boolean devices, String extraProperties, boolean perNodeDevices) {
        StringBuilder sb = new StringBuilder();
        sb.append("<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">")
                .append("<configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">")
                .append("<nvpair id=\"o-nqp\" name=\"no-quorum-policy\" value=\"").append(policy).append("\"/>")
                .append("<nvpair id=\"o-ft\" name=\"fencing-timeout\" value=\"5s\"/>")
                .append("<nvpair id=\"o-sma\" name=\"stonith-max-attempts\" value=\"3\"/>").append(extraProperties)
                .append("</cluster_property_set></crm_config><nodes>");
        for (int i = 1; i <= nodes; i++) {
            sb.append("<node id=\"node").append(i).append("\" uname=\"node").append(i).append("\"/>");
        }
        sb.append("</nodes><resources>");
        StringBuilder levels = new StringBuilder();
        if (devices) {
            List<String> all = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                String n = "node" + i;
                all.add(n);
                if (!perNodeDevices) {
                    continue;
                }
                sb.append(device("fence-" + n, n, 2));
                levels.append("<fencing-level id=\"fl-").append(n).append("-1\" target=\"").append(n)
                        .append("\" index=\"1\" devices=\"fence-").append(n).append("\"/>");
            }
            sb.append(device("pdu", dynamicPdu ? null : String.join(" ", all), 1));
            levels.append("<fencing-level id=\"fl-all-2\" target-pattern=\"^node[0-9]+$\" index=\"2\""
                    + " devices=\"pdu\"/>");
        }
        for (int i = 1; i <= resources; i++) {
            if (grouped && i == 1) {
                // rsc1 and rsc2 as a group: ordered starts and stops, one node.
                sb.append("<group id=\"grp\">");
            }
            sb.append("<primitive id=\"rsc").append(i).append("\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">")
                    .append("<operations><op id=\"rsc").append(i).append("-mon\" name=\"monitor\" interval=\"10s\"")
                    .append(" timeout=\"20s\"/></operations></primitive>");
            if (grouped && i == 2) {
                sb.append("</group>");
            }
        }
        sb.append("</resources><constraints/>");
        if (topology && levels.length() > 0) {
            sb.append("<fencing-topology>").append(levels).append("</fencing-topology>");
        }
        sb.append("</configuration><status/></cib>");
        try {
            return Cib.of(XmlParser.parse("sim", sb.toString()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String device(String id, String hostList, int priority) {
        return "<primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + (hostList == null ? "" : "<instance_attributes id=\"" + id + "-ia\"><nvpair id=\"" + id
                + "-hl\" name=\"pcmk_host_list\" value=\"" + hostList + "\"/></instance_attributes>")
                + "<meta_attributes id=\"" + id + "-ma\"><nvpair id=\"" + id + "-pr\" name=\"priority\" value=\""
                + priority + "\"/></meta_attributes></primitive>";
    }

    public String describe() {
        return "seed=" + seed + " nodes=" + nodes + " resources=" + resources + (grouped ? " (rsc1+rsc2 grouped)" : "")
                + " no-quorum-policy=" + policy + (topology ? " topology" : "") + (dynamicPdu ? " dynamic-list pdu" : "")
                + (sim.brokenDevices.isEmpty() ? "" : " broken " + sim.brokenDevices) + arsenal;
    }

    public String run() {
        for (SimCluster.Host h : sim.hosts) {
            sim.at(sim.random.nextInt(200), () -> sim.startCrmd(h));
        }
        long t = FAULTS_FROM_MS;
        while (t < FAULTS_UNTIL_MS) {
            final long at = t;
            sim.at(at, this::randomFault);
            t += 500 + sim.random.nextInt(4000);
        }
        sim.at(HEAL_AT_MS, this::heal);
        sim.at(HEAL_AT_MS + 8_000, this::cleanup);
        sim.startWatchdogs();
        if (devices) {
            sim.at(LATE_CRASH_AT_MS - 500, this::lateHangThenCrash);
        }
        sim.runUntil(END_MS, this::checkInvariants);
        if (violation == null) {
            checkConvergence();
        }
        return violation;
    }

    private void fail(String what) {
        if (violation == null) {
            violation = "at " + sim.nowMs + " ms: " + what;
            logAtViolation = sim.recentLog();
        }
    }

    /** The simulation's recent log when the first invariant broke (or now, when none did). */
    public String log() {
        return logAtViolation != null ? logAtViolation : sim.recentLog();
    }

    // ---- faults

    private void randomFault() {
        if (!arsenal.isEmpty() && sim.random.nextInt(6) == 0) {
            // The arbitrator's machine dies, and comes back later having forgotten every vote it gave.
            sim.arbitratorDown();
            sim.at(2000 + sim.random.nextInt(10_000), sim::arbitratorUp);
            return;
        }
        int kind = sim.random.nextInt(110);
        SimCluster.Host h = sim.randomHost();
        if (kind >= 105) {
            // The view changes again while the join of the last one runs (a flapping link).
            List<String> names = new ArrayList<>();
            sim.hosts.forEach(x -> names.add(x.name));
            Collections.shuffle(names, sim.random);
            int cut = 1 + sim.random.nextInt(names.size() - 1);
            sim.partition(List.of(names.subList(0, cut), names.subList(cut, names.size())));
            sim.at(50 + sim.random.nextInt(350), sim::heal);
        } else if (kind >= 100) {
            // A stuck crmd event thread, sometimes for longer than join-integration-timeout.
            sim.freeze(h, 1000 + sim.random.nextInt(11_000));
        } else if (kind < 15) {
            sim.crashCrmd(h);
            sim.at(500 + sim.random.nextInt(4500), () -> sim.startCrmd(h));
        } else if (kind < 27) {
            sim.powerOff(h, "power loss");
            sim.at(1000 + sim.random.nextInt(4000), () -> sim.powerOn(h));
        } else if (kind < 42) {
            List<String> names = new ArrayList<>();
            sim.hosts.forEach(x -> names.add(x.name));
            Collections.shuffle(names, sim.random);
            int cut = 1 + sim.random.nextInt(names.size() - 1);
            sim.partition(List.of(names.subList(0, cut), names.subList(cut, names.size())));
            sim.at(1000 + sim.random.nextInt(7000), sim::heal);
        } else if (kind < 52) {
            if (!h.running.isEmpty()) {
                String r = h.running.iterator().next();
                h.running.remove(r);
                sim.trace(h.name + " resource " + r + " died");
            }
        } else if (kind < 72) {
            propertyWrite(h);
        } else if (kind < 76) {
            sim.maxMessageDelayMs = 200 + sim.random.nextInt(400);
            sim.trace("network slow: messages take up to " + sim.maxMessageDelayMs + " ms");
            sim.at(1000 + sim.random.nextInt(3000), () -> {
                sim.maxMessageDelayMs = 15;
                sim.trace("network fast again");
            });
        } else if (kind < 80) {
            sim.startFailureRate = 0.15;
            sim.stopFailureRate = 0.03;
            sim.hangRate = 0.02;
            sim.fenceFailureRate = 0.3;
            sim.fenceHangRate = 0.1;
            sim.neverReturnRate = 0.03;
            sim.trace("agents start failing");
            sim.at(2000 + sim.random.nextInt(4000), () -> {
                sim.startFailureRate = 0;
                sim.stopFailureRate = 0;
                sim.hangRate = 0;
                sim.fenceFailureRate = 0;
                sim.fenceHangRate = 0;
                sim.neverReturnRate = 0;
                sim.trace("agents behave again");
            });
        } else if (kind < 90) {
            for (SimCluster.Host x : sim.hosts) {
                Controller c = SimCluster.controller(x);
                if (c != null && c.isDc()) {
                    sim.crashCrmd(x);
                    sim.at(500 + sim.random.nextInt(3000), () -> sim.startCrmd(x));
                    break;
                }
            }
        } else {
            String rsc = "rsc" + (1 + sim.random.nextInt(resources));
            if (h.alive()) {
                String value = sim.random.nextBoolean() ? "Stopped" : null;
                sim.admin(h, new AdminCommand.Write(new CibEdit.ResourceMeta(rsc, "target-role", value), false));
            }
        }
    }

    private void propertyWrite(SimCluster.Host h) {
        if (!h.alive()) {
            return;
        }
        String name = "sim-w" + (++writes);
        String value = Long.toString(sim.nowMs);
        long id = sim.admin(h, new AdminCommand.Write(new CibEdit.ClusterProperty(name, value), false));
        propertyWrites.put(id, new String[] {name, value});
    }

    private void heal() {
        sim.heal();
        sim.arbitratorUp();
        sim.maxMessageDelayMs = 15;
        sim.startFailureRate = 0;
        sim.stopFailureRate = 0;
        sim.hangRate = 0;
        sim.fenceFailureRate = 0;
        sim.fenceHangRate = 0;
        sim.neverReturnRate = 0;
        for (SimCluster.Host h : sim.hosts) {
            if (!h.powered) {
                sim.powerOn(h);
            } else {
                sim.startCrmd(h);
            }
        }
    }

    /** The operator clears failures and restores every resource's target-role once the cluster is whole. */
    private void cleanup() {
        SimCluster.Host h = sim.randomHost();
        Controller c = SimCluster.controller(h);
        if (c == null || !c.joined()) {
            sim.at(1000, this::cleanup);
            return;
        }
        long id = sim.admin(h, new AdminCommand.Write(new CibEdit.Cleanup(null, null), false));
        for (int i = 1; i <= resources; i++) {
            sim.admin(h, new AdminCommand.Write(new CibEdit.ResourceMeta("rsc" + i, "target-role", null), false));
        }
        sim.at(3000, () -> {
            SimCluster.AdminOutcome o = sim.adminResults.get(id);
            if (o == null || o.result() == null || !o.result().ok()) {
                cleanup();
            }
        });
    }

    /**
     * Liveness while an operation hangs: a survivor's operations never return for a few seconds, and one
     * is made to run (a cleanup re-probes a resource there); then another node loses power. The survivor
     * answers the join at once, so the dead node is fenced within {@link #LATE_FENCE_WITHIN_MS}; the hung
     * probe times out at the DC later and is recovered from before the end.
     */
    private void lateHangThenCrash() {
        List<SimCluster.Host> alive = sim.hosts.stream().filter(SimCluster.Host::alive).toList();
        SimCluster.Host survivor = null;
        for (SimCluster.Host h : alive) {
            Controller c = SimCluster.controller(h);
            if (c != null && !c.isDc() && !h.running.stream().filter(r -> r.startsWith("rsc")).toList().isEmpty()) {
                survivor = h;
                break;
            }
        }
        if (survivor == null) {
            sim.trace("late phase skipped: no non-DC node runs a resource");
            return;
        }
        SimCluster.Host s = survivor;
        List<SimCluster.Host> victims = alive.stream().filter(h -> h != s).toList();
        SimCluster.Host victim = victims.get(sim.random.nextInt(victims.size()));
        String rsc = s.running.stream().filter(r -> r.startsWith("rsc")).findFirst().orElseThrow();
        s.opsNeverReturnUntilMs = sim.nowMs + 3_000;
        sim.trace("late phase: " + s.name + "'s operations never return for 3 s; cleaning up " + rsc + " there");
        sim.admin(s, new AdminCommand.Write(new CibEdit.Cleanup(rsc, s.name), false));
        sim.at(500, () -> {
            if (!victim.alive()) {
                return;
            }
            lateVictim = victim.name;
            lateCrashMs = sim.nowMs;
            sim.powerOff(victim, "late crash while " + s.name + " has an operation that never returns");
            sim.at(15_000, () -> sim.powerOn(victim));
        });
    }

    // ---- invariants

    /** Per DC incarnation: the transition in progress and since when, to catch one that never ends. */
    private final Map<String, long[]> transitionSince = new java.util.HashMap<>();
    static final long MAX_TRANSITION_MS = 60_000;

    private void checkInvariants() {
        if (!sim.fenceViolations.isEmpty()) {
            fail(sim.fenceViolations.get(0));
        }
        checkFenceRunsEnd();
        if (lateVictim != null && sim.lastFencedAtMs.getOrDefault(lateVictim, -1L) >= lateCrashMs) {
            lateFencedAfterMs = sim.lastFencedAtMs.get(lateVictim) - lateCrashMs;
            sim.trace("late phase: " + lateVictim + " fenced " + lateFencedAfterMs + " ms after it died");
            lateVictim = null;
        }
        if (lateVictim != null && sim.nowMs > lateCrashMs + LATE_FENCE_WITHIN_MS
                && sim.lastFencedAtMs.getOrDefault(lateVictim, -1L) < lateCrashMs) {
            fail(lateVictim + " died at " + lateCrashMs + " ms while an operation hung on a survivor, and was not"
                    + " fenced within " + LATE_FENCE_WITHIN_MS + " ms");
            lateVictim = null;
        }
        for (SimCluster.Host h : sim.hosts) {
            Controller c = SimCluster.controller(h);
            String key = h.name + "#" + h.incarnation;
            long id = c == null ? -1 : c.transitionId();
            if (id < 0) {
                transitionSince.remove(key);
                continue;
            }
            long[] seen = transitionSince.get(key);
            if (seen == null || seen[0] != id) {
                transitionSince.put(key, new long[] {id, sim.nowMs});
            } else if (sim.nowMs - seen[1] > MAX_TRANSITION_MS) {
                fail("transition " + id + " on " + h.name + " has not ended after " + MAX_TRANSITION_MS / 1000
                        + " s: " + c.status().transition());
            }
        }
        for (int i = 1; i <= resources; i++) {
            String rsc = "rsc" + i;
            List<String> on = new ArrayList<>();
            for (SimCluster.Host h : sim.hosts) {
                if (h.powered && h.running.contains(rsc)) {
                    on.add(h.name);
                }
            }
            if (on.size() > 1) {
                fail(rsc + " is active on " + on + ", nodes that are all powered (never fenced)");
            }
        }
        int commanding = 0;
        List<String> dcs = new ArrayList<>();
        // Joined members per view, counted once per event (not once per member: 100-node schedules).
        Map<String, Integer> joinedPerView = new java.util.HashMap<>();
        for (SimCluster.Host o : sim.hosts) {
            Controller oc = SimCluster.controller(o);
            if (oc != null && oc.joined()) {
                joinedPerView.merge(oc.view().id(), 1, Integer::sum);
            }
        }
        for (SimCluster.Host h : sim.hosts) {
            Controller c = SimCluster.controller(h);
            if (c == null || !c.hasConfirmedQuorum()) {
                continue;
            }
            int joined = joinedPerView.getOrDefault(c.view().id(), 0);
            if (joined * 2 > nodes) {
                commanding++;
                dcs.add(h.name + "@" + c.view().id());
            }
        }
        if (commanding > 1) {
            fail("more than one DC commands a majority of joined nodes: " + dcs);
        }
        for (Map.Entry<Long, String[]> w : propertyWrites.entrySet()) {
            SimCluster.AdminOutcome o = sim.adminResults.get(w.getKey());
            if (o != null && o.result() != null && o.result().ok()) {
                ackedProperties.putIfAbsent(w.getValue()[0], w.getValue()[1]);
            }
        }
    }

    /**
     * Every fencing run a DC sent ends: by its deadline the DC (same incarnation, still DC of that view)
     * has it in its fence history (success, failed, timed out, executor left), or that DC is gone.
     */
    private void checkFenceRunsEnd() {
        for (java.util.Iterator<SimCluster.SentFence> it = sim.sentFences.iterator(); it.hasNext(); ) {
            SimCluster.SentFence f = it.next();
            SimCluster.Host dc = sim.host(f.dc());
            Controller c = SimCluster.controller(dc);
            if (c == null || dc.incarnation != f.incarnation() || !c.isDc() || !c.view().id().equals(f.viewId())) {
                it.remove();   // that DC's transition is gone; the next DC plans afresh
                continue;
            }
            long sentEpochMs = SimCluster.EPOCH_MS + f.sentMs();
            boolean ended = c.fenceHistory().stream().anyMatch(e -> e.target().equals(f.target())
                    && e.device().equals(f.device()) && e.executor().equals(f.executor())
                    && e.atEpochMs() >= sentEpochMs);
            if (ended) {
                it.remove();
            } else if (sim.nowMs > f.deadlineMs()) {
                fail("fencing " + f.target() + " with " + f.device() + " on " + f.executor() + ", sent by " + f.dc()
                        + " at " + f.sentMs() + " ms, has not ended by " + f.deadlineMs() + " ms");
                it.remove();
            }
        }
    }

    private void checkConvergence() {
        Controller dc = null;
        for (SimCluster.Host h : sim.hosts) {
            Controller c = SimCluster.controller(h);
            if (c == null) {
                fail(h.name + " is not up after healing");
                return;
            }
            if (c.isDc()) {
                if (dc != null) {
                    fail("two DCs after healing: " + dc.nodeName() + " and " + c.nodeName());
                    return;
                }
                dc = c;
            }
        }
        if (dc == null || !dc.hasConfirmedQuorum()) {
            fail("no DC with quorum after healing");
            return;
        }
        if (dc.transitionInProgress()) {
            fail("a transition is still in progress long after healing: " + dc.status().transition());
            return;
        }
        String reference = dc.cib().toXml();
        for (SimCluster.Host h : sim.hosts) {
            Controller c = h.controller;
            if (!c.joined() || !c.view().id().equals(dc.view().id())) {
                fail(h.name + " is not joined to the DC's view " + dc.view().id() + " after healing");
                return;
            }
            if (!c.cib().toXml().equals(reference)) {
                fail(h.name + " has CIB " + c.cib().version() + " but the DC has " + dc.cib().version());
                return;
            }
        }
        for (int i = 1; i <= resources; i++) {
            String rsc = "rsc" + i;
            int count = 0;
            for (SimCluster.Host h : sim.hosts) {
                if (h.running.contains(rsc)) {
                    count++;
                }
            }
            if (count != 1) {
                fail(rsc + " runs on " + count + " nodes after healing (expected exactly 1); blocked: "
                        + dc.status().blocked());
                return;
            }
        }
        if (grouped) {
            String on1 = null;
            String on2 = null;
            for (SimCluster.Host h : sim.hosts) {
                on1 = h.running.contains("rsc1") ? h.name : on1;
                on2 = h.running.contains("rsc2") ? h.name : on2;
            }
            if (on1 == null || !on1.equals(on2)) {
                fail("group members rsc1 and rsc2 run apart after healing: " + on1 + " and " + on2);
                return;
            }
        }
        XmlElement crmConfig = dc.cib().root().element("configuration").flatMap(x -> x.element("crm_config"))
                .orElseThrow();
        Map<String, String> props = new LinkedHashMap<>();
        crmConfig.elements("cluster_property_set").forEach(s -> s.elements("nvpair")
                .forEach(nv -> props.put(nv.attr("name"), nv.attr("value"))));
        for (Map.Entry<String, String> e : ackedProperties.entrySet()) {
            if (!e.getValue().equals(props.get(e.getKey()))) {
                fail("acknowledged change " + e.getKey() + "=" + e.getValue() + " is lost (CIB has "
                        + props.get(e.getKey()) + ")");
                return;
            }
        }
        long acked = sim.adminResults.values().stream().filter(o -> o.result() != null && o.result().ok()).count();
        if (acked == 0) {
            fail("no admin write was ever acknowledged");
        }
    }

    long ackedWrites() {
        return ackedProperties.size();
    }

}
