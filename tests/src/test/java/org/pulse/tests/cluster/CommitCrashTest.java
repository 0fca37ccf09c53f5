package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.Cib;
import org.pulse.cib.CibStore;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * crmd's journaling CIB store under a real crash: while the DC commits one configuration change
 * after another, a member is killed with SIGKILL at a random moment (in the middle of a journal
 * append, as often as not: appends are most of what a member does then). Every change the DC
 * acknowledged before the kill was acknowledged by that member too, so its disk must hold it:
 * the dead member's directory, loaded as crmd loads it at start, is at least at the last
 * acknowledged change (a torn record of the one in flight discarded, and named). Restarted, the
 * member rejoins with the cluster's CIB. Rounds after the first write from three clients at once, so that
 * writes share commits (group commit) and each client's acknowledged change is checked. Bounded: 3 rounds, each a kill, a restart and a rejoin (93 s
 * at load 56, mostly the rejoins).
 */
class CommitCrashTest {
    @Test
    void aMemberKilledMidCommitRestartsWithEveryAcknowledgedChange() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("CommitCrashTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("pulse-commit-crash-");
        int basePort = Ports.freeBase(10);
        try (LocalCluster c = LocalCluster.start(repo, dir, 3, basePort)) {
            for (int round = 0; round < 3; round++) {
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null),
                        "round " + round + ": no DC; logs in " + dir);
                int dc = Integer.parseInt(c.agreedDc(1, 2, 3).substring(4));
                int victim = dc == 3 ? 2 : 3;
                // Round 0: one writer, a commit per write. Later rounds: three writers at once, so writes queue at
                // the DC and share commits (group commit): each writer's acknowledged value must be on the disk.
                int writers = round == 0 ? 1 : 3;
                AtomicInteger[] acked = new AtomicInteger[writers];
                AtomicBoolean stop = new AtomicBoolean();
                int base = round * 100_000;
                Thread[] threads = new Thread[writers];
                for (int k = 0; k < writers; k++) {
                    AtomicInteger mine = acked[k] = new AtomicInteger(-1);
                    String name = "crash-counter-" + k;
                    threads[k] = new Thread(() -> {
                        for (int i = base; !stop.get(); i++) {
                            try {
                                AdminResponse w = c.admin(dc, new AdminRequest(c.nextId(), "node", AdminArgs.of("action",
                                        "property-set", "name", name, "value", Integer.toString(i))));
                                if (w.ok()) {
                                    mine.set(i);
                                }
                            } catch (Exception e) {
                                return;
                            }
                        }
                    }, "commit-crash-writer-" + k);
                    threads[k].start();
                }
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> java.util.Arrays.stream(acked)
                        .allMatch(a -> a.get() >= base + 20)), "round " + round + ": the writes did not get going");
                Thread.sleep(rnd.nextInt(300));
                // Read before the kill: every change acknowledged by then is on the victim's disk.
                int[] ackedBeforeKill = new int[writers];
                for (int k = 0; k < writers; k++) {
                    ackedBeforeKill[k] = acked[k].get();
                }
                c.kill9(victim);
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }

                CibStore store = new CibStore(dir.resolve("node" + victim).resolve("data").resolve("cib"));
                Cib onDisk = store.load().orElseThrow();
                for (int k = 0; k < writers; k++) {
                    int stored = counterOf(onDisk.toXml(), k);
                    System.out.println("CommitCrashTest round " + round + " writer " + k + " of " + writers + ": node"
                            + victim + " killed after change " + ackedBeforeKill[k] + " was acknowledged; its disk holds "
                            + stored + (store.journalNote() == null ? "" : "; " + store.journalNote()));
                    assertTrue(stored >= ackedBeforeKill[k], "round " + round + ": node" + victim + " acknowledged"
                            + " change " + ackedBeforeKill[k] + " of writer " + k + " but its disk holds only " + stored
                            + " (seed " + seed + ")");
                }

                c.startNode(victim);
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null),
                        "round " + round + ": node" + victim + " did not rejoin; log " + c.log(victim));
                String dcXml = FailoverAdmin.str(c.admin(dc, AdminRequest.query(c.nextId())).result(), "xml");
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> counter(c, victim) == counterOf(dcXml, 0)),
                        "round " + round + ": node" + victim + " did not catch up with the DC's CIB");
                assertEquals(counterOf(dcXml, 0), counter(c, victim));
            }
        } finally {
            if (!Boolean.getBoolean("pulse.keep")) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static int counter(LocalCluster c, int node) {
        try {
            return counterOf(FailoverAdmin.str(c.admin(node, AdminRequest.query(c.nextId())).result(), "xml"), 0);
        } catch (Exception e) {
            return -2;
        }
    }

    /** Writer {@code k}'s counter in {@code xml}, -1 when there is none. */
    private static int counterOf(String xml, int k) {
        Matcher m = xml == null ? null : Pattern.compile("name=\"crash-counter-" + k + "\" value=\"([0-9]+)\"").matcher(xml);
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
