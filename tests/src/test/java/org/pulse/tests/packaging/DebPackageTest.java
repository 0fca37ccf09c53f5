package org.pulse.tests.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.NetnsLab.Result;
import org.pulse.lab.support.Ports;
import org.pulse.tests.support.PulsePackage;
import org.pulse.lab.support.TestEnv;

/**
 * The Debian package, really installed on this machine and purged again (issue 15, item 1):
 * packaging/deb/build-deb.sh builds it from the packaged modules, {@code dpkg -i} installs it,
 * {@code systemd-analyze verify} accepts the unit, every file has its owner and mode, every
 * command answers {@code --help} from its installed path, and {@code dpkg --purge} leaves only
 * directories other packages own too and the hacluster user and haclient group (Debian policy
 * keeps users). Root only; always purges, also when an assertion fails. Bound: about 30 s (one
 * dpkg-deb of ~15 MB, one install, a few JVM starts), 12 minutes at most: an install's postinst trains
 * the class-data archives (up to ~135 s by its own bounds), which at load 50-80 took more than a minute.
 */
class DebPackageTest {
    private static final Duration STEP = Duration.ofSeconds(60);

    @Test
    @Timeout(720)
    void installsVerifiesAndPurgesCleanly() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("dpkg-deb", "dpkg", "systemd-analyze", "update-alternatives", "adduser")) {
            TestEnv.requireCommand(c);
        }
        Path root = TestEnv.requireBuiltJars();
        // InstallLabTest installs the same package: one at a time (PulsePackage's lock, across JVMs too).
        try (PulsePackage held = PulsePackage.lock(Duration.ofMinutes(15))) {
            installVerifyPurge(root);
        }
    }

    private static void installVerifyPurge(Path root) throws Exception {
        Result already = run("dpkg-query", "-W", "-f=${Status}", "pulse");
        if (already.ok() && already.stdout().contains("installed")) {
            fail("a package named pulse is already installed here (" + already.stdout().strip()
                    + "); this test installs and purges its own: run dpkg --purge pulse first");
        }
        boolean crmshPresent = Files.exists(Path.of("/usr/sbin/crm"));

        Path out = Files.createTempDirectory("pulse-deb");
        try {
            Result built = run("bash", root.resolve("packaging/deb/build-deb.sh").toString(), root.toString(),
                    out.toString(), "0.1.0-SNAPSHOT");
            assertTrue(built.ok(), "build-deb.sh failed: " + built.stderr());
            Path deb = Path.of(built.stdout().strip());
            assertEquals("pulse_0.1.0~SNAPSHOT_all.deb", deb.getFileName().toString());
            String control = check("dpkg-deb", "-f", deb.toString()).stdout();
            assertTrue(control.contains("Depends: openjdk-17-jre-headless | java17-runtime-headless"), control);
            String contents = check("dpkg-deb", "-c", deb.toString()).stdout();
            for (String line : contents.split("\n")) {
                assertTrue(line.contains(" root/root "), "every file in the archive is root's: " + line);
            }
            try {
                installAndCheck(deb, crmshPresent);
            } finally {
                Result purged = dpkg("--purge", "pulse");
                assertTrue(purged.ok(), "dpkg --purge pulse failed: " + purged.stderr());
            }
            checkPurged(crmshPresent);
        } finally {
            run("rm", "-rf", out.toString());
        }
    }

    private static void installAndCheck(Path deb, boolean crmshPresent) throws Exception {
        Result installed = dpkg("-i", deb.toString());
        assertTrue(installed.ok(), "dpkg -i failed: " + installed.stderr() + installed.stdout());
        List<String> files = new ArrayList<>(List.of(check("dpkg-query", "-L", "pulse").stdout().strip().split("\n")));
        PURGE_CHECK.clear();
        PURGE_CHECK.addAll(files);

        Result verify = run("systemd-analyze", "verify", "/lib/systemd/system/pulse.service");
        String verifyOut = verify.stdout() + verify.stderr();
        assertTrue(verify.ok(), "systemd-analyze verify failed: " + verifyOut);
        for (String line : verifyOut.split("\n")) {
            assertFalse(line.contains("pulse.service"), "systemd-analyze verify complains: " + line);
        }

        // path → "type owner:group mode" (stat: %F %U:%G %a), symbolic links → "-> target".
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/lib/pulse/bin/crmd", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/crm", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/pulse-launch", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/pulse-cds", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/pulse-shim", "regular file root:root 755");
        for (String shim : List.of("crm_attribute", "crm_master", "crm_node", "attrd_updater")) {
            expected.put("/usr/lib/pulse/bin/" + shim, "regular file root:root 755");
        }
        expected.put("/usr/lib/pulse/lib", "directory root:root 755");
        expected.put("/usr/lib/pulse/lib/crmd.jar", "regular file root:root 644");
        expected.put("/usr/lib/pulse/lib/crm-shell.jar", "regular file root:root 644");
        expected.put("/usr/sbin/pulse-crmd", "-> ../lib/pulse/bin/crmd");
        expected.put("/usr/bin/pulse-crm", "-> ../lib/pulse/bin/crm");
        expected.put("/usr/sbin/fence_pulse_sim", "regular file root:root 755");
        expected.put("/usr/sbin/fence_pulse_sbd", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/pulse-watchdog-sim", "regular file root:root 755");
        expected.put("/usr/lib/pulse/bin/pulse-arbitrator", "regular file root:root 755");
        expected.put("/usr/sbin/pulse-arbitrator", "-> ../lib/pulse/bin/pulse-arbitrator");
        expected.put("/usr/lib/pulse/bin/pulse-remoted", "regular file root:root 755");
        expected.put("/usr/sbin/pulse-remoted", "-> ../lib/pulse/bin/pulse-remoted");
        for (String agent : List.of("Dummy", "Filesystem", "IPaddr", "Stateful", "httpd", "ping")) {
            expected.put("/usr/lib/ocf/resource.d/pulse/" + agent, "regular file root:root 755");
        }
        expected.put("/usr/lib/ocf/lib/pulse/ocf-pulse.sh", "regular file root:root 644");
        expected.put("/etc/pulse/crmd.conf", "regular file root:root 644");
        expected.put("/lib/systemd/system/pulse.service", "regular file root:root 644");
        expected.put("/usr/lib/tmpfiles.d/pulse.conf", "regular file root:root 644");
        expected.put("/var/lib/pulse", "directory hacluster:haclient 750");
        expected.put("/run/pulse", "directory hacluster:haclient 750");
        expected.put("/var/log/pulse", "directory root:root 750");
        expected.put("/usr/share/doc/pulse/copyright", "regular file root:root 644");
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path p = Path.of(e.getKey());
            String actual;
            if (Files.isSymbolicLink(p)) {
                actual = "-> " + Files.readSymbolicLink(p);
            } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                actual = check("stat", "-c", "%F %U:%G %a", e.getKey()).stdout().strip();
            } else {
                actual = "missing";
            }
            if (!actual.equals(e.getValue())) {
                wrong.add(e.getKey() + ": " + actual + ", expected " + e.getValue());
            }
        }
        assertTrue(wrong.isEmpty(), "installed files:\n" + String.join("\n", wrong));
        assertTrue(check("dpkg-query", "-W", "-f=${Conffiles}", "pulse").stdout().contains("/etc/pulse/crmd.conf"),
                "/etc/pulse/crmd.conf is a conffile");
        // Pacemaker's names are not on the PATH from this package: no clash with pacemaker-cli-utils.
        for (String f : files) {
            if (f.startsWith("/usr/bin/") || f.startsWith("/usr/sbin/") || f.startsWith("/bin/") || f.startsWith("/sbin/")) {
                String name = f.substring(f.lastIndexOf('/') + 1);
                assertTrue(name.startsWith("pulse-") || name.equals("fence_pulse_sim")
                        || name.equals("fence_pulse_sbd"), "on the PATH: " + f);
            }
        }
        check("getent", "passwd", "hacluster");
        check("getent", "group", "haclient");
        // postinst made the class-data archives for this JDK and these jars, where the launchers look.
        for (String module : List.of("crmd", "crm-shell")) {
            String jsa = check("/usr/lib/pulse/bin/pulse-cds", "--path", module).stdout().strip();
            assertTrue(jsa.startsWith("/var/cache/pulse/cds/" + module + "-") && jsa.endsWith(".jsa"), jsa);
            assertTrue(Files.isRegularFile(Path.of(jsa)) && Files.size(Path.of(jsa)) > 1_000_000, "postinst made no class-data archive for " + module + ": " + jsa);
        }

        // Every command answers --help from where the package put it.
        assertHelp("usage: crmd --config FILE", "/usr/sbin/pulse-crmd", "--help");
        assertHelp("crm", "/usr/bin/pulse-crm", "--help");
        // every crm subcommand's --help is checked in-process by crm-shell's CommandHelpTest; one here from the package
        assertHelp("Usage: crm cluster join", "/usr/bin/pulse-crm", "cluster", "join", "--help");
        if (crmshPresent) {
            assertFalse(Files.exists(Path.of("/usr/bin/crm"), LinkOption.NOFOLLOW_LINKS),
                    "crmsh's crm is installed: Pulse must not add one");
        } else {
            assertEquals(Path.of("/etc/alternatives/crm"), Files.readSymbolicLink(Path.of("/usr/bin/crm")));
            assertEquals(Path.of("/usr/lib/pulse/bin/crm"), Files.readSymbolicLink(Path.of("/etc/alternatives/crm")));
            assertHelp("crm", "crm", "--help");
        }
        assertHelp("usage: fence_pulse_sim", "/usr/sbin/fence_pulse_sim", "--help");
        assertHelp("usage: pulse-arbitrator", "/usr/sbin/pulse-arbitrator", "--help");
        assertHelp("usage: pulse-remoted", "/usr/sbin/pulse-remoted", "--help");
        for (String shim : List.of("crm_attribute", "crm_master", "crm_node", "attrd_updater")) {
            assertHelp("usage: " + shim, "/usr/lib/pulse/bin/" + shim, "--help");
        }
        runInstalledNode();
    }

    /**
     * The installed daemon runs (the one lib/ directory holds every jar it needs), its agents find
     * the package's shims before pacemaker-cli-utils' programs of the same names (the ping agent's
     * attrd_updater sets pingd through crmd), and SIGTERM is the clean stop pulse.service relies
     * on: the resource is stopped first, then the JVM exits 143 (SuccessExitStatus), well within
     * TimeoutStopSec. A one-node cluster on loopback with its own key, data and sockets in a
     * temporary directory; not the packaged config, which stays untouched.
     */
    private static void runInstalledNode() throws Exception {
        Path dir = Files.createTempDirectory("pulse-installed");
        Process crmd = null;
        try {
            check("/usr/sbin/pulse-crmd", "--generate-key", dir.resolve("authkey").toString());
            // Not a port the kernel picked (ServerSocket(0)): that one is in the ephemeral range, where any
            // outgoing connection may take it before crmd binds it, and crmd also binds port+100 and +200.
            int port = Ports.freeBase(1) + 1;
            Files.createDirectories(dir.resolve("data"));
            Path socket = dir.resolve("crmd.sock");
            Files.writeString(dir.resolve("crmd.conf"), String.join("\n",
                    "node = n1", "cluster = pkgtest" + port, "nodes = n1@127.0.0.1:" + port,
                    "key = " + dir.resolve("authkey"), "data_dir = " + dir.resolve("data"), "socket = " + socket,
                    "http = off", "ha_rsctmp = " + dir.resolve("rsctmp"), ""));
            Path log = dir.resolve("crmd.log");
            crmd = new ProcessBuilder("/usr/sbin/pulse-crmd", "--config", dir.resolve("crmd.conf").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String sock = "--socket=" + socket;
            // Listening is answering: the socket file appears at bind, before crmd serves it, and a first
            // command sent then is refused. Asked again until an answer comes, or crmd exits, or 60 s.
            Result answered = run("/usr/bin/pulse-crm", sock, "status");
            while (!answered.ok() && crmd.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                answered = run("/usr/bin/pulse-crm", sock, "status");
            }
            assertTrue(answered.ok(), "the installed crmd does not answer on its socket " + socket + " (rc "
                    + answered.rc() + ": " + answered.stderr().strip() + "): " + Files.readString(log));
            // The node's own start-up writes (its DC election, its node entry) may race a first change: the
            // shell then refuses it and says to redo it, which is what an operator would do.
            crmUntilApplied(deadline, "/usr/bin/pulse-crm", sock, "configure", "property", "stonith-enabled=false");
            crmUntilApplied(deadline, "/usr/bin/pulse-crm", sock, "configure", "primitive", "p1", "ocf:pulse:ping",
                    "params", "host_list=127.0.0.1", "op", "monitor", "interval=5s");
            String nodes = "";
            String status = "";
            while (System.nanoTime() < deadline) {
                status = run("/usr/bin/pulse-crm", sock, "status").stdout();
                nodes = run("/usr/bin/pulse-crm", sock, "node", "show").stdout();
                if (status.contains("Started n1") && nodes.contains("pingd=1")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(status.contains("Started n1"), "p1 not started by the installed node: " + status
                    + Files.readString(log));
            assertTrue(nodes.contains("pingd=1"), "the ping agent's attrd_updater (the package's shim) did not"
                    + " reach crmd: " + nodes + Files.readString(log));

            long stopStart = System.nanoTime();
            crmd.destroy(); // SIGTERM, as systemd's stop
            assertTrue(crmd.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "no exit within TimeoutStopSec");
            long stopMs = (System.nanoTime() - stopStart) / 1_000_000;
            String text = Files.readString(log);
            System.out.println("installed node: clean stop (p1 stopped first) took " + stopMs + " ms");
            assertEquals(143, crmd.exitValue(), "exit status after SIGTERM (pulse.service: SuccessExitStatus=143)");
            assertTrue(text.contains("p1_stop_0") && text.contains("clean shutdown granted"),
                    "SIGTERM did not stop p1 before leaving: " + text);
        } finally {
            if (crmd != null && crmd.isAlive()) {
                crmd.destroyForcibly();
                crmd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            run("rm", "-rf", dir.toString());
        }
    }

    private static void crmUntilApplied(long deadlineNanos, String... argv) throws InterruptedException {
        Result r = run(argv);
        while (!r.ok() && r.stderr().contains("changed by someone else") && System.nanoTime() < deadlineNanos) {
            Thread.sleep(500);
            r = run(argv);
        }
        assertTrue(r.ok(), String.join(" ", argv) + " failed (rc " + r.rc() + "): " + r.stderr());
    }

    private static final List<String> PURGE_CHECK = new ArrayList<>();

    private static void checkPurged(boolean crmshPresent) {
        Result status = run("dpkg-query", "-W", "-f=${Status}", "pulse");
        assertFalse(status.ok() && !status.stdout().contains("not-installed"), "pulse still known to dpkg: "
                + status.stdout());
        List<String> left = new ArrayList<>();
        for (String f : PURGE_CHECK) {
            Path p = Path.of(f);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            // A directory another package owns too (/usr/sbin, /usr/lib/ocf/resource.d, ...) stays, and
            // so do the merged-/usr links (/lib -> usr/lib) and the archive's root entry "/.".
            if (f.equals("/.") || Files.isDirectory(p)
                    && (Files.isSymbolicLink(p) || run("dpkg-query", "-S", f).ok())) {
                continue;
            }
            left.add(f);
        }
        for (String f : List.of("/var/lib/pulse", "/run/pulse", "/var/log/pulse", "/var/cache/pulse", "/etc/pulse", "/usr/lib/pulse",
                "/var/lib/dpkg/alternatives/crm", "/etc/alternatives/crm")) {
            // /etc/pulse is also PulseAudio's (libpulse0's client.conf): dpkg keeps a directory another
            // package owns, and so it must.
            if (Files.exists(Path.of(f), LinkOption.NOFOLLOW_LINKS)
                    && !(Files.isDirectory(Path.of(f)) && run("dpkg-query", "-S", f).ok())) {
                left.add(f);
            }
        }
        if (!crmshPresent && Files.exists(Path.of("/usr/bin/crm"), LinkOption.NOFOLLOW_LINKS)) {
            left.add("/usr/bin/crm");
        }
        assertTrue(left.isEmpty(), "left after dpkg --purge pulse: " + left);
        // Debian policy keeps users and groups: Pacemaker shares them, files they own may remain.
        check("getent", "passwd", "hacluster");
    }

    private static void assertHelp(String expect, String... argv) {
        Result r = run(argv);
        assertEquals(0, r.rc(), String.join(" ", argv) + " failed: " + r.stderr() + r.stdout());
        assertTrue(r.stdout().contains(expect), String.join(" ", argv) + " printed: " + r.stdout());
    }

    private static Result dpkg(String... args) throws InterruptedException {
        return PulsePackage.dpkg(args);
    }

    private static Result run(String... argv) {
        return NetnsLab.run(List.of(argv), Map.of(), STEP);
    }

    private static Result check(String... argv) {
        Result r = run(argv);
        assertTrue(r.ok(), String.join(" ", argv) + " failed (rc " + r.rc() + "): " + r.stderr());
        return r;
    }
}
