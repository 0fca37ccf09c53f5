package org.pulse.tests.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.Procs;
import org.pulse.lab.support.TestEnv;

/**
 * {@code crm cluster start|status|stop|restart} on a host without systemd, as here and in
 * containers (issue 15): crm runs the daemon itself as pulse.service's ExecStart would, keeps its
 * pid in crmd.pid beside the socket, and stops it as the unit does (SIGTERM: the resources move
 * away or stop first; SIGKILL after 90 s). {@code crm cluster init} starts the node the same way.
 * A node config that is not /etc/pulse/crmd.conf is run directly on systemd hosts too, so this
 * runs everywhere, without root. Bound: about 40 s (three JVM daemon starts, a dozen crm runs).
 */
class ClusterServiceTest {
    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    @Test
    @Timeout(300)
    void initStartsTheDaemonAndStartStatusStopRestartDriveIt() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        Path dir = Files.createTempDirectory("pulse-service-");
        List<Long> started = new ArrayList<>();
        Path conf = dir.resolve("crmd.conf");
        try {
            int port = Ports.freeBase(10);
            Files.writeString(conf, "key = " + dir.resolve("authkey") + "\n"
                    + "data_dir = " + dir.resolve("data") + "\n"
                    + "socket = " + dir.resolve("run/crmd.sock") + "\n"
                    + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                    + "ha_rsctmp = " + dir.resolve("rsctmp") + "\n"
                    + "http = off\n");
            String c = conf.toString();
            long t0 = System.nanoTime();
            Map.Entry<Integer, String> r = crm(repo, "cluster", "init", "--name", "svc", "--node", "s1", "--address",
                    "127.0.0.1:" + port, "--config", c);
            assertEquals(0, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("started pulse (pid "), r.getValue());
            long pid = pid(r.getValue());
            started.add(pid);
            System.out.printf("ClusterServiceTest: init + start answered after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            Path pidFile = dir.resolve("run/crmd.pid");
            assertEquals(Long.toString(pid), Files.readString(pidFile).strip());
            assertTrue(Files.exists(dir.resolve("crmd.log")), "the daemon's log beside a non-default config");

            r = crm(repo, "cluster", "status", "--config", c);
            assertEquals(0, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("running (pid " + pid), r.getValue());
            // a second start finds it running and starts nothing
            r = crm(repo, "cluster", "start", "--config", c);
            assertEquals(0, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("running already (pid " + pid), r.getValue());

            String sock = "--socket=" + dir.resolve("run/crmd.sock");
            assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> FailoverAdmin.joinedWithQuorum(
                    new FailoverAdmin().status(dir.resolve("run/crmd.sock")))), "s1 did not become a quorate DC");
            untilApplied(repo, sock, "configure", "property", "stonith-enabled=false");
            untilApplied(repo, sock, "configure", "primitive", "d1", "ocf:pulse:Dummy", "op", "monitor", "interval=2s");
            assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30),
                    () -> "s1".equals(FailoverAdmin.runningOn(new FailoverAdmin().status(dir.resolve("run/crmd.sock")), "d1"))),
                    "d1 did not start");

            // restart: a clean stop (d1 stopped first), then a new daemon
            t0 = System.nanoTime();
            r = crm(repo, "cluster", "restart", "--config", c);
            assertEquals(0, r.getKey(), r.getValue());
            System.out.printf("ClusterServiceTest: restart took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertFalse(Procs.running(pid) && isCrmd(pid), "old daemon alive");
            long pid2 = pid(r.getValue().substring(r.getValue().indexOf("started pulse")));
            started.add(pid2);
            assertTrue(pid2 != pid, r.getValue());
            String log = Files.readString(dir.resolve("crmd.log"));
            assertTrue(log.contains("d1_stop_0") && log.contains("clean shutdown granted"),
                    "the restart's stop did not stop d1 first: " + log);

            t0 = System.nanoTime();
            r = crm(repo, "cluster", "stop", "--config", c);
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("ClusterServiceTest: stop took %d ms%n", stopMs);
            assertEquals(0, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("stopped pulse in"), r.getValue());
            assertFalse(Files.exists(pidFile), "pid file left after stop");
            r = crm(repo, "cluster", "status", "--config", c);
            assertEquals(3, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("not running"), r.getValue());
            r = crm(repo, "cluster", "stop", "--config", c);
            assertEquals(0, r.getKey(), "stopping a stopped node is no error: " + r.getValue());

            // a pid file naming a live process that is not a crmd (pid reuse after a crash) is not trusted
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
            r = crm(repo, "cluster", "status", "--config", c);
            assertEquals(3, r.getKey(), r.getValue());
            // a daemon that cannot start is reported with its log's end, not waited for
            Files.writeString(conf, Files.readString(conf) + "no_such_key = 1\n");
            r = crm(repo, "cluster", "start", "--config", c);
            assertEquals(1, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("the daemon exited with") && r.getValue().contains("no_such_key"), r.getValue());
        } finally {
            for (long p : started) {
                ProcessHandle.of(p).filter(h -> isCrmd(p)).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
            if (!Boolean.getBoolean("pulse.keep")) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static boolean isCrmd(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).contains("org.pulse.crmd.Main");
        } catch (Exception e) {
            return false;
        }
    }

    private static long pid(String out) {
        Matcher m = PID.matcher(out);
        assertTrue(m.find(), "no pid in: " + out);
        return Long.parseLong(m.group(1));
    }

    private static void untilApplied(Path repo, String... args) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map.Entry<Integer, String> r = crm(repo, args);
        while (r.getKey() != 0 && r.getValue().contains("changed by someone else") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            r = crm(repo, args);
        }
        assertEquals(0, r.getKey(), String.join(" ", args) + ": " + r.getValue());
    }

    /** bin/crm with these arguments; exit code and output (stdout and stderr); 150 s at most (a stop is 90). */
    static Map.Entry<Integer, String> crm(Path repo, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/crm").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("crm-out", ".txt");
        try {
            // output to a file: the daemon crm starts inherits nothing of ours to hold open
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return Map.entry(-1, Files.readString(out, StandardCharsets.UTF_8));
            }
            return Map.entry(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
