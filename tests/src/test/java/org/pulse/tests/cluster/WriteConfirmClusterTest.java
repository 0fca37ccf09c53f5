package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * Three real crmd processes on loopback; the DC confirms a write only once every member stored it,
 * and gives up on it only when the members that owe it stop moving (issue 17). The members are
 * frozen with SIGSTOP (a starved machine's worst case) while failure detection is long enough
 * (6 s) that they stay in the view, and the confirmation deadlines are scaled down (idle 0.8 s, cap
 * 5 s) so that the test is short:
 * <ul>
 * <li>both members frozen, thawed 0.5 s and 1 s after the write: answered "stored by all 3" after
 *     more than the idle window (the old fixed deadline of that length refused it);</li>
 * <li>one member awake, the other frozen: answered timed out about 0.8 s after the awake
 *     one's ack, naming the frozen member; the DC kept the change, and the frozen one has it once
 *     thawed. The DC's ack lane (which answers a writer as the last ack lands, off the event thread)
 *     must not answer it either: the frozen member stored nothing;</li>
 * <li>a write to a member, forwarded to the DC: answered "stored by all 3", by the DC's ack lane
 *     (its counter in /metrics), the answer sent back to the member over the cluster.</li>
 * </ul>
 * Bounded: forming ~15 s, each case a few seconds (the DC's answers bound them); about 35 s in all.
 */
class WriteConfirmClusterTest {
    private static final long IDLE_MS = 800;
    /**
     * Long enough that a member frozen for 1 s stays in the view (heartbeats every 0.6 s; suspected only after
     * 1.5 s of silence and a 0.6 s check: 0.35 D), short enough that the cluster forms within the test's bound
     * (JGroups waits 2 D for a coordinator: 12 s; at 10 or 20 s forming alone took past 60 s at load 20).
     */
    private static final long FAILURE_DETECTION_MS = 6_000;

    @Test
    void aWriteLivesWhileFrozenMembersCatchUpAndEndsWhenTheyStopMoving() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        Path dir = Files.createTempDirectory("pulse-confirm-");
        int basePort = Ports.freeBase(10);
        List<Long> frozen = new ArrayList<>();
        try (LocalCluster c = LocalCluster.start(repo, dir, 3, basePort, FAILURE_DETECTION_MS,
                i -> "cib_confirm_idle_ms = " + IDLE_MS + "\ncib_confirm_cap_ms = 5000\n")) {
            long startNs = System.nanoTime();
            assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> c.agreedDc(1, 2, 3) != null),
                    "no DC within 60 s; logs in " + dir);
            System.out.printf("FIGURE confirm cluster formed in %d ms%n", (System.nanoTime() - startNs) / 1_000_000);
            int dc = Integer.parseInt(c.agreedDc(1, 2, 3).substring("node".length()));
            List<Integer> members = new ArrayList<>(List.of(1, 2, 3));
            members.remove(Integer.valueOf(dc));
            int x = members.get(0);
            int y = members.get(1);
            assertTrue(c.admin(dc, property(c, "warm", "1")).ok(), "a first write with every member awake");

            // 1. Both members frozen; their acks trickle in after the write, the last past the idle window.
            signal("STOP", c.pid(x), frozen);
            signal("STOP", c.pid(y), frozen);
            long t0 = System.nanoTime();
            CompletableFuture<AdminResponse> w1 = write(c, dc, "trickle", "1");
            Thread.sleep(500);
            signal("CONT", c.pid(x), frozen);
            Thread.sleep(500);
            signal("CONT", c.pid(y), frozen);
            AdminResponse r1 = w1.get(20, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("FIGURE confirm trickle: answered %s after %d ms (idle window %d ms)%n",
                    r1.ok() ? "ok" : r1.error(), tookMs, IDLE_MS);
            assertTrue(r1.ok(), () -> "refused although every member acknowledged in turn: " + r1.error());
            assertTrue(tookMs > IDLE_MS, "answered after " + tookMs + " ms: the members were frozen, the case"
                    + " did not test the extension");
            assertTrue(FailoverAdmin.str(r1.result(), "message").contains("stored by all 3"),
                    FailoverAdmin.str(r1.result(), "message"));
            long byLane = answeredByLane(c, dc);
            assertTrue(byLane >= 1, "the DC's ack lane answered none of the writes so far: " + byLane);

            // 2. x awake, y frozen until the answer came: timed out, naming y; the DC keeps it.
            signal("STOP", c.pid(y), frozen);
            t0 = System.nanoTime();
            CompletableFuture<AdminResponse> w2 = write(c, dc, "stuck", "1");
            AdminResponse r2 = w2.get(20, TimeUnit.SECONDS);
            long endedMs = (System.nanoTime() - t0) / 1_000_000;
            signal("CONT", c.pid(y), frozen);
            System.out.printf("FIGURE confirm no progress: answered %s after %d ms (idle window %d ms)%n",
                    r2.ok() ? "ok" : r2.error(), endedMs, IDLE_MS);
            assertTrue(!r2.ok() && r2.error().code().equals("timeout"), "expected a timeout: " + r2);
            assertTrue(r2.error().message().contains("no member that still owed it")
                    && r2.error().message().contains("node" + y)
                    && r2.error().message().contains("the DC stored it"), r2.error().message());
            assertTrue(endedMs >= IDLE_MS && endedMs < 5_000, "ended after " + endedMs + " ms");
            assertTrue(cib(c, dc).contains("name=\"stuck\""), "the DC dropped the change it answered timed out");
            assertTrue(LocalCluster.waitFor(Duration.ofSeconds(15), () -> cib(c, y).contains("name=\"stuck\"")),
                    "node" + y + " never got the change after it was thawed");
            assertEquals(c.agreedDc(1, 2, 3), "node" + dc, "the DC stayed the DC");

            // 3. Through a member: forwarded, answered by the DC's ack lane over the cluster.
            long laneBefore = answeredByLane(c, dc);
            AdminResponse r3 = write(c, x, "forwarded", "1").get(20, TimeUnit.SECONDS);
            assertTrue(r3.ok() && FailoverAdmin.str(r3.result(), "message").contains("stored by all 3"), r3.toString());
            assertTrue(answeredByLane(c, dc) > laneBefore, "the forwarded write was not answered by the DC's ack lane");
        } finally {
            for (long pid : frozen) {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
            if (!Boolean.getBoolean("pulse.keep")) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The crm_config section with this property added (a configuration write: every member stores it). */
    private static AdminRequest property(LocalCluster c, String name, String value) {
        return AdminRequest.replace(c.nextId(), "<crm_config><cluster_property_set id=\"t-" + name + "\">"
                + "<nvpair id=\"t-" + name + "-nv\" name=\"" + name + "\" value=\"" + value + "\"/>"
                + "</cluster_property_set></crm_config>");
    }

    private static CompletableFuture<AdminResponse> write(LocalCluster c, int node, String name, String value) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.admin(node, property(c, name, value));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The DC's count of writers its ack lane answered (crmd's pulse_event_stage_total, stage "answered"). */
    private static long answeredByLane(LocalCluster c, int node) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + c.httpPort(node) + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String prefix = "pulse_event_stage_total{stage=\"answered\",event=\"ack_lane\"} ";
        return r.body().lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

    private static String cib(LocalCluster c, int node) {
        try {
            AdminResponse r = c.admin(node, AdminRequest.query(c.nextId()));
            return r.ok() ? FailoverAdmin.str(r.result(), "xml") : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void signal(String sig, long pid, List<Long> frozen) throws Exception {
        assertTrue(pid > 0, "no process to signal");
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
        assertEquals(0, rc, "kill -" + sig + " " + pid);
        if (sig.equals("STOP")) {
            frozen.add(pid);
        }
    }
}
