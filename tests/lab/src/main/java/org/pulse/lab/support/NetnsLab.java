package org.pulse.lab.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A network-namespace lab (root only): N node namespaces and a client namespace, each with one
 * interface {@code eth0} on a shared bridge, TEST-NET-2 addresses only (nodes 198.51.100.11, .12, …,
 * client .100, virtual IPs .200 and up). Every name carries a short random prefix so parallel runs
 * do not clash.
 *
 * <p>Commands run in a node with {@code nsenter --net=/run/netns/NAME}: only the network namespace
 * changes, so mounts made by {@link #exec} are the machine's (what agent tests that mount by hand
 * look at; {@code ip netns exec} would make a throw-away mount namespace and lose them). A node's
 * daemon started with {@link #startInOwnMountNamespace} gets a mount namespace of its own, as a real
 * machine has: its mounts (and those of every process below it) are seen by no other node and not
 * by the host, and the kernel drops them when the node's last process dies (power-off, kill -9).
 * {@link #mountsSeenBy} and {@link #execInNode} look inside it. Further networks are possible: a
 * bridge of its own ({@link #addBridge}), node interfaces on it ({@link #attach}, restored at
 * power-on) and namespaces that are not nodes ({@link #addHost}: the BMCs of a management network).
 * Loop devices and images stay shared (a shared disk). Each node has its own {@code HA_RSCTMP} and
 * run directory, since /run and /tmp are shared.
 *
 * <p>{@link #close()} removes everything the lab made, in an order that works after a failed test
 * or a JVM killed with -9: processes it started and any process still living in its namespaces
 * (waiting until they are gone, so the kernel has dropped their mount namespaces), mounts under
 * its work directory, loop devices, namespaces (which takes their veth ends along), the bridge, the
 * work directory. A shutdown hook runs the same cleanup if the JVM exits without calling close.
 */
public final class NetnsLab implements AutoCloseable {
    /** The lab's subnet: TEST-NET-2 (RFC 5737), never routed anywhere. */
    public static final String SUBNET_PREFIX = "198.51.100.";
    public static final int PREFIX_LENGTH = 24;
    /** Interface name inside every namespace. */
    public static final String IFNAME = "eth0";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /**
     * One namespace of the lab.
     *
     * @param name     short name ("n1", "n2", "client")
     * @param netns    the namespace's name under /run/netns
     * @param address  its IPv4 address on eth0
     * @param hostVeth the bridge-side end of its veth pair (link down/up acts here, like a cable)
     * @param rsctmp   HA_RSCTMP for agents run on this node
     * @param runDir   a per-node scratch directory (daemon state, sockets, logs)
     */
    public record Node(String name, String netns, String address, String hostVeth, Path rsctmp, Path runDir) {
        public Path netnsPath() {
            return Path.of("/run/netns", netns);
        }

        /**
         * Where this node's mounts go (its Filesystem resources' mount points): {@link #powerOff}
         * unmounts what is under it, as a real power cut would.
         */
        public Path mountRoot() {
            return runDir.resolveSibling("mnt");
        }

        /** argv prefix that runs a command inside this node's network namespace only. */
        public List<String> nsenter() {
            return List.of("nsenter", "--net=" + netnsPath());
        }
    }

    /**
     * A further interface of a node on another of the lab's bridges.
     *
     * @param ifname       its name inside the node ("mgmt0")
     * @param hostVeth     its bridge-side end (a cable: down/up acts here)
     * @param address      its IPv4 address
     * @param prefixLength the address's prefix length
     */
    public record ExtraInterface(String ifname, String hostVeth, String address, int prefixLength) {
    }

    /** A loop device backed by an image file in the lab's work directory. */
    public record LoopDevice(Path image, String device) {
    }

    /** The outcome of a command. */
    public record Result(int rc, String stdout, String stderr) {
        public boolean ok() {
            return rc == 0;
        }
    }

    private final String prefix;
    private final Path workDir;
    private final String bridge;
    private final List<Node> nodes = new ArrayList<>();
    private final Node client;
    private final Deque<Process> processes = new ArrayDeque<>();
    /** Further interfaces of nodes (a management port...), by node name: a power-on restores them. */
    private final Map<String, List<ExtraInterface>> extraInterfaces = new java.util.concurrent.ConcurrentHashMap<>();
    /** Namespaces that are not nodes (BMCs on a management network...), by name. */
    private final Map<String, Node> hosts = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<LoopDevice> loops = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetnsLab(int nodeCount, String prefix) throws IOException {
        if (nodeCount < 1 || nodeCount > 80) {
            throw new IllegalArgumentException("node count " + nodeCount + " out of range 1..80");
        }
        this.prefix = prefix;
        this.workDir = Files.createTempDirectory("pulse-lab-" + prefix + "-");
        // Traversable by everyone, like /var/lib: daemons agents start drop to other users (www-data).
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // Lets a later run tear this lab down if this JVM dies without closing it.
        Files.writeString(workDir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
        this.bridge = prefix + "br";
        this.shutdownHook = new Thread(this::cleanup, "netns-lab-cleanup-" + prefix);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        boolean done = false;
        try {
            check(List.of("ip", "link", "add", bridge, "type", "bridge"));
            check(List.of("ip", "link", "set", bridge, "up"));
            for (int i = 1; i <= nodeCount; i++) {
                nodes.add(addNamespace("n" + i, SUBNET_PREFIX + (10 + i)));
            }
            client = addNamespace("client", SUBNET_PREFIX + "100");
            done = true;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    /**
     * Builds a lab with {@code nodeCount} nodes and a client; the caller closes it. Needs root and
     * ip, nsenter, setsid, losetup, mkfs.ext4 (tests call TestEnv.requireRoot() and
     * TestEnv.requireCommand(...) first, so that outside CI they skip). First removes what labs
     * of dead processes left behind. No JUnit dependency here, so benchmark mains can use it too.
     */
    public static NetnsLab create(int nodeCount) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("NetnsLab needs root (network namespaces, veth, bridge, mounts)");
        }
        removeAbandoned();
        byte[] r = new byte[2];
        new SecureRandom().nextBytes(r);
        // "pl" + 4 hex digits: short enough for 15-character interface names with suffixes.
        return new NetnsLab(nodeCount, "pl" + HexFormat.of().formatHex(r));
    }

    /**
     * Tears down labs whose owning process is gone (a JVM killed before close or its shutdown
     * hook could run): each lab's work directory records its owner's PID; only labs whose owner
     * is dead are touched, so parallel runs are safe. Returns the prefixes removed.
     */
    public static List<String> removeAbandoned() {
        List<String> removed = new ArrayList<>();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String n = dir.getFileName().toString();
                Path owner = dir.resolve("owner.pid");
                if (!n.startsWith("pulse-lab-pl") || !Files.isRegularFile(owner)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(owner).strip());
                } catch (NumberFormatException | IOException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                String prefix = n.substring("pulse-lab-".length()).split("-")[0];
                teardown(prefix, dir, List.of());
                removed.add(prefix);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scanning " + tmp + " for abandoned labs", e);
        }
        return removed;
    }

    /** Removes every namespace, link, mount, loop device of a lab by its prefix and work directory. */
    private static List<String> teardown(String prefix, Path workDir, List<String> knownLoops) {
        List<String> problems = new ArrayList<>();
        List<String> netnsNames = new ArrayList<>();
        for (String line : run(List.of("ip", "netns", "list"), Map.of(), COMMAND_TIMEOUT).stdout().split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith(prefix + "-")) {
                netnsNames.add(name);
            }
        }
        // Processes living in the lab's namespaces (daemons agents started): ours by construction.
        // Waited for: the nodes' own mount namespaces, and the mounts in them, go with the last one.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> alive = new ArrayList<>();
        do {
            alive.clear();
            for (String ns : netnsNames) {
                alive.addAll(pidsInNetns(Path.of("/run/netns", ns)));
            }
            if (!alive.isEmpty()) {
                List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
                alive.forEach(pid -> kill.add(Long.toString(pid)));
                run(kill, Map.of(), Duration.ofSeconds(5));
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } while (!alive.isEmpty() && System.nanoTime() < deadline);
        if (!alive.isEmpty()) {
            problems.add("processes " + alive + " in the lab's namespaces survived SIGKILL for 10 s");
        }
        // Mounts under the work directory, deepest first; kill holders, lazy unmount as last resort.
        for (String mp : mountsUnder(workDir)) {
            if (!run(List.of("umount", mp), Map.of(), Duration.ofSeconds(10)).ok()) {
                run(List.of("fuser", "-k", "-KILL", "-m", mp), Map.of(), Duration.ofSeconds(10));
                if (!run(List.of("umount", mp), Map.of(), Duration.ofSeconds(10)).ok()) {
                    Result lazy = run(List.of("umount", "-l", mp), Map.of(), Duration.ofSeconds(10));
                    if (!lazy.ok()) {
                        problems.add("umount " + mp + ": " + lazy.stderr().strip());
                    }
                }
            }
        }
        // Mounts under the work directory still held in another mount namespace: not the lab's
        // processes any more (those are gone), so not ours to kill; say who holds them.
        for (String holder : mountNamespaceHolders(workDir)) {
            problems.add("a mount under " + workDir + " is still held in the mount namespace of " + holder);
        }
        // Loop devices backed by images in the work directory.
        List<String> loopDevs = new ArrayList<>(knownLoops);
        for (String line : run(List.of("losetup", "-a"), Map.of(), COMMAND_TIMEOUT).stdout().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.contains("(" + workDir + "/") && !loopDevs.contains(line.substring(0, colon))) {
                loopDevs.add(line.substring(0, colon));
            }
        }
        for (String dev : loopDevs) {
            Result r = run(List.of("losetup", "-d", dev), Map.of(), Duration.ofSeconds(10));
            if (!r.ok() && !r.stderr().contains("No such device")) {
                problems.add("losetup -d " + dev + ": " + r.stderr().strip());
            }
        }
        // Namespaces (their veth ends go with them), leftover links, the bridge.
        for (String ns : netnsNames) {
            run(List.of("ip", "netns", "del", ns), Map.of(), Duration.ofSeconds(10));
        }
        for (String line : run(List.of("ip", "-o", "link", "show"), Map.of(), COMMAND_TIMEOUT).stdout().split("\n")) {
            String[] f = line.split(":\\s*|\\s+");
            if (f.length > 1) {
                String dev = f[1].split("@")[0];
                if (dev.startsWith(prefix)) {
                    run(List.of("ip", "link", "del", dev), Map.of(), Duration.ofSeconds(10));
                }
            }
        }
        // The work directory, only if nothing is mounted in it any more.
        if (!Files.exists(workDir)) {
            return problems;
        }
        if (mountsUnder(workDir).isEmpty()) {
            try (Stream<Path> walk = Files.walk(workDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                problems.add("delete " + workDir + ": " + e.getMessage());
            }
        } else {
            problems.add("left " + workDir + " because something is still mounted under it");
        }
        return problems;
    }

    /** Processes (pid and command) whose mount namespace holds a mount under dir, one per namespace. */
    private static List<String> mountNamespaceHolders(Path dir) {
        List<String> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        seen.add(mountNamespace(ProcessHandle.current().pid()));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long ns = mountNamespace(Long.parseLong(n));
                if (ns <= 0 || !seen.add(ns)) {
                    continue;
                }
                if (!mountsUnder(dir, p.resolve("mountinfo")).isEmpty()) {
                    String cmd = ProcessHandle.of(Long.parseLong(n)).flatMap(h -> h.info().commandLine()).orElse("?");
                    out.add(n + " (" + cmd + ")");
                }
            }
        } catch (IOException e) {
            out.add("(could not scan /proc: " + e.getMessage() + ")");
        }
        return out;
    }

    private Node addNamespace(String name, String address) throws IOException {
        return addNamespace(name, address, bridge, PREFIX_LENGTH);
    }

    private Node addNamespace(String name, String address, String onBridge, int prefixLength) throws IOException {
        String netns = prefix + "-" + name;
        String hostVeth = prefix + (name.equals("client") ? "c" : name);
        Path rsctmp = workDir.resolve(name).resolve("rsctmp");
        Path runDir = workDir.resolve(name).resolve("run");
        Files.createDirectories(rsctmp);
        Files.createDirectories(runDir);
        Node node = new Node(name, netns, address, hostVeth, rsctmp, runDir);
        Files.createDirectories(node.mountRoot());
        check(List.of("ip", "netns", "add", netns));
        check(List.of("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", IFNAME, "netns", netns));
        check(List.of("ip", "link", "set", hostVeth, "master", onBridge));
        check(List.of("ip", "link", "set", hostVeth, "up"));
        check(inNs(node, "ip", "link", "set", "lo", "up"));
        check(inNs(node, "ip", "link", "set", IFNAME, "up"));
        check(inNs(node, "ip", "addr", "add", address + "/" + prefixLength, "dev", IFNAME));
        return node;
    }

    /**
     * A further bridge of the lab (a management network, say), named after the lab's prefix and
     * {@code suffix} (at most 4 characters), up; close removes it with the rest. Returns its name.
     */
    public String addBridge(String suffix) {
        requireShortSuffix(suffix);
        String name = prefix + suffix;
        check(List.of("ip", "link", "add", name, "type", "bridge"));
        check(List.of("ip", "link", "set", name, "up"));
        return name;
    }

    /**
     * Gives a node a further interface {@code ifname} on {@code onBridge} (made by {@link #addBridge})
     * with {@code address}: a node's management port, say. {@link #powerOn} restores it as it restores
     * eth0, {@link #powerOff} flushes it. Only TEST-NET addresses belong here.
     */
    public ExtraInterface attach(Node node, String onBridge, String ifname, String address, int prefixLength) {
        requireTestNet(address);
        String hostVeth = prefix + node.name() + ifname.charAt(0);
        if (hostVeth.length() > 15) {
            throw new IllegalArgumentException("interface name " + hostVeth + " is longer than 15 characters");
        }
        check(List.of("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", ifname, "netns", node.netns()));
        check(List.of("ip", "link", "set", hostVeth, "master", onBridge));
        check(List.of("ip", "link", "set", hostVeth, "up"));
        check(inNs(node, "ip", "link", "set", ifname, "up"));
        check(inNs(node, "ip", "addr", "add", address + "/" + prefixLength, "dev", ifname));
        ExtraInterface extra = new ExtraInterface(ifname, hostVeth, address, prefixLength);
        extraInterfaces.computeIfAbsent(node.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(extra);
        return extra;
    }

    /** The further interfaces {@link #attach} gave a node. */
    public List<ExtraInterface> extraInterfaces(Node node) {
        return List.copyOf(extraInterfaces.getOrDefault(node.name(), List.of()));
    }

    /**
     * A namespace of its own that is not a cluster node (a BMC, say) with eth0 on {@code onBridge}
     * at {@code address}: exec, start, linkDown/linkUp (its cable) work on it as on a node; close
     * removes it with the rest. {@code name} is at most 4 characters (it names interfaces too).
     */
    public Node addHost(String name, String onBridge, String address, int prefixLength) throws IOException {
        requireShortSuffix(name);
        requireTestNet(address);
        if (name.equals("client") || name.matches("n\\d+") || hosts.containsKey(name)) {
            throw new IllegalArgumentException("host name " + name + " is taken (nodes are n1.., the client is client)");
        }
        Node host = addNamespace(name, address, onBridge, prefixLength);
        hosts.put(name, host);
        return host;
    }

    private static void requireShortSuffix(String suffix) {
        if (!suffix.matches("[a-z0-9]{1,4}")) {
            throw new IllegalArgumentException("'" + suffix + "' must be 1 to 4 lower-case letters or digits (interface names"
                    + " are at most 15 characters)");
        }
    }

    /** Only TEST-NET addresses (RFC 5737) go into the lab. */
    private static void requireTestNet(String address) {
        if (!(address.startsWith("192.0.2.") || address.startsWith("198.51.100.") || address.startsWith("203.0.113."))) {
            throw new IllegalArgumentException("address " + address + " is not in a TEST-NET range (192.0.2.0/24,"
                    + " 198.51.100.0/24, 203.0.113.0/24); the lab uses no other");
        }
    }

    public String prefix() {
        return prefix;
    }

    public Path workDir() {
        return workDir;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Node 1..N. */
    public Node node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    public Node client() {
        return client;
    }

    /** The i-th virtual IP (0-based): 198.51.100.200, .201, … */
    public String vip(int index) {
        if (index < 0 || index > 54) {
            throw new IllegalArgumentException("vip index " + index + " out of range 0..54");
        }
        return SUBNET_PREFIX + (200 + index);
    }

    /** argv that runs {@code command} in {@code node}'s network namespace. */
    public static List<String> inNs(Node node, String... command) {
        List<String> argv = new ArrayList<>(node.nsenter());
        argv.add("--");
        argv.addAll(List.of(command));
        return argv;
    }

    /**
     * Runs a command in a node's network namespace, in the machine's mount namespace (see
     * {@link #execInNode} for the node's own), and waits for it (30 s at most).
     */
    public Result exec(Node node, String... command) {
        return run(inNs(node, command), Map.of(), COMMAND_TIMEOUT);
    }

    /** Runs a command in a node's namespace; throws with its output if it fails. */
    public String execOk(Node node, String... command) {
        Result r = exec(node, command);
        if (!r.ok()) {
            throw new IllegalStateException("in " + node.netns() + ": " + String.join(" ", command) + " → rc "
                    + r.rc() + ": " + r.stderr().strip() + " " + r.stdout().strip());
        }
        return r.stdout();
    }

    /**
     * Starts a long-running process in a node's namespace, in its own session (so close can kill
     * its whole process group), with output appended to {@code log}. The lab stops it at close.
     */
    public Process start(Node node, List<String> command, Map<String, String> env, Path log) throws IOException {
        return start(node, command, env, log, ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }

    /**
     * As {@link #start(Node, List, Map, Path)}, with stdin from {@code stdin}: {@code Redirect.PIPE}
     * for a daemon whose console is its stdin and that ends when it closes (ipmi_sim): the caller
     * holds the pipe open, and the daemon goes with this JVM at the latest.
     */
    public Process start(Node node, List<String> command, Map<String, String> env, Path log, ProcessBuilder.Redirect stdin)
            throws IOException {
        List<String> argv = new ArrayList<>(node.nsenter());
        argv.add("--");
        argv.add("setsid");
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        pb.redirectInput(stdin);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        synchronized (processes) {
            processes.push(p);
        }
        return p;
    }

    /**
     * Starts a node's daemon (crmd) in the node's network namespace and in a mount namespace of its
     * own ({@code unshare --mount --propagation private}), in its own session, output appended to
     * {@code log}. The mount namespace lives as long as the daemon or anything below it (agents,
     * httpd) does; nsenter, unshare and setsid exec in place, so the process is the daemon itself.
     */
    public Process startInOwnMountNamespace(Node node, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        // The new namespace starts as a copy of the machine's. Labs' mounts in it (this lab's or a
        // parallel run's, made with exec) are dropped at once: a private copy would keep another
        // lab's disk mounted, and its loop device attached, until this node dies.
        String labs = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath() + "/pulse-lab-";
        // mountinfo writes a space as \040: printf %b turns it back.
        String dropLabMounts = "p=$PULSE_LAB_MOUNTS; unset PULSE_LAB_MOUNTS;"
                + " awk -v p=\"$p\" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r"
                + " | while read -r mp; do umount -l \"$(printf '%b' \"$mp\")\"; done; exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "env", "PULSE_LAB_MOUNTS=" + labs, "sh", "-c", dropLabMounts, "sh"));
        argv.addAll(command);
        return start(node, argv, env, log);
    }

    /**
     * The mount namespaces of the node's processes other than the machine's own (this JVM's): one
     * process id per namespace (inode → pid). Empty when nothing of the node runs in its own.
     */
    public Map<Long, Long> mountNamespacesOf(Node node) {
        Map<Long, Long> out = new LinkedHashMap<>();
        long host = mountNamespace(ProcessHandle.current().pid());
        for (long pid : processesIn(node)) {
            long ns = mountNamespace(pid);
            if (ns > 0 && ns != host) {
                out.putIfAbsent(ns, pid);
            }
        }
        return out;
    }

    /** The inode of a process's mount namespace, or -1 when it is gone. */
    public static long mountNamespace(long pid) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid), "ns", "mnt"), "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Mount points under the work directory that the node's own mount namespaces hold (what the
     * node sees, as {@code nsenter --mount=/proc/PID/ns/mnt findmnt} would list; read from
     * /proc/PID/mountinfo), deepest first. Mounts made by {@link #exec} (the machine's) are not here.
     */
    public List<String> mountsSeenBy(Node node) {
        List<String> out = new ArrayList<>();
        for (long pid : mountNamespacesOf(node).values()) {
            for (String mp : mountsUnder(workDir, Path.of("/proc", Long.toString(pid), "mountinfo"))) {
                if (!out.contains(mp)) {
                    out.add(mp);
                }
            }
        }
        out.sort(Comparator.comparingInt(String::length).reversed());
        return out;
    }

    /**
     * Runs a command inside the node as its daemon sees it: its network namespace and, when its
     * processes have one, their own mount namespace (else the machine's).
     */
    public Result execInNode(Node node, String... command) {
        List<String> argv = new ArrayList<>(node.nsenter());
        mountNamespacesOf(node).values().stream().findFirst()
                .ifPresent(pid -> argv.add("--mount=/proc/" + pid + "/ns/mnt"));
        argv.add("--");
        argv.addAll(List.of(command));
        return run(argv, Map.of(), COMMAND_TIMEOUT);
    }

    /** Cuts a node's cable: its interface loses carrier, its addresses stay. */
    public void linkDown(Node node) {
        check(List.of("ip", "link", "set", node.hostVeth(), "down"));
    }

    public void linkUp(Node node) {
        check(List.of("ip", "link", "set", node.hostVeth(), "up"));
    }

    /**
     * Kills every process living in the node's network namespace with SIGKILL (the processes the
     * lab started there and the daemons agents started). Returns how many were signalled.
     */
    public int killAll(Node node) {
        List<Long> pids = processesIn(node);
        for (long pid : pids) {
            run(List.of("kill", "-KILL", Long.toString(pid)), Map.of(), Duration.ofSeconds(5));
        }
        return pids.size();
    }

    /**
     * Waits until no process lives in the node's network namespace any more (zombies hold no
     * namespace), so the kernel has dropped the node's own mount namespaces and their mounts.
     * Returns the pids still there after {@code timeoutMs} (empty when all are gone).
     */
    public List<Long> awaitNoProcesses(Node node, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        List<Long> left = processesIn(node);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = processesIn(node);
        }
        return left;
    }

    /** How long a power-off waits for the node's killed processes to be gone before it reports them. */
    private static final long POWER_OFF_WAIT_MS = 30_000;

    /**
     * The power switch's "off", as fence_pulse_sim does it: the node's cable is cut, everything
     * running in it is killed and waited for (so its own mount namespace, with its mounts, is gone
     * and shared storage is free for another node, exactly as after a real power cut), every
     * interface of its namespace loses its addresses and goes down (a machine that is off holds no
     * address), and its HA_RSCTMP is emptied (it models /run, a tmpfs, lost at power-off); its run
     * directory survives, as a disk would. Mounts made by hand with {@link #exec} under its
     * {@link Node#mountRoot()} (the machine's mount namespace) are dropped too.
     */
    public void powerOff(Node node) {
        linkDown(node);
        // Bounded by time, not rounds: at load ~33 a killed JVM took over 5 s to leave (50 rounds of 100 ms
        // stopped a restart soak), as it unmaps its heap and threads while waiting for a core.
        long deadline = System.nanoTime() + POWER_OFF_WAIT_MS * 1_000_000L;
        while (!processesIn(node).isEmpty() && System.nanoTime() < deadline) {
            killAll(node); // again: a process forked while the first round was killing
            awaitNoProcesses(node, 100);
        }
        List<Long> left = processesIn(node);
        if (!left.isEmpty()) {
            throw new IllegalStateException("power-off of " + node.name() + ": processes " + left
                    + " are still alive after SIGKILL");
        }
        String root = node.mountRoot().toString() + "/";
        for (String mp : mountsUnderWorkDir()) {
            if (mp.startsWith(root)) {
                run(List.of("fuser", "-k", "-KILL", "-m", mp), Map.of(), Duration.ofSeconds(10));
                if (!run(List.of("umount", mp), Map.of(), Duration.ofSeconds(10)).ok()) {
                    run(List.of("umount", "-l", mp), Map.of(), Duration.ofSeconds(10));
                }
            }
        }
        // A powered-off node holds no address at all (its VIPs included): the next boot starts clean.
        List<String> ifcs = new ArrayList<>(List.of("lo", IFNAME));
        extraInterfaces(node).forEach(x -> ifcs.add(x.ifname()));
        for (String ifc : ifcs) {
            exec(node, "ip", "addr", "flush", "dev", ifc);
            exec(node, "ip", "link", "set", ifc, "down");
        }
        emptyRsctmp(node);
    }

    /**
     * Empties the node's HA_RSCTMP. The cluster's fencer (fence_pulse_sim off, run by a survivor) empties the same
     * directory at the same moment when the bench's own power-off and the cluster's fence overlap: a file it
     * removed while the walk listed it is simply gone, and the walk starts over (bench/failover stopped on
     * NoSuchFileException once the fence came fast enough to overlap).
     */
    private void emptyRsctmp(Node node) {
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> walk = Files.walk(node.rsctmp())) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(node.rsctmp())) {
                        Files.deleteIfExists(p);
                    }
                }
                return;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt >= 10) {
                    throw new UncheckedIOException("emptying " + node.rsctmp() + " at power-off", e.getCause());
                }
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt >= 10) {
                    throw new UncheckedIOException("emptying " + node.rsctmp() + " at power-off", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("emptying " + node.rsctmp() + " at power-off", e);
            }
        }
    }

    /**
     * The power switch's "on" and the boot's network setup: the cable is back, lo and eth0 are up,
     * eth0 has the node's own address again (and nothing else), and so has every interface
     * {@link #attach} gave it (its cable back too); the node's software must be started again.
     */
    public void powerOn(Node node) {
        linkUp(node);
        check(inNs(node, "ip", "link", "set", "lo", "up"));
        check(inNs(node, "ip", "link", "set", IFNAME, "up"));
        check(inNs(node, "ip", "addr", "replace", node.address() + "/" + PREFIX_LENGTH, "dev", IFNAME));
        for (ExtraInterface x : extraInterfaces(node)) {
            check(List.of("ip", "link", "set", x.hostVeth(), "up"));
            check(inNs(node, "ip", "link", "set", x.ifname(), "up"));
            check(inNs(node, "ip", "addr", "replace", x.address() + "/" + x.prefixLength(), "dev", x.ifname()));
        }
    }

    /** The MAC address of a node's eth0. */
    public String mac(Node node) {
        String out = execOk(node, "ip", "-o", "link", "show", "dev", IFNAME);
        int i = out.indexOf("link/ether ");
        if (i < 0) {
            throw new IllegalStateException("no MAC address in: " + out);
        }
        return out.substring(i + 11).split("\\s+")[0].toLowerCase();
    }

    /** The MAC address {@code node}'s neighbour table holds for {@code ip}, if any. */
    public Optional<String> neighbourMac(Node node, String ip) {
        String out = exec(node, "ip", "neigh", "show", ip, "dev", IFNAME).stdout();
        int i = out.indexOf("lladdr ");
        if (i < 0) {
            return Optional.empty();
        }
        return Optional.of(out.substring(i + 7).split("\\s+")[0].toLowerCase());
    }

    /** True if {@code from} gets an ICMP echo reply from {@code ip} within {@code timeoutMs}. */
    public boolean ping(Node from, String ip, long timeoutMs) {
        long secs = Math.max(1, (timeoutMs + 999) / 1000);
        return exec(from, "ping", "-n", "-q", "-c", "1", "-i", "0.2", "-w", Long.toString(secs), ip).ok();
    }

    /** An HTTP GET from {@code from}; the body, or empty when it fails. */
    public Optional<String> httpGet(Node from, String url, long timeoutMs) {
        String secs = String.format("%.3f", timeoutMs / 1000.0);
        Result r = exec(from, "curl", "-s", "-f", "--max-time", secs, url);
        return r.ok() ? Optional.of(r.stdout()) : Optional.empty();
    }

    /** A fresh ext4 image of {@code sizeMb} MiB on a loop device; detached at close. */
    public LoopDevice loopImage(String name, int sizeMb) throws IOException {
        Path image = workDir.resolve(name + ".img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength((long) sizeMb * 1024 * 1024);
        }
        check(List.of("mkfs.ext4", "-q", "-F", image.toString()));
        String dev = check(List.of("losetup", "-f", "--show", image.toString())).strip();
        LoopDevice loop = new LoopDevice(image, dev);
        synchronized (loops) {
            loops.add(loop);
        }
        return loop;
    }

    /** A directory under the lab's work directory (mount points go here, so close finds them). */
    public Path dir(String name) throws IOException {
        return Files.createDirectories(workDir.resolve(name));
    }

    /** Mount points currently under the work directory, deepest first. */
    public List<String> mountsUnderWorkDir() {
        return mountsUnder(workDir);
    }

    private static List<String> mountsUnder(Path dir) {
        return mountsUnder(dir, Path.of("/proc/self/mountinfo"));
    }

    /** Mount points under dir in one mount namespace's mountinfo, deepest first; empty if it is gone. */
    private static List<String> mountsUnder(Path dir, Path mountinfo) {
        List<String> found = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            if (!mountinfo.startsWith("/proc/self")) {
                return found; // the process (and maybe its namespace) is gone
            }
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                String mp = unescape(f[4]);
                if (mp.startsWith(dir.toString() + "/")) {
                    found.add(mp);
                }
            }
        }
        found.sort(Comparator.comparingInt(String::length).reversed());
        return found;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** PIDs of processes living in {@code node}'s network namespace. */
    public List<Long> processesIn(Node node) {
        return pidsInNetns(node.netnsPath());
    }

    private static List<Long> pidsInNetns(Path netnsFile) {
        List<Long> pids = new ArrayList<>();
        String target;
        try {
            target = "net:[" + Files.getAttribute(netnsFile, "unix:ino") + "]";
        } catch (IOException | UnsupportedOperationException e) {
            return pids;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (target.equals(Files.readSymbolicLink(p.resolve("ns/net")).toString())) {
                        pids.add(Long.parseLong(n));
                    }
                } catch (IOException ignored) {
                    // gone, or a kernel thread: not ours
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** Runs a command in the root namespace. */
    public static Result run(List<String> argv, Map<String, String> env, Duration timeout) {
        try {
            Path out = Files.createTempFile("lab-out", ".txt");
            Path err = Files.createTempFile("lab-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv);
                pb.environment().putAll(env);
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                // Files, not pipes: a background child that keeps stdout open must not stall us.
                pb.redirectOutput(out.toFile());
                pb.redirectError(err.toFile());
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return new Result(124, Files.readString(out), Files.readString(err) + "\n(timed out after "
                            + timeout.toMillis() + " ms)");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        }
    }

    private static String check(List<String> argv) {
        Result r = run(argv, Map.of(), COMMAND_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (rc " + r.rc() + "): "
                    + r.stderr().strip() + " " + r.stdout().strip());
        }
        return r.stdout();
    }

    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down and runs the hook itself
        }
    }

    /** Best effort, every step independent: a failure in one must not leave the rest behind. */
    private synchronized void cleanup() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = new ArrayList<>();
        // 1. Processes we started, by process group (each runs in its own session).
        synchronized (processes) {
            for (Process p : processes) {
                if (p.isAlive()) {
                    run(List.of("kill", "-KILL", "--", "-" + p.pid()), Map.of(), Duration.ofSeconds(5));
                    p.destroyForcibly();
                }
            }
            for (Process p : processes) {
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        // 2. Everything else the lab made, found by its prefix and work directory.
        List<String> knownLoops = new ArrayList<>();
        synchronized (loops) {
            loops.forEach(l -> knownLoops.add(l.device()));
            loops.clear();
        }
        problems.addAll(teardown(prefix, workDir, knownLoops));
        if (!problems.isEmpty()) {
            System.err.println("NetnsLab " + prefix + " cleanup problems: " + String.join("; ", problems));
        }
    }

    /** A short description for logs. */
    @Override
    public String toString() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Node n : nodes) {
            m.put(n.name(), n.address());
        }
        m.put("client", client == null ? "?" : client.address());
        return "NetnsLab[" + prefix + " " + m + " work=" + workDir + "]";
    }
}
