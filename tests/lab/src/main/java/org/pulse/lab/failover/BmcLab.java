package org.pulse.lab.failover;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * One simulated BMC per lab node on a management network of its own (root), as real clusters fence:
 * Debian's {@code ipmi_sim} (openipmi) speaking IPMI over LAN (RMCP+, "lanplus") with a user and
 * password of its own, so that Debian's unchanged {@code fence_ipmilan} fences a lab node through it.
 *
 * <p>The management network: a bridge of the lab's ({@code PREFIXmg}, TEST-NET-3 203.0.113.0/24),
 * each node's port {@code mgmt0} on it at 203.0.113.10N (restored when the node is powered on again),
 * and BMC N in a namespace of its own ({@code PREFIX-bmcN}) at 203.0.113.N+10 (.11, .12, .13): a
 * node's death leaves its BMC up, and a BMC's cable ({@link #unplug}) or daemon ({@link #stop}) can
 * fail alone.
 *
 * <p>A BMC's chassis is the lab's power-switch simulator: ipmi_sim's {@code chassis_control} program
 * ({@code tests/lab/src/main/lab/bmc_chassis_control}) turns "power down" into fence_pulse_sim's off for
 * that one node (its outlet in the lab's power directory), "power up" into its on and "hard reset"
 * into its reboot; the power it reports is the outlet's, as a real BMC reads it from the power supply
 * (off from a fence until the lab boots the node again). Each BMC logs to a file of its own ({@link #log}): ipmi_sim's record of every IPMI message
 * it received ({@code debug msg}) and one line per power action; {@link #chassisControls} and
 * {@link #powerActions} read it, so a test can tell which BMC powered what off.
 *
 * <p>Every ipmi_sim runs with its stdin a pipe this JVM holds (its console; it ends when the pipe
 * closes, so it goes with this JVM at the latest), is stopped by its PID in {@link #close}, and
 * lives in the lab's namespaces, which the lab's own close removes with anything left in them.
 */
public final class BmcLab implements AutoCloseable {
    public static final String MGMT_NET = "203.0.113.";
    static final int MGMT_PREFIX_LENGTH = 24;
    static final String MGMT_IFNAME = "mgmt0";
    public static final String USER = "fencer";
    /**
     * RMCP+ cipher suite 3 (RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128): the strongest ipmi_sim 2.0.33
     * speaks. ipmitool's own default (17, SHA-256) is refused, and asking the BMC for its suites
     * costs ~10 s per call, so the devices say cipher=3, as operators of older BMCs do.
     */
    public static final String CIPHER = "3";
    /** IPMI chassis control codes (IPMI 2.0 §28.3), as ipmi_sim logs them in the request's first byte. */
    static final List<String> CHASSIS_CONTROL = List.of("power-down", "power-up", "power-cycle", "hard-reset",
            "diag-interrupt", "soft-shutdown");

    /** One BMC: the node it powers, its namespace (eth0 on the management bridge), its files, its ipmi_sim. */
    public static final class Bmc {
        final int index;
        final String node;
        final NetnsLab.Node host;
        final Path dir;
        public final String password;
        Process process;
        OutputStream console;

        Bmc(int index, String node, NetnsLab.Node host, Path dir, String password) {
            this.index = index;
            this.node = node;
            this.host = host;
            this.dir = dir;
            this.password = password;
        }

        public String address() {
            return host.address();
        }

        public Path log() {
            return dir.resolve("bmc.log");
        }
    }

    final NetnsLab lab;
    final Path repo;
    /** The power switch's outlets, as the BMCs' chassis use them (the lab's power directory). */
    final Path powerDir;
    /**
     * The power switch as the cluster's level-2 device reaches it: a link to {@link #powerDir}, so that
     * {@link #breakPowerSwitch} fails the device without touching the BMCs' own chassis wiring.
     */
    final Path pduDir;
    final String mgmtBridge;
    private final List<Bmc> bmcs = new ArrayList<>();

    private BmcLab(NetnsLab lab, Path repo, Path powerDir) throws IOException {
        this.lab = lab;
        this.repo = repo;
        this.powerDir = powerDir;
        this.pduDir = lab.workDir().resolve("pdu");
        this.mgmtBridge = lab.addBridge("mg");
    }

    /** Skips (outside CI) without root or without the Debian packages this needs (.ci/run installs them). */
    public static void requireTools() {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "ipmi_sim", "ipmitool", "fence_ipmilan")) {
            TestEnv.requireCommand(c);
        }
    }

    /**
     * The management network and one BMC for each of the lab's nodes, each answering IPMI before this
     * returns. {@code powerDir} is the power-switch simulator's outlet directory the nodes are wired to
     * (FailoverLab's {@code power}). The caller closes it before the lab.
     */
    public static BmcLab start(NetnsLab lab, Path repo, Path powerDir) throws IOException, InterruptedException {
        BmcLab b = new BmcLab(lab, repo, powerDir);
        boolean done = false;
        try {
            Files.createSymbolicLink(b.pduDir, powerDir);
            List<NetnsLab.Node> nodes = lab.nodes();
            for (int i = 1; i <= nodes.size(); i++) {
                lab.attach(nodes.get(i - 1), b.mgmtBridge, MGMT_IFNAME, MGMT_NET + (100 + i), MGMT_PREFIX_LENGTH);
            }
            for (int i = 1; i <= nodes.size(); i++) {
                NetnsLab.Node host = lab.addHost("bmc" + i, b.mgmtBridge, MGMT_NET + (10 + i), MGMT_PREFIX_LENGTH);
                Path dir = lab.dir("bmc" + i);
                // A password per BMC: a device that reached the wrong BMC would fail to log in.
                b.bmcs.add(new Bmc(i, nodes.get(i - 1).name(), host, dir, "bmc" + i + "-secret"));
            }
            for (Bmc bmc : b.bmcs) {
                b.writeConfig(bmc);
                b.launch(bmc);
            }
            for (Bmc bmc : b.bmcs) {
                b.awaitAnswering(bmc, Duration.ofSeconds(20));
            }
            done = true;
            return b;
        } finally {
            if (!done) {
                b.close();
            }
        }
    }

    public Bmc bmc(int i) {
        return bmcs.get(i - 1);
    }

    int count() {
        return bmcs.size();
    }

    public String address(int i) {
        return bmc(i).address();
    }

    public Path log(int i) {
        return bmc(i).log();
    }

    /** fence_ipmilan's parameters for node i's BMC, as a device's instance attributes (pcmk_host_list aside). */
    public Map<String, String> deviceParams(int i, int powerTimeoutS) {
        Bmc b = bmc(i);
        // power_wait=0: ipmi_sim answers Chassis Control after the chassis is off, so fence_ipmilan's
        // default 2 s pause before it checks the status buys nothing here. power_timeout bounds a dead
        // BMC (ipmitool retries for 20 s by default). ipmitool_timeout as long as that: ipmitool's own 2 s
        // sent a Chassis Control again when the BMC answered later (a loaded machine), and the BMC carried
        // it out twice; fence_ipmilan kills ipmitool at power_timeout anyway, so the bound stays the same.
        return Map.of("ip", b.address(), "username", USER, "password", b.password, "lanplus", "1", "cipher", CIPHER,
                "power_wait", "0", "power_timeout", Integer.toString(powerTimeoutS), "ipmitool_timeout",
                Integer.toString(powerTimeoutS));
    }

    /** A crm configure line: {@code primitive ID stonith:fence_ipmilan} for node i's BMC, for node i only. */
    String devicePrimitive(int i, String id, int powerTimeoutS, String ops) {
        StringBuilder b = new StringBuilder("primitive " + id + " stonith:fence_ipmilan params");
        new java.util.TreeMap<>(deviceParams(i, powerTimeoutS)).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        b.append(" pcmk_host_list=").append(bmc(i).node);
        if (!ops.isBlank()) {
            b.append(' ').append(ops.strip());
        }
        return b.toString();
    }

    /**
     * The per-node fencing of a real cluster, as crm configure lines: a fence_ipmilan device
     * {@code ipmi-NODE} per node (its BMC, {@code pcmk_host_list=NODE}), the power switch
     * {@code fence-pdu} (fence_pulse_sim through {@link #pduDir}) for every node, and
     * {@code fencing_topology}: level 1 the node's BMC, level 2 the power switch.
     */
    public List<String> fencingConfiguration(int powerTimeoutS, String deviceOps) {
        List<String> lines = new ArrayList<>();
        StringBuilder topology = new StringBuilder("fencing_topology");
        for (Bmc b : bmcs) {
            lines.add(devicePrimitive(b.index, "ipmi-" + b.node, powerTimeoutS, deviceOps));
            topology.append(' ').append(b.node).append(": ipmi-").append(b.node).append(" fence-pdu");
        }
        lines.add("primitive fence-pdu stonith:fence_pulse_sim params power_dir=" + pduDir
                + (deviceOps.isBlank() ? "" : " " + deviceOps.strip()));
        lines.add(topology.toString());
        return lines;
    }

    /**
     * ipmitool over lanplus against BMC i, run in {@code from}'s network namespace. Each try waits 10 s
     * for the answer: ipmi_sim answers a Chassis Control once the chassis program is done (a reset kills
     * the node and boots it), which took over a second on a loaded machine; ipmitool then sent the
     * request again and the BMC carried it out twice (two hard resets). One retry, within the 30 s bound.
     */
    public NetnsLab.Result ipmitool(NetnsLab.Node from, int i, String... command) {
        Bmc b = bmc(i);
        List<String> argv = new ArrayList<>(List.of("ipmitool", "-I", "lanplus", "-H", b.address(), "-U", USER, "-P",
                b.password, "-C", CIPHER, "-N", "10", "-R", "1"));
        argv.addAll(List.of(command));
        return NetnsLab.run(NetnsLab.inNs(from, argv.toArray(String[]::new)), Map.of(), Duration.ofSeconds(30));
    }

    /**
     * Debian's fence_ipmilan, unchanged, by its command line against BMC i, run in {@code from}'s namespace.
     * Its ipmitool waits as long as the power timeout (5 s) for an answer rather than its default 2 s, for
     * the reason {@link #ipmitool} gives: a power-off answered late (at load 17 the round trip took 2.3 s)
     * was sent again and carried out twice.
     */
    public NetnsLab.Result fenceIpmilan(NetnsLab.Node from, int i, String action) {
        Bmc b = bmc(i);
        return NetnsLab.run(NetnsLab.inNs(from, "/usr/sbin/fence_ipmilan", "--ip=" + b.address(), "--username=" + USER,
                "--password=" + b.password, "--lanplus", "--cipher=" + CIPHER, "--power-wait=0", "--power-timeout=5",
                "--ipmitool-timeout=5", "-o", action), Map.of("PYTHONWARNINGS", "ignore::DeprecationWarning"),
                Duration.ofSeconds(60));
    }

    /**
     * The chassis controls BMC i received, in order, from ipmi_sim's own message log ("power-down",
     * "power-up", "power-cycle", "hard-reset", ...): ipmi_sim logs each request as its header line
     * (netfn 0x0 = chassis, cmd 0x2 = Chassis Control), a line of sequence numbers, and its data bytes.
     */
    public List<String> chassisControls(int i) {
        List<String> out = new ArrayList<>();
        List<String> lines = logLines(i);
        for (int k = 0; k + 2 < lines.size(); k++) {
            if (lines.get(k).contains(" netfn=0x0 cmd=0x2 ") && lines.get(k + 1).strip().startsWith("rq_lun=")) {
                String data = lines.get(k + 2).strip();
                int code = data.isEmpty() ? -1 : Integer.parseInt(data.split("\\s+")[0], 16) & 0xf;
                out.add(code >= 0 && code < CHASSIS_CONTROL.size() ? CHASSIS_CONTROL.get(code) : "control-" + code);
            }
        }
        return out;
    }

    /** The power actions BMC i's chassis carried out (its chassis_control program's lines), in order. */
    public List<String> powerActions(int i) {
        return logLines(i).stream().filter(l -> l.startsWith("bmc-chassis ")).toList();
    }

    /**
     * How many IPMI requests BMC i answered between two instants (epoch ms, inclusive): ipmi_sim
     * stamps each answer ("Response message: SECONDS.MICROS"). A BMC nobody talked to logs none.
     */
    public long answersBetween(int i, long fromEpochMs, long toEpochMs) {
        long n = 0;
        for (String l : logLines(i)) {
            if (l.startsWith("Response message: ")) {
                long ms = Math.round(Double.parseDouble(l.substring("Response message: ".length()).strip()) * 1000);
                if (ms >= fromEpochMs && ms <= toEpochMs) {
                    n++;
                }
            }
        }
        return n;
    }

    private List<String> logLines(int i) {
        try {
            Path log = log(i);
            if (!Files.exists(log)) {
                return List.of();
            }
            // The console writes "\n\r": keep lines clean of the carriage returns.
            String text = Files.readString(log).replace("\r", "");
            // ipmi_sim is still writing: a last line without its newline may be cut anywhere ("bmc-chassis
            // pow", a request's data line "0" of "02"), so only whole lines count.
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException("reading BMC log " + log(i) + ": " + e.getMessage(), e);
        }
    }

    /** The chassis' power as BMC i reports it: its node's outlet (not whether the node's processes live). */
    public boolean chassisOn(int i) throws IOException {
        Path s = powerDir.resolve(bmc(i).node + ".state");
        return !Files.exists(s) || !Files.readString(s).strip().equals("off");
    }

    /** BMC i's cable is cut: it is up but nobody reaches it (what a fencer sees of a dead switch port). */
    public void unplug(int i) {
        lab.linkDown(bmc(i).host);
    }

    public void plug(int i) {
        lab.linkUp(bmc(i).host);
    }

    /** BMC i's ipmi_sim is stopped (by its PID): its address answers nothing on the IPMI port. */
    public void stop(int i) throws InterruptedException {
        Bmc b = bmc(i);
        if (b.process == null) {
            return;
        }
        Process p = b.process;
        b.process = null;
        p.destroy(); // SIGTERM to ipmi_sim itself (nsenter and setsid exec in place)
        closeConsole(b);
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** BMC i's ipmi_sim again (after {@link #stop}), answering before this returns; its log goes on. */
    public void restart(int i) throws IOException, InterruptedException {
        Bmc b = bmc(i);
        stop(i);
        launch(b);
        awaitAnswering(b, Duration.ofSeconds(20));
    }

    /** ipmi_sim's PID for BMC i, or -1 when it is stopped. */
    public long pid(int i) {
        Process p = bmc(i).process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** The level-2 device's way to the power switch is cut: fence_pulse_sim fails for every node. */
    public void breakPowerSwitch() throws IOException {
        Files.deleteIfExists(pduDir);
    }

    public void repairPowerSwitch() throws IOException {
        if (!Files.isSymbolicLink(pduDir)) {
            Files.createSymbolicLink(pduDir, powerDir);
        }
    }

    private void writeConfig(Bmc b) throws IOException {
        Files.createDirectories(b.dir.resolve("state"));
        Path control = repo.resolve("tests/lab/src/main/lab/bmc_chassis_control");
        if (!Files.isExecutable(control)) {
            throw new IllegalStateException("the BMC's chassis program " + control + " is missing or not executable");
        }
        // lan.conf (ipmi_lan(5)): one LAN channel on the BMC's own address, admin over RMCP+ for one user.
        String lanConf = "# BmcLab: the BMC of " + b.node + "\n"
                + "name \"bmc-" + b.node + "\"\n"
                + "set_working_mc 0x20\n"
                + "  startlan 1\n"
                + "    addr " + b.address() + " 623\n"
                + "    priv_limit admin\n"
                + "    allowed_auths_callback md5\n"
                + "    allowed_auths_user md5\n"
                + "    allowed_auths_operator md5\n"
                + "    allowed_auths_admin md5\n"
                + String.format("    guid 5075c5e0b3c1a000000000000000%04x%n", b.index)
                + "  endlan\n"
                + "  chassis_control \"" + control + " " + b.node + " " + powerDir + " " + b.log() + "\"\n"
                + "  user 2 true \"" + USER + "\" \"" + b.password + "\" admin 4 md5\n";
        Files.writeString(b.dir.resolve("lan.conf"), lanConf);
        // The emulated BMC itself (ipmi_sim_cmd(5)): one MC at 0x20, and every message logged.
        Files.writeString(b.dir.resolve("bmc.emu"), "mc_setbmc 0x20\n"
                + "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\n"
                + "mc_enable 0x20\n"
                + "debug msg\n");
    }

    private void launch(Bmc b) throws IOException {
        // No -n: ipmi_sim's console is its stdin (a pipe held here) and its log goes to stdout (the BMC's log).
        Process p = lab.start(b.host, List.of("ipmi_sim", "-c", b.dir.resolve("lan.conf").toString(), "-f",
                        b.dir.resolve("bmc.emu").toString(), "-s", b.dir.resolve("state").toString()),
                Map.of("PULSE_POWER_SWITCH", repo.resolve("crmd/src/main/fence/fence_pulse_sim").toString()), b.log(),
                ProcessBuilder.Redirect.PIPE);
        b.process = p;
        b.console = p.getOutputStream();
    }

    private void awaitAnswering(Bmc b, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        NetnsLab.Result r;
        do {
            if (b.process == null || !b.process.isAlive()) {
                throw new IllegalStateException("ipmi_sim of the BMC of " + b.node + " exited; its log " + b.log());
            }
            r = ipmitool(b.host, b.index, "chassis", "power", "status");
            if (r.ok()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("the BMC of " + b.node + " at " + b.address() + " did not answer IPMI within "
                + timeout + ": " + r.stderr().strip() + "; its log " + b.log());
    }

    private static void closeConsole(Bmc b) {
        if (b.console != null) {
            try {
                b.console.close();
            } catch (IOException ignored) {
                // ipmi_sim is gone already
            }
            b.console = null;
        }
    }

    /** Stops every ipmi_sim this started, by PID; the lab's close removes namespaces and bridge. */
    @Override
    public void close() {
        for (Bmc b : bmcs) {
            try {
                stop(b.index);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
