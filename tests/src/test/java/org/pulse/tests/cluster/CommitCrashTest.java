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
 * member rejoins with the cluster's CIB. Bounded: 3 rounds, each a kill, a restart and a rejoin (93 s
 * at load 56, mostly the rejoins).
 */
class CommitCrashTest {
    private static final Pattern COUNTER = Pattern.compile("name=\"crash-counter\" value=\"([0-9]+)\"");

    @Test
    void aMemberKilledMidCommitRestartsWithEveryAcknowledgedChange() throws Exception {
        Path repo = TestEnv.root();
        TestEnv.require(Files.exists(repo.resolve("crmd/target/lib")), "built jars (mvn -DskipTests package) for bin/crmd");
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
                AtomicInteger acked = new AtomicInteger(-1);
                AtomicBoolean stop = new AtomicBoolean();
                int base = round * 100_000;
                Thread writer = new Thread(() -> {
                    for (int i = base; !stop.get(); i++) {
                        try {
                            AdminResponse w = c.admin(dc, new AdminRequest(c.nextId(), "node", AdminArgs.of("action",
                                    "property-set", "name", "crash-counter", "value", Integer.toString(i))));
                            if (w.ok()) {
                                acked.set(i);
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                }, "commit-crash-writer");
                writer.start();
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> acked.get() >= base + 20),
                        "round " + round + ": the writes did not get going");
                Thread.sleep(rnd.nextInt(300));
                // Read before the kill: every change acknowledged by then is on the victim's disk.
                int ackedBeforeKill = acked.get();
                c.kill9(victim);
                stop.set(true);
                writer.join(60_000);

                CibStore store = new CibStore(dir.resolve("node" + victim).resolve("data").resolve("cib"));
                Cib onDisk = store.load().orElseThrow();
                Matcher m = COUNTER.matcher(onDisk.toXml());
                assertTrue(m.find(), "round " + round + ": node" + victim + "'s disk has no counter at all");
                int stored = Integer.parseInt(m.group(1));
                System.out.println("CommitCrashTest round " + round + ": node" + victim + " killed after change "
                        + ackedBeforeKill + " was acknowledged; its disk holds " + stored
                        + (store.journalNote() == null ? "" : "; " + store.journalNote()));
                assertTrue(stored >= ackedBeforeKill, "round " + round + ": node" + victim + " acknowledged change "
                        + ackedBeforeKill + " but its disk holds only " + stored + " (seed " + seed + ")");

                c.startNode(victim);
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null),
                        "round " + round + ": node" + victim + " did not rejoin; log " + c.log(victim));
                String dcXml = FailoverAdmin.str(c.admin(dc, AdminRequest.query(c.nextId())).result(), "xml");
                assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> counter(c, victim) == counterOf(dcXml)),
                        "round " + round + ": node" + victim + " did not catch up with the DC's CIB");
                assertEquals(counterOf(dcXml), counter(c, victim));
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
            return counterOf(FailoverAdmin.str(c.admin(node, AdminRequest.query(c.nextId())).result(), "xml"));
        } catch (Exception e) {
            return -2;
        }
    }

    private static int counterOf(String xml) {
        Matcher m = xml == null ? null : COUNTER.matcher(xml);
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
