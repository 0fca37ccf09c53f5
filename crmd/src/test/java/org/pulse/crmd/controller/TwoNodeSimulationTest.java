package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;

/**
 * Seeded schedules of a two-node cluster with two_node (so wait_for_all): the cluster link is cut
 * and healed, crmd crashes, fenced nodes boot again (alone while the link is cut), and time moves
 * on so that fence delays run out. Fencing powers the target off at once (its resources stop, its
 * controller is gone). After every step: d1 is never active on both nodes while both are powered
 * and unfenced; a node that booted while the link was cut fences nobody until it has seen its peer
 * (wait_for_all); with the usual setup (a delay for fencing a) the two nodes are never both off at
 * once, i.e. a split never ends with both fenced. At the end, with everything healed, d1 runs on
 * exactly one node. The fence device has that fixed per-target delay or a random one
 * (pcmk_delay_max) drawn from each controller's seed.
 * {@code -Dpulse.twonode.seed=N -Dpulse.twonode.schedules=M} explores others.
 */
class TwoNodeSimulationTest {
    static final List<String> NODES = List.of("a", "b");
    static final QuorumConfig TWO_NODE = new QuorumConfig(true, true, QuorumConfig.TieBreaker.NONE);

    @Test
    void neverActiveTwiceAndConvergesAfterHealing() throws Exception {
        long first = Long.getLong("pulse.twonode.seed", 20261122L);
        int schedules = Integer.getInteger("pulse.twonode.schedules", 150);
        System.out.println("TwoNodeSimulationTest: " + schedules + " schedules from seed " + first);
        int[] totals = new int[3];
        for (long seed = first; seed < first + schedules; seed++) {
            int[] f = run(seed);
            for (int i = 0; i < 3; i++) {
                totals[i] += f[i];
            }
        }
        System.out.println("TwoNodeSimulationTest: " + totals[0] + " fencings, " + totals[1] + " splits, " + totals[2]
                + " reboots");
        assertTrue(totals[0] > schedules / 2, "the schedules hardly fenced: " + totals[0]);
    }

    /** One schedule; returns {fencings, splits, reboots}. */
    static int[] run(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        boolean fixedDelay = random.nextBoolean();
        String device = fixedDelay ? SplitBrainTest.fence("pcmk_delay_base", "a:5s")
                : SplitBrainTest.fence("pcmk_delay_base", "1s", "pcmk_delay_max", "8s");
        Cib start = ControllerTest.cib(ControllerTest.DUMMY + device, "");
        Sim s = new Sim(seed, start);
        s.oneWinner = fixedDelay;
        s.connect();
        for (int step = 0; step < 25; step++) {
            int what = random.nextInt(6);
            switch (what) {
                case 0 -> s.cut();
                case 1 -> s.heal();
                case 2 -> s.crashCrmd(NODES.get(random.nextInt(2)));
                case 3 -> s.boot(NODES.get(random.nextInt(2)));
                default -> s.advance(random.nextLong(12_000));
            }
            s.check("step " + step + " (" + what + ")");
        }
        // Liveness: heal, boot what is down, let every delay run out.
        s.heal();
        for (String n : NODES) {
            s.boot(n);
        }
        s.heal();
        s.advance(20_000);
        s.check("after healing");
        List<String> holders = s.holders();
        assertEquals(1, holders.size(), s.fail("after healing d1 must run on exactly one node, runs on " + holders));
        return new int[] {s.fencings, s.splits, s.reboots};
    }

    /** The two hosts around a MiniCluster: power, link, and what fencing does to a machine. */
    static final class Sim {
        final long seed;
        final MiniCluster c;
        final Set<String> poweredOff = new HashSet<>();
        final Map<String, Cib> disk = new HashMap<>();
        final List<String> trace = new ArrayList<>();
        boolean linkCut;
        /** Nodes that booted while the link was cut and have not been connected to their peer since. */
        final Set<String> bootedAlone = new HashSet<>();
        /** Whether both nodes being off at once is a failure (a fixed delay decides every race). */
        boolean oneWinner;
        int views;
        int fencedSoFar;
        int fencings;
        int splits;
        int reboots;
        int incarnations;

        Sim(long seed, Cib start) {
            this.seed = seed;
            this.c = SplitBrainTest.cluster(NODES, start, TWO_NODE, seed);
        }

        /** Views as JGroups would install them now: one with both, or one per live crmd. */
        void installViews() {
            List<String> up = NODES.stream().filter(c.nodes::containsKey).toList();
            if (up.isEmpty()) {
                return;
            }
            views++;
            if (!linkCut && up.size() == 2) {
                bootedAlone.clear();
                for (String n : up) {
                    c.deliver(n, new Event.ViewChanged(new View("v" + views, up)));
                }
            } else {
                for (String n : up) {
                    c.deliver(n, new Event.ViewChanged(new View("v" + views + n, List.of(n))));
                }
            }
            settle();
        }

        void connect() {
            trace.add("connect");
            installViews();
        }

        void cut() {
            if (!linkCut) {
                linkCut = true;
                splits++;
                trace.add("cut");
                installViews();
            }
        }

        void heal() {
            if (linkCut) {
                linkCut = false;
                trace.add("heal");
                installViews();
            }
        }

        /** crmd dies; what it started keeps running (the machine is up). */
        void crashCrmd(String n) {
            if (c.nodes.containsKey(n)) {
                trace.add("crash " + n);
                disk.put(n, c.nodes.get(n).cib());
                c.crash(n);
                dropTimers(n);
                installViews();
            }
        }

        /** A powered-off machine boots, or a crashed crmd starts again: a new controller with its stored CIB. */
        void boot(String n) {
            if (c.nodes.containsKey(n)) {
                return;
            }
            reboots++;
            trace.add("boot " + n);
            poweredOff.remove(n);
            dropTimers(n);
            if (linkCut) {
                bootedAlone.add(n);
            }
            c.nodes.put(n, new Controller(ControllerConfig.defaults(n, NODES).withQuorum(TWO_NODE),
                    new PolicyEngineScheduler(), disk.get(n), new SplittableRandom(seed * 31 + ++incarnations)));
            installViews();
        }

        /** Time passes in 100 ms steps so that a fence is carried out before a later delay runs out. */
        void advance(long ms) {
            trace.add("advance " + ms);
            for (long done = 0; done < ms; done += 100) {
                c.advance(Math.min(100, ms - done), "fence");
                powerOffFenced();
            }
        }

        void settle() {
            c.settle();
            powerOffFenced();
        }

        /** Fencing requests since the last look: the target machine is off, its resources with it. */
        void powerOffFenced() {
            while (fencedSoFar < c.fenceRequests.size()) {
                String target = c.fenceRequests.get(fencedSoFar++).params().get("port");
                String executor = target.equals("a") ? "b" : "a";
                fencings++;
                trace.add("fenced " + target);
                assertTrue(!bootedAlone.contains(executor), fail(executor + " booted while cut off and fenced "
                        + target + " before it ever saw it (wait_for_all)"));
                if (c.nodes.containsKey(target)) {
                    disk.put(target, c.nodes.get(target).cib());
                    c.crash(target);
                }
                dropTimers(target);
                c.running.get(target).clear();
                poweredOff.add(target);
                assertTrue(!oneWinner || poweredOff.size() < 2, fail("both nodes are fenced: the fence delay"
                        + " for a should have let exactly one side win"));
                installViews();
            }
        }

        void dropTimers(String n) {
            c.timers.keySet().removeIf(k -> k.startsWith(n + "\u0000"));
        }

        List<String> holders() {
            return NODES.stream().filter(n -> c.running.get(n).contains("d1")).toList();
        }

        void check(String when) {
            List<String> holders = holders().stream().filter(n -> !poweredOff.contains(n)).toList();
            assertTrue(holders.size() <= 1, fail(when + ": d1 is active on two powered, unfenced nodes " + holders));
        }

        String fail(String what) {
            return "seed " + seed + ": " + what + "\ntrace " + trace + "\nlog (last 40):\n"
                    + String.join("\n", c.log.subList(Math.max(0, c.log.size() - 40), c.log.size()));
        }
    }
}
