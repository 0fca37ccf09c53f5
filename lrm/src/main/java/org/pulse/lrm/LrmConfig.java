package org.pulse.lrm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where agents live and how they are run on this node. Every path is overridable so that several
 * simulated nodes can share one machine (each with its own {@code HA_RSCTMP} and network namespace).
 *
 * @param agentDirs      OCF search path: directories that each contain {@code resource.d/PROVIDER/TYPE};
 *                       the first match wins, as with Pacemaker's {@code OCF_RA_PATH}
 * @param ocfRoot        the value of {@code OCF_ROOT} given to every OCF agent. ClusterLabs agents source
 *                       {@code $OCF_ROOT/lib/heartbeat/ocf-shellfuncs}, so this stays {@code /usr/lib/ocf}
 *                       even for agents found in another directory
 * @param lsbDir         where {@code lsb:NAME} init scripts are ({@code /etc/init.d})
 * @param stonithDirs    where {@code stonith:fence_xyz} fence agents are ({@code /usr/sbin})
 * @param nodeName       this node's name: {@code on_node} of the history records
 * @param haRsctmp       {@code HA_RSCTMP} for the agents (state files), or null to inherit the default
 *                       ({@code /run/resource-agents})
 * @param extraEnv       further variables for every agent, e.g. {@code HA_VARRUN}, {@code HA_SBIN_DIR}
 * @param netns          a network namespace file (e.g. {@code /run/netns/node1}) to run agents in (through
 *                       {@code nsenter --net=}: the net namespace only, so mounts stay visible), or null
 * @param crmFeatureSet  given to OCF agents as {@code OCF_RESKEY_crm_feature_set} unless the request has it
 * @param maxOutputBytes bytes of stdout and of stderr kept per operation; the rest is counted and dropped
 * @param drainMs        after the agent's main process exits, how long to wait for its pipes to reach EOF
 *                       before taking what was read (a background child may hold them open)
 * @param setsidCommand  util-linux {@code setsid}: puts the agent in its own process group (pid == pgid)
 * @param nsenterCommand util-linux {@code nsenter}
 * @param killCommand    a {@code kill} that signals process groups ({@code kill -KILL -- -PGID})
 * @param killGraceMs    after the deadline's SIGKILL, how long to wait for the agent's main process to be
 *                       reaped before reporting the timeout anyway (a process in uninterruptible sleep, or one
 *                       a tracer holds, outlives SIGKILL); it is then reaped in the background, never waited
 *                       on. Kept below the DC's action margin so the node's own timeout reaches the DC first
 * @param traceDir       where an operation traced with {@code trace_ra=1} (crm resource trace) leaves its trace when
 *                       it names no {@code trace_dir}: given to the agent as {@code OCF_RESKEY_trace_dir}, under which
 *                       ClusterLabs' ocf-shellfuncs and Pulse's ocf-pulse.sh write TYPE/RSC.ACTION.DATE (Pacemaker's
 *                       default is /var/lib/heartbeat/trace_ra); null leaves the agent's own default
 */
public record LrmConfig(List<Path> agentDirs, Path ocfRoot, Path lsbDir, List<Path> stonithDirs, String nodeName,
                        Path haRsctmp, Map<String, String> extraEnv, Path netns, String crmFeatureSet,
                        int maxOutputBytes, long drainMs, String setsidCommand, String nsenterCommand,
                        String killCommand, long killGraceMs, Path traceDir) {
    /** Default {@link #killGraceMs}: under crmd's default action margin (5 s), so the node reports first. */
    public static final long DEFAULT_KILL_GRACE_MS = 2_000;
    public static final Path DEFAULT_OCF_ROOT = Path.of("/usr/lib/ocf");
    /** Pacemaker 2.1.5's feature set, as its DC puts it into every operation's parameters. */
    public static final String DEFAULT_CRM_FEATURE_SET = "3.16.1";

    public LrmConfig {
        agentDirs = List.copyOf(agentDirs);
        Objects.requireNonNull(ocfRoot, "ocfRoot");
        Objects.requireNonNull(lsbDir, "lsbDir");
        stonithDirs = List.copyOf(stonithDirs);
        Objects.requireNonNull(nodeName, "nodeName");
        extraEnv = Map.copyOf(extraEnv);
        Objects.requireNonNull(crmFeatureSet, "crmFeatureSet");
        if (maxOutputBytes < 1024) {
            throw new IllegalArgumentException("maxOutputBytes " + maxOutputBytes + " is too small (at least 1024)");
        }
        if (drainMs < 0) {
            throw new IllegalArgumentException("drainMs must not be negative: " + drainMs);
        }
        if (killGraceMs < 0) {
            throw new IllegalArgumentException("killGraceMs must not be negative: " + killGraceMs);
        }
    }

    /** ClusterLabs' agents, /etc/init.d, fence agents in /usr/sbin; node name from the host. */
    public static LrmConfig defaults() {
        return new LrmConfig(List.of(DEFAULT_OCF_ROOT), DEFAULT_OCF_ROOT, Path.of("/etc/init.d"),
                List.of(Path.of("/usr/sbin"), Path.of("/sbin")), hostName(), null, Map.of(), null,
                DEFAULT_CRM_FEATURE_SET, 64 * 1024, 100, "setsid", "nsenter", firstExisting("/bin/kill", "/usr/bin/kill"),
                DEFAULT_KILL_GRACE_MS, null);
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (Exception e) {
                h = "localhost";
            }
        }
        return h;
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "kill";
    }

    public LrmConfig withAgentDirs(List<Path> dirs) {
        return new LrmConfig(dirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    /** The search path with {@code dir} searched first (e.g. Pulse's own agents before ClusterLabs'). */
    public LrmConfig withAgentDirFirst(Path dir) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(dir);
        dirs.addAll(agentDirs);
        return withAgentDirs(dirs);
    }

    public LrmConfig withOcfRoot(Path root) {
        return new LrmConfig(agentDirs, root, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withLsbDir(Path dir) {
        return new LrmConfig(agentDirs, ocfRoot, dir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withStonithDirs(List<Path> dirs) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, dirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withNodeName(String name) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, name, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withHaRsctmp(Path dir) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, dir, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    /** Adds (or replaces) one variable given to every agent. */
    public LrmConfig withEnv(String name, String value) {
        Map<String, String> env = new TreeMap<>(extraEnv);
        env.put(name, value);
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, env, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withNetns(Path netnsFile) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netnsFile,
                crmFeatureSet, maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withMaxOutputBytes(int bytes) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                bytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withDrainMs(long ms) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, ms, setsidCommand, nsenterCommand, killCommand, killGraceMs, traceDir);
    }

    public LrmConfig withKillGraceMs(long ms) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, ms, traceDir);
    }

    public LrmConfig withTraceDir(Path dir) {
        return new LrmConfig(agentDirs, ocfRoot, lsbDir, stonithDirs, nodeName, haRsctmp, extraEnv, netns, crmFeatureSet,
                maxOutputBytes, drainMs, setsidCommand, nsenterCommand, killCommand, killGraceMs, dir);
    }
}
