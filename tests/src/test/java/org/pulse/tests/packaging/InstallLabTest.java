package org.pulse.tests.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.NetnsLab.Result;
import org.pulse.tests.support.PulsePackage;
import org.pulse.lab.support.TestEnv;

/**
 * The install as an operator does it (issue 15), with the INSTALLED package: the .deb is built by
 * packaging/deb/build-deb.sh and {@code dpkg -i}'d on this machine, then four "machines" run it.
 * A machine is a network namespace of NetnsLab's (TEST-NET-2, 198.51.100.11..14 on a bridge, a
 * client at .100) with a mount namespace of its own, kept alive by a holder process, in which
 * per-machine directories are bind-mounted over /etc/pulse, /var/lib/pulse, /run/pulse,
 * /var/log/pulse and /run/resource-agents (each machine has its own config, key, CIB, pid file,
 * sockets, log). Every command runs inside a machine with {@code nsenter --net --mount}: the
 * package's {@code pulse-crm}, which starts the package's daemon as pulse.service's ExecStart would
 * (no systemd here: crm cluster start runs it directly, as root, like the unit).
 *
 * <p>Steps: {@code crm cluster init} on m1; a stranger (the client's address) holding a live token
 * is refused by the join port; {@code crm cluster join} on m2 and m3 with tokens issued
 * {@code --for} their addresses; fencing by the power-switch simulator (fence_pulse_sim, installed
 * in /usr/sbin) and a VIP (ocf:pulse:IPaddr) configured with {@code crm configure}; the VIP's node
 * killed (SIGKILL to everything in it): fenced (the switch's history says off), the VIP back on a
 * survivor and answering the client; the machine repaired and started again; {@code crm cluster
 * add} of m4, which then joins; {@code crm cluster stop} of m3 and {@code crm cluster remove} of it.
 * Quorum is checked as crmd/README documents it at each step: more than half of the listed nodes'
 * votes, the list counted anew from the next view (3 of 3; 2 of 3 after the kill; 3 of 4 after the
 * add; 4 of 4; 3 of 4 with m3 stopped; 3 of 3 after its removal). Everything is removed at the end:
 * processes, namespaces and mounts (NetnsLab.close), the package (dpkg --purge).
 *
 * <p>Root only (CI runs it). Bound: about 3 minutes (one dpkg-deb, four JVM daemons, ~25 crm
 * runs); each wait has its own limit; 15 minutes at most.
 */
class InstallLabTest {
    private static final Pattern TOKEN = Pattern.compile("pulse1:[A-Za-z0-9_-]+:[0-9a-f]{16}");
    private static final String CRM = "/usr/bin/pulse-crm";
    private static final int PORT = 7801;
    /** The machines' failure detection (crmd.conf failure_detection_ms): see {@link Machine#boot}. */
    private static final long FAILURE_DETECTION_MS = 2000;
    /** Where the package's config puts what a machine keeps apart from the others: mount point → subdirectory. */
    private static final Map<String, String> PRIVATE_DIRS = Map.of("/etc/pulse", "etc", "/var/lib/pulse", "lib",
            "/run/pulse", "run", "/var/log/pulse", "log", "/run/resource-agents", "rsctmp");

    private final FailoverAdmin admin = new FailoverAdmin();
    private NetnsLab lab;
    private Path power;
    private final Machine[] machines = new Machine[5];

    /** One machine: a node namespace of the lab, its directories, and the process holding its mount namespace. */
    final class Machine {
        final int index;
        final NetnsLab.Node node;
        final Path dir;
        long holder = -1;

        Machine(int index) throws IOException {
            this.index = index;
            this.node = lab.node(index);
            this.dir = lab.dir("m" + index);
        }

        String name() {
            return node.name();
        }

        String address() {
            return node.address() + ":" + PORT;
        }

        Path socket() {
            return dir.resolve("run/crmd.sock");
        }

        Path conf() {
            return dir.resolve("etc/crmd.conf");
        }

        Path log() {
            return dir.resolve("log/crmd.log");
        }

        /**
         * Power on: a mount namespace of its own holding the machine's directories over the package's
         * paths (a fresh /run: a tmpfs is empty after a boot). The first boot also gets the package's
         * conffile, as dpkg -i on that machine would have put it.
         */
        void boot() throws Exception {
            for (String sub : PRIVATE_DIRS.values()) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.setPosixFilePermissions(dir.resolve("lib"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.setPosixFilePermissions(dir.resolve("run"), PosixFilePermissions.fromString("rwxr-x---"));
            if (!Files.exists(conf())) {
                Files.copy(Path.of("/etc/pulse/crmd.conf"), conf());
                // The operator's one edit: failure detection for a busy host (this one is shared with other
                // builds; at the default 500 ms a JVM pause gets a healthy machine suspected and fenced).
                // init puts it in the cluster's shared settings, so joining machines take m1's.
                Files.writeString(conf(), "failure_detection_ms = " + FAILURE_DETECTION_MS + "\n",
                        java.nio.file.StandardOpenOption.APPEND);
            }
            clear(dir.resolve("run"));
            Process p = lab.startInOwnMountNamespace(node, List.of("sleep", "infinity"), Map.of(),
                    dir.resolve("holder.log"));
            holder = p.pid();
            assertTrue(waitFor(Duration.ofSeconds(10), () -> cmdline(holder).startsWith("sleep")),
                    "the mount namespace holder of " + name() + " did not start");
            for (Map.Entry<String, String> e : PRIVATE_DIRS.entrySet()) {
                Result r = NetnsLab.run(List.of("nsenter", "--mount=/proc/" + holder + "/ns/mnt", "--", "mount", "--bind",
                        dir.resolve(e.getValue()).toString(), e.getKey()), Map.of(), Duration.ofSeconds(10));
                assertTrue(r.ok(), "bind mount of " + e.getKey() + " in " + name() + ": " + r.stderr());
            }
            // A machine of this lab has no systemd even where the host runs it: crm cluster start must run
            // the daemon in the machine, not ask the host's systemd.
            if (Files.isDirectory(Path.of("/run/systemd/system"))) {
                Files.createDirectories(dir.resolve("no-systemd"));
                Result r = NetnsLab.run(List.of("nsenter", "--mount=/proc/" + holder + "/ns/mnt", "--", "mount", "--bind",
                        dir.resolve("no-systemd").toString(), "/run/systemd/system"), Map.of(), Duration.ofSeconds(10));
                assertTrue(r.ok(), "hiding the host's systemd from " + name() + ": " + r.stderr());
            }
        }

        /** A command inside the machine: its network and its mount namespace. */
        Result run(String... command) {
            List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + node.netnsPath(),
                    "--mount=/proc/" + holder + "/ns/mnt", "--"));
            argv.addAll(List.of(command));
            return NetnsLab.run(argv, Map.of(), Duration.ofSeconds(150));
        }

        /** {@code pulse-crm ARGS} inside the machine; fails the test with its output unless it exits 0. */
        String crm(String... args) {
            Result r = crmResult(args);
            assertEquals(0, r.rc(), "on " + name() + ": pulse-crm " + String.join(" ", args) + "\n" + r.stdout() + r.stderr());
            return r.stdout() + r.stderr();
        }

        Result crmResult(String... args) {
            List<String> argv = new ArrayList<>(List.of(CRM));
            argv.addAll(List.of(args));
            return run(argv.toArray(String[]::new));
        }

        /** A configuration change, redone while the node's own start-up writes race it (the shell says so). */
        void configure(String... args) throws InterruptedException {
            List<String> argv = new ArrayList<>(List.of("configure"));
            argv.addAll(List.of(args));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Result r = crmResult(argv.toArray(String[]::new));
            while (!r.ok() && r.stderr().contains("changed by someone else") && System.nanoTime() < deadline) {
                Thread.sleep(500);
                r = crmResult(argv.toArray(String[]::new));
            }
            assertEquals(0, r.rc(), "on " + name() + ": crm " + String.join(" ", argv) + ": " + r.stdout() + r.stderr());
        }

        /** The outlet of the power switch: the daemon's pid (from the pid file crm cluster start wrote), its namespace. */
        void plugIn() throws IOException {
            String pid = Files.readString(dir.resolve("run/crmd.pid")).strip();
            AtomicFiles.writeString(power.resolve(name() + ".pid"), pid);
            AtomicFiles.writeString(power.resolve(name() + ".netns"), node.netns());
            AtomicFiles.writeString(power.resolve(name() + ".link"), NetnsLab.IFNAME);
            AtomicFiles.writeString(power.resolve(name() + ".rsctmp"), dir.resolve("rsctmp").toString());
            Files.deleteIfExists(power.resolve(name() + ".state"));
        }

        AdminArgs status() {
            return admin.status(socket());
        }

        String nodesLine() throws IOException {
            return Files.readAllLines(conf()).stream().filter(l -> l.startsWith("nodes")).findFirst().orElse("");
        }
    }

    @Test
    @Timeout(900)
    void threeMachinesInitJoinFailOverThenAddAndRemove() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("dpkg", "dpkg-deb", "ip", "nsenter", "unshare", "setsid", "mount", "ping", "adduser")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        long t0 = System.nanoTime();
        try (PulsePackage held = PulsePackage.lock(Duration.ofMinutes(15))) {
            if (PulsePackage.installed()) {
                fail("a package named pulse is already installed here; this test installs and purges its own:"
                        + " run dpkg --purge pulse first");
            }
            Path out = Files.createTempDirectory("pulse-install-lab");
            Path deb = PulsePackage.build(repo, out);
            Result installed = PulsePackage.dpkg("-i", deb.toString());
            assertTrue(installed.ok(), "dpkg -i: " + installed.stderr() + installed.stdout());
            System.out.printf("InstallLabTest: %s built and installed in %d ms%n", deb.getFileName(),
                    (System.nanoTime() - t0) / 1_000_000);
            try {
                lab = NetnsLab.create(4);
                power = lab.dir("power");
                System.out.println("InstallLabTest: " + lab + " (machine directories m1..m4 in " + lab.workDir() + ")");
                operate();
            } catch (Throwable e) {
                // the machines' logs and the power switch's outlets outlive the lab, for whoever reads the failure
                if (lab != null) {
                    Path kept = repo.resolve("tests/target/install-lab-failed");
                    NetnsLab.run(List.of("rm", "-rf", kept.toString()), Map.of(), Duration.ofSeconds(30));
                    NetnsLab.run(List.of("cp", "-a", lab.workDir().toString(), kept.toString()), Map.of(), Duration.ofSeconds(60));
                    System.out.println("InstallLabTest: failed; the machines' directories are kept in " + kept);
                }
                throw e;
            } finally {
                if (lab != null) {
                    if (Boolean.getBoolean("pulse.keep")) {
                        NetnsLab.run(List.of("cp", "-a", lab.workDir().toString(), out.toString()), Map.of(),
                                Duration.ofSeconds(30));
                    }
                    lab.close();
                }
                Result purged = PulsePackage.dpkg("--purge", "pulse");
                assertTrue(purged.ok(), "dpkg --purge pulse: " + purged.stderr());
                if (!Boolean.getBoolean("pulse.keep")) {
                    NetnsLab.run(List.of("rm", "-rf", out.toString()), Map.of(), Duration.ofSeconds(30));
                }
            }
        }
        assertFalse(PulsePackage.installed(), "pulse still installed after the purge");
        System.out.printf("InstallLabTest: whole run %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    private void operate() throws Exception {
        for (int i = 1; i <= 4; i++) {
            machines[i] = new Machine(i);
        }
        Machine m1 = machines[1];
        Machine m2 = machines[2];
        Machine m3 = machines[3];
        Machine m4 = machines[4];
        for (int i = 1; i <= 3; i++) {
            machines[i].boot();
        }

        // m1: init writes the config and key into its /etc/pulse and starts the daemon
        String init = m1.crm("cluster", "init", "--name", "lab", "--node", m1.name(), "--address", m1.address());
        assertTrue(init.contains("started pulse (pid "), init);
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(m1.dir.resolve("etc/authkey"))));
        assertTrue(Files.readString(m1.conf()).contains("cluster = lab"), "m1's own /etc/pulse/crmd.conf");
        m1.plugIn();
        awaitFormed(Set.of("n1"), 1, m1);

        // a stranger (the client's address, listed nowhere) with a live token for m2: refused, nothing written
        String forM2 = token(m1.crm("cluster", "token", "--for", m2.node.address()));
        Path strangerConf = lab.dir("stranger").resolve("crmd.conf");
        Files.writeString(strangerConf, "key = " + strangerConf.resolveSibling("authkey") + "\n");
        Result stranger = NetnsLab.run(NetnsLab.inNs(lab.client(), CRM, "cluster", "join", "--token", forM2, "--node", "x",
                "--address", lab.client().address() + ":" + PORT, "--config", strangerConf.toString(), "--no-start",
                m1.address()), Map.of(), Duration.ofSeconds(60));
        assertEquals(1, stranger.rc(), stranger.stdout() + stranger.stderr());
        assertTrue(stranger.stderr().contains("takes joins only from the addresses of listed nodes"), stranger.stderr());
        assertFalse(Files.exists(strangerConf.resolveSibling("authkey")), "the stranger got a key");
        // logged once the connection is closed: the stranger's crm may exit first
        assertTrue(waitFor(Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(m1.log()).contains("refused a connection from " + lab.client().address());
            } catch (IOException e) {
                return false;
            }
        }), "m1's log names the stranger");

        // m2 and m3 join with tokens issued for their addresses (m2's was not spent by the stranger)
        long tj = System.nanoTime();
        String joined = m2.crm("cluster", "join", "--token", forM2, "--name", "lab", "--node", m2.name(), "--address",
                m2.address(), m1.address());
        assertTrue(joined.contains("started pulse (pid "), joined);
        m2.plugIn();
        String forM3 = token(m1.crm("cluster", "token", "--for", m3.node.address()));
        m3.crm("cluster", "join", "--token", forM3, "--node", m3.name(), "--address", m3.address(), m1.address());
        m3.plugIn();
        awaitFormed(Set.of("n1", "n2", "n3"), 3, m1, m2, m3);
        System.out.printf("InstallLabTest: two joins until three formed: %d ms%n", (System.nanoTime() - tj) / 1_000_000);
        assertEquals(m1.nodesLine(), m2.nodesLine());
        assertEquals(m1.nodesLine(), m3.nodesLine());
        // each machine has its own files: the package's paths hold different contents per machine
        assertTrue(m2.run("grep", "-q", "^node = n2", "/etc/pulse/crmd.conf").ok(), "m2 sees its own /etc/pulse");
        assertTrue(m3.run("grep", "-q", "^node = n3", "/etc/pulse/crmd.conf").ok(), "m3 sees its own /etc/pulse");
        assertTrue(m1.run("test", "-S", "/run/pulse/crmd.sock").ok(), "m1's socket in its own /run/pulse");

        // fencing by the power switch, then the VIP, all with crm configure
        String vip = lab.vip(0);
        m2.configure("property", "stonith-enabled=true", "stonith-action=off", "no-quorum-policy=stop");
        m2.configure("rsc_defaults", "resource-stickiness=100");
        m2.configure("primitive", "fence-sim", "stonith:fence_pulse_sim", "params", "power_dir=" + power);
        m2.configure("primitive", "vip", "ocf:pulse:IPaddr", "params", "ip=" + vip, "cidr_netmask=24",
                "nic=" + NetnsLab.IFNAME, "op", "monitor", "interval=1s", "timeout=10s");
        String[] holder = new String[1];
        assertTrue(waitFor(Duration.ofSeconds(60), () -> {
            holder[0] = vipOn(m1);
            return holder[0] != null && !holder[0].isEmpty() && lab.ping(lab.client(), vip, 1000);
        }), "the VIP did not come up; status: " + text(m1));
        String victim = holder[0];
        Machine dead = machines[Integer.parseInt(victim.substring(1))];
        System.out.println("InstallLabTest: VIP " + vip + " on " + victim + "; killing that machine");

        // the VIP's machine dies (everything in it SIGKILLed): fenced by the switch, the VIP recovered
        long tk = System.nanoTime();
        for (int round = 0; round < 20 && lab.killAll(dead.node) > 0; round++) {
            lab.awaitNoProcesses(dead.node, 200);
        }
        Machine survivor = dead == m1 ? m2 : m1;
        assertTrue(waitFor(Duration.ofSeconds(90), () -> {
            String on = vipOn(survivor);
            return on != null && !on.isEmpty() && !on.equals(victim) && lab.ping(lab.client(), vip, 1000);
        }), "the VIP was not recovered on a survivor; status: " + text(survivor));
        System.out.printf("InstallLabTest: kill of %s until the VIP answered again on %s: %d ms%n", victim,
                vipOn(survivor), (System.nanoTime() - tk) / 1_000_000);
        String history = Files.readString(power.resolve(victim + ".history"));
        assertTrue(history.contains("off"), "the power switch did not switch " + victim + " off: " + history);
        assertEquals("off", Files.readString(power.resolve(victim + ".state")).strip());
        Set<String> two = new TreeSet<>(Set.of("n1", "n2", "n3"));
        two.remove(victim);
        Machine[] alive = Arrays.stream(new Machine[] {m1, m2, m3}).filter(m -> m != dead).toArray(Machine[]::new);
        awaitFormed(two, 3, alive); // 2 of 3 votes: quorate

        // the machine is repaired and started again (its files kept; /run empty): it rejoins, 3 of 3
        lab.powerOn(dead.node);
        dead.boot();
        dead.crm("cluster", "start");
        dead.plugIn();
        awaitFormed(Set.of("n1", "n2", "n3"), 3, m1, m2, m3);

        // m4 listed with crm cluster add (4 votes: 3 members are still a majority), then it joins from its
        // listed address with a token issued for no address
        Machine any = survivor;
        String added = any.crm("cluster", "add", m4.name(), m4.address());
        assertTrue(added.contains("n4"), added);
        awaitFormed(Set.of("n1", "n2", "n3"), 4, m1, m2, m3);
        m4.boot();
        String plain = token(any.crm("cluster", "token"));
        m4.crm("cluster", "join", "--token", plain, "--node", m4.name(), "--address", m4.address(), any.address());
        m4.plugIn();
        awaitFormed(Set.of("n1", "n2", "n3", "n4"), 4, m1, m2, m3, m4);
        assertTrue(lab.ping(lab.client(), vip, 2000), "the VIP stopped answering while m4 joined");

        // m3 stopped cleanly (crm cluster stop on it), then removed from the list: 3 of 4, then 3 of 3
        Machine gone = m3;
        String stopped = gone.crm("cluster", "stop");
        assertTrue(stopped.contains("stopped pulse in"), stopped);
        Machine[] rest = {m1, m2, m4};
        awaitFormed(Set.of("n1", "n2", "n4"), 4, rest);
        String removed = m4.crm("cluster", "remove", gone.name());
        assertTrue(removed.contains("n3 removed"), removed);
        awaitFormed(Set.of("n1", "n2", "n4"), 3, rest);
        for (Machine m : rest) {
            assertFalse(m.nodesLine().contains("n3@"), m.name() + " still lists n3: " + m.nodesLine());
        }
        assertTrue(waitFor(Duration.ofSeconds(30), () -> {
            String on = vipOn(m1);
            return on != null && !on.isEmpty() && lab.ping(lab.client(), vip, 1000);
        }), "the VIP is down after the removal: " + text(m1));
        String crmStatus = m4.crm("status");
        System.out.println("InstallLabTest: crm status on n4 at the end:\n" + crmStatus);
        assertTrue(m4.crm("cluster", "status").contains("running (pid "), "crm cluster status on m4");
        Result notRunning = gone.crmResult("cluster", "status");
        assertEquals(3, notRunning.rc(), notRunning.stdout() + notRunning.stderr());
    }

    /** Every listed machine joined, quorate, with these members, {@code votes} expected, under one DC. */
    private void awaitFormed(Set<String> members, int votes, Machine... on) {
        BooleanSupplier formed = () -> {
            String dc = null;
            for (Machine m : on) {
                AdminArgs s = m.status();
                if (s == null || !FailoverAdmin.joinedWithQuorum(s)
                        || !members.equals(Set.of(FailoverAdmin.str(s, "members").split(",")))
                        || !Integer.toString(votes).equals(FailoverAdmin.str(s, "expected_votes"))) {
                    return false;
                }
                String d = FailoverAdmin.str(s, "dc");
                if (dc != null && !dc.equals(d)) {
                    return false;
                }
                dc = d;
            }
            return true;
        };
        long t = System.nanoTime();
        if (!waitFor(Duration.ofSeconds(90), formed)) {
            StringBuilder b = new StringBuilder();
            for (Machine m : on) {
                AdminArgs s = m.status();
                b.append("\n").append(m.name()).append(": ").append(s == null ? "no answer" : "members "
                        + FailoverAdmin.str(s, "members") + ", quorate " + FailoverAdmin.str(s, "quorate") + ", expected votes "
                        + FailoverAdmin.str(s, "expected_votes") + ", quorum " + FailoverAdmin.str(s, "quorum"));
            }
            fail("not formed as " + members + " quorate with " + votes + " votes within 90 s:" + b);
        }
        System.out.printf("InstallLabTest: %s quorate, %d of %d votes (%s), after %d ms%n", members, members.size(), votes,
                FailoverAdmin.str(on[0].status(), "quorum"), (System.nanoTime() - t) / 1_000_000);
    }

    private String vipOn(Machine m) {
        AdminArgs s = m.status();
        return s == null ? null : FailoverAdmin.runningOn(s, "vip");
    }

    private static String text(Machine m) {
        AdminArgs s = m.status();
        return s == null ? "(no answer from " + m.name() + ")" : FailoverAdmin.str(s, "text");
    }

    private static String token(String output) {
        Matcher m = TOKEN.matcher(output);
        assertTrue(m.find(), "no token in: " + output);
        return m.group();
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static void clear(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
    }

    private static boolean waitFor(Duration max, BooleanSupplier condition) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
