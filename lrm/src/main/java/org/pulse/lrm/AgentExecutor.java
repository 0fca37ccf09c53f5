package org.pulse.lrm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one action of one agent, synchronously, on the calling thread: the building block of {@link Lrm} and
 * of {@link RaTester}. No queueing here; callers that need one operation per resource use {@link Lrm}.
 * Thread-safe. Close it to stop the threads that read agents' output.
 */
public final class AgentExecutor implements AutoCloseable {
    /** Pacemaker's CRMD_METADATA_CALL_TIMEOUT. */
    public static final long METADATA_TIMEOUT_MS = 30_000;
    private static final Set<String> LSB_ACTIONS = Set.of("start", "stop", "monitor", "status", "restart",
            "force-reload", "meta-data");
    private static final Set<String> STONITH_ACTIONS = Set.of("start", "stop", "monitor", "status", "off", "on",
            "reboot", "list", "meta-data", "metadata", "validate-all");

    private final LrmConfig config;
    private final Clock clock;
    private final AgentCatalog catalog;
    private final ExecutorService readers;
    private final ProcessRunner runner;
    private final Map<AgentRef, AgentMetadata> metadataCache = new ConcurrentHashMap<>();
    /** Fence devices registered on this node (kept in HA_RSCTMP, so they outlive this executor). */
    private final FenceRegistry fenceDevices;

    public AgentExecutor(LrmConfig config) {
        this(config, Clock.systemUTC());
    }

    public AgentExecutor(LrmConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.catalog = new AgentCatalog(config);
        this.fenceDevices = new FenceRegistry(config.haRsctmp());
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lrm-output-" + n.incrementAndGet());
            t.setDaemon(true); // a background child holding a pipe open must not keep the JVM alive
            return t;
        });
        this.runner = new ProcessRunner(config, readers, clock);
    }

    public LrmConfig config() {
        return config;
    }

    public AgentCatalog catalog() {
        return catalog;
    }

    /** Runs the action once and returns when the agent's main process has exited (or was killed). */
    public ExecOutcome execute(OperationRequest req) {
        return execute(req, new ProcessRunner.Control());
    }

    ExecOutcome execute(OperationRequest req, ProcessRunner.Control control) {
        AgentRef agent = req.agent();
        Optional<Path> found = catalog.locate(agent);
        if (found.isEmpty()) {
            return ExecOutcome.immediate(OcfRc.ERR_INSTALLED, ExecStatus.NOT_INSTALLED, "agent " + agent
                    + " is not installed: no file at " + catalog.searchPath(agent), clock.instant());
        }
        Path path = found.get();
        if (Files.isDirectory(path)) {
            return ExecOutcome.immediate(OcfRc.ERR_INSTALLED, ExecStatus.NOT_INSTALLED, "agent " + agent + " at "
                    + path + " is a directory, not an executable", clock.instant());
        }
        if (!Files.isExecutable(path)) {
            // execvp would fail with EACCES: Pacemaker reports insufficient privilege (4).
            return ExecOutcome.immediate(OcfRc.ERR_PERM, ExecStatus.ERROR, "agent " + agent + " at " + path
                    + " is not executable: chmod +x it", clock.instant());
        }
        switch (agent.standard()) {
            case AgentRef.LSB:
                return executeLsb(path, req, control);
            case AgentRef.STONITH:
                return executeStonith(path, req, control);
            default:
                return run(agent.standard(), req.action(), Invocations.ocf(config, path, req), control);
        }
    }

    private ExecOutcome executeLsb(Path path, OperationRequest req, ProcessRunner.Control control) {
        if (!LSB_ACTIONS.contains(req.action())) {
            return ExecOutcome.immediate(OcfRc.ERR_UNIMPLEMENTED, ExecStatus.NOT_SUPPORTED, "init scripts (lsb) have no '"
                    + req.action() + "' action: they support start, stop and status (monitor)", clock.instant());
        }
        if (req.action().equals("meta-data")) {
            String xml = LsbMetadata.generate(req.agent().type(), path);
            return new ExecOutcome(0, ExecStatus.DONE, "", xml, "", 0, clock.instant(), 0, -1);
        }
        return run(AgentRef.LSB, req.action(), Invocations.lsb(config, path, req), control);
    }

    private ExecOutcome executeStonith(Path path, OperationRequest req, ProcessRunner.Control control) {
        String action = req.action();
        if (!STONITH_ACTIONS.contains(action)) {
            return ExecOutcome.immediate(OcfRc.ERR_UNIMPLEMENTED, ExecStatus.NOT_SUPPORTED, "fence agents (stonith) have no '"
                    + action + "' action: use start, stop, monitor, off, on, reboot, status or list", clock.instant());
        }
        // What Pacemaker's fencer would answer: a device is running here when it is registered and its own
        // monitor passes; "not running" (7) only when it truly is not (never registered here, or stopped).
        switch (action) {
            case "start": {
                // Starting a fence device means "it is usable from here": its monitor must pass.
                ExecOutcome o = runDeviceMonitor(path, req, control);
                if (o.rc() == OcfRc.SUCCESS && o.status() == ExecStatus.DONE) {
                    fenceDevices.register(req.resourceId());
                }
                return o;
            }
            case "stop":
                fenceDevices.unregister(req.resourceId());
                return ExecOutcome.immediate(OcfRc.SUCCESS, ExecStatus.DONE, "", clock.instant());
            case "monitor": {
                String id = req.resourceId();
                if (fenceDevices.wasStoppedHere(id)) {
                    return ExecOutcome.immediate(OcfRc.NOT_RUNNING, ExecStatus.DONE, "", clock.instant());
                }
                if (!req.isRecurring() && !fenceDevices.isRegistered(id)) {
                    // A probe: never registered on this node since it booted, so not running here (the
                    // fencer of a node that did not start the device has nothing to say about it either).
                    return ExecOutcome.immediate(OcfRc.NOT_RUNNING, ExecStatus.DONE, "", clock.instant());
                }
                // A recurring monitor exists only for a device the controller holds started here, whether or
                // not this LRM saw that start (a crmd restart, a start the controller acknowledged itself):
                // ask the device. Its failure is a failure (an unreachable switch), never "not running".
                // It registers nothing: a controller that acknowledges starts itself acknowledges stops
                // too, so a registration made here could never be undone, and a later probe would find
                // the device "running" on a node it left.
                return runDeviceMonitor(path, req, control);
            }
            case "meta-data":
                return run(AgentRef.STONITH, "metadata", Invocations.stonith(config, path, req, "metadata"), control);
            default:
                return run(AgentRef.STONITH, action, Invocations.stonith(config, path, req, action), control);
        }
    }

    /**
     * The device's own check, {@code monitor}, as Pacemaker's fencer runs it. Any failure maps to 1 (see
     * {@link ResultMapper#stonith}): a broken switch is an error to recover from, never "not running".
     */
    private ExecOutcome runDeviceMonitor(Path path, OperationRequest req, ProcessRunner.Control control) {
        return run(AgentRef.STONITH, "monitor", Invocations.stonith(config, path, req, "monitor"), control);
    }

    private ExecOutcome run(String standard, String action, Invocation inv, ProcessRunner.Control control) {
        RawExecution raw = runner.run(inv, control);
        ResultMapper.Mapped m = ResultMapper.map(standard, action, raw, inv.timeoutMs());
        return new ExecOutcome(m.rc(), m.status(), m.reason(), raw.stdout().text(), raw.stderr().text(),
                raw.stdout().droppedBytes() + raw.stderr().droppedBytes(), raw.startedAt(), raw.execTimeMs(), raw.pid());
    }

    /**
     * The agent's meta-data, read once and cached (as Pacemaker's controller does): {@code meta-data} with no
     * parameters, {@code OCF_RESOURCE_INSTANCE} = the agent type, a 30 s timeout. Failures are not cached.
     */
    public AgentMetadata metadata(AgentRef agent) throws MetadataException {
        AgentMetadata cached = metadataCache.get(agent);
        if (cached != null) {
            return cached;
        }
        AgentMetadata md = MetadataParser.parse(agent, metadataXml(agent));
        metadataCache.put(agent, md);
        return md;
    }

    /** The raw meta-data XML, not cached; throws when the agent fails or prints nothing. */
    public String metadataXml(AgentRef agent) throws MetadataException {
        OperationRequest req = new OperationRequest(agent.type(), agent, "meta-data", 0, METADATA_TIMEOUT_MS,
                Map.of(), Map.of(), null, 0);
        ExecOutcome o = execute(req);
        if (o.status() != ExecStatus.DONE || o.rc() != OcfRc.SUCCESS) {
            throw new MetadataException("meta-data of " + agent + " failed: rc " + o.rc() + " (" + OcfRc.name(o.rc())
                    + "), " + o.status().name().toLowerCase().replace('_', ' ')
                    + (o.exitReason().isEmpty() ? "" : ": " + o.exitReason()));
        }
        if (o.stdout().isBlank()) {
            throw new MetadataException("meta-data of " + agent + " printed nothing on stdout (rc 0)");
        }
        return o.stdout();
    }

    /** Forget cached meta-data (after agents were upgraded). */
    public void forgetMetadata() {
        metadataCache.clear();
    }

    /**
     * Checks, by running one process, that agents really get their own process group: the pid Java sees must
     * be the pid and the process group id the process itself reports. Otherwise a timeout kill would miss the
     * agent's children (or worse). Returns a one-line description; throws when the check fails.
     */
    public String verifyProcessGroups() {
        Invocation inv = new Invocation(List.of("/bin/cat", "/proc/self/stat"), Map.of(), List.of(), null, 10_000);
        RawExecution raw = null;
        String stat = "";
        // Output is collected for drainMs after the process exits; a reader thread that the JVM's start-up on
        // busy cores did not schedule in time leaves it empty (seen once in CI while three nodes started): ask
        // again rather than refusing to start.
        for (int attempt = 0; attempt < 3 && stat.isBlank(); attempt++) {
            raw = runner.run(inv, new ProcessRunner.Control());
            if (raw.spawnError() != null) {
                throw new IllegalStateException("cannot run agents: " + raw.spawnError()
                        + " (is util-linux's setsid installed? LrmConfig.setsidCommand=" + config.setsidCommand() + ")");
            }
            stat = raw.stdout().text();
        }
        try {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
            long pgid = Long.parseLong(f[2]);
            long sid = Long.parseLong(f[3]);
            if (pid != raw.pid() || pgid != pid) {
                throw new IllegalStateException("agents would not lead their own process group: Java started pid "
                        + raw.pid() + ", the agent saw pid " + pid + " in group " + pgid + " (setsid forked instead of"
                        + " exec'ing in place); timeouts could not kill an agent's children");
            }
            return "agents run as their own process group and session (pid " + pid + " = pgid " + pgid + " = sid " + sid + ")";
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw new IllegalStateException("could not read the test process's /proc/self/stat: '" + stat.strip() + "'", e);
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }

    /** For LSB scripts Pacemaker makes meta-data up from the LSB header; so do we. */
    static final class LsbMetadata {
        private LsbMetadata() {
        }

        static String generate(String name, Path script) {
            String shortDesc = name;
            String desc = "";
            try {
                boolean in = false;
                for (String line : Files.readAllLines(script, StandardCharsets.ISO_8859_1)) {
                    if (line.startsWith("### BEGIN INIT INFO")) {
                        in = true;
                    } else if (line.startsWith("### END INIT INFO")) {
                        break;
                    } else if (in && line.startsWith("# Short-Description:")) {
                        shortDesc = line.substring("# Short-Description:".length()).strip();
                    } else if (in && line.startsWith("# Description:")) {
                        desc = line.substring("# Description:".length()).strip();
                    }
                }
            } catch (IOException e) {
                // No header: the name stands for the description.
            }
            return "<?xml version=\"1.0\"?>\n<resource-agent name=\"" + xml(name) + "\" version=\"0.1\">\n"
                    + "  <version>1.0</version>\n"
                    + "  <longdesc lang=\"en\">" + xml(desc) + "</longdesc>\n"
                    + "  <shortdesc lang=\"en\">" + xml(shortDesc) + "</shortdesc>\n"
                    + "  <parameters/>\n  <actions>\n"
                    + "    <action name=\"meta-data\" timeout=\"5s\"/>\n"
                    + "    <action name=\"start\" timeout=\"15s\"/>\n"
                    + "    <action name=\"stop\" timeout=\"15s\"/>\n"
                    + "    <action name=\"status\" timeout=\"15s\"/>\n"
                    + "    <action name=\"restart\" timeout=\"15s\"/>\n"
                    + "    <action name=\"force-reload\" timeout=\"15s\"/>\n"
                    + "    <action name=\"monitor\" timeout=\"15s\" interval=\"15s\"/>\n"
                    + "  </actions>\n  <special tag=\"LSB\"/>\n</resource-agent>\n";
        }

        private static String xml(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
