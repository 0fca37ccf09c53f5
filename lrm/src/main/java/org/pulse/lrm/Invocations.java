package org.pulse.lrm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The argv, environment and stdin of an agent call: a pure function of the configuration and the request
 * (ocf-contract §3). Kept apart from running so tests can check the environment exactly.
 */
final class Invocations {
    static final String RESKEY = "OCF_RESKEY_";
    static final String META = "OCF_RESKEY_CRM_meta_";
    static final String CHECK_LEVEL = "OCF_CHECK_LEVEL";
    /**
     * Inherited variables that would otherwise leak the daemon's own settings into every agent as if they were
     * parameters of the resource; each call gets exactly its own.
     */
    static final List<String> DROPPED_PREFIXES = List.of(RESKEY, CHECK_LEVEL, "OCF_RESOURCE_");

    private Invocations() {
    }

    /** An OCF action: argv [path, action], the variables of ocf-contract §3.1/3.2, stdin /dev/null. */
    static Invocation ocf(LrmConfig config, Path path, OperationRequest req) {
        Map<String, String> env = baseEnv(config);
        env.put("OCF_ROOT", config.ocfRoot().toString());
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "1");
        env.put("OCF_RESOURCE_INSTANCE", req.resourceId());
        env.put("OCF_RESOURCE_TYPE", req.agent().type());
        env.put("OCF_RESOURCE_PROVIDER", req.agent().provider());
        env.put("OCF_EXIT_REASON_PREFIX", OutputCapture.EXIT_REASON_PREFIX);
        boolean metadata = req.action().equals("meta-data");
        if (!metadata) {
            for (Map.Entry<String, String> p : req.params().entrySet()) {
                // OCF_CHECK_LEVEL is special-cased by Pacemaker: an op attribute passed without the prefix.
                env.put(p.getKey().equals(CHECK_LEVEL) ? CHECK_LEVEL : RESKEY + p.getKey(), p.getValue());
            }
            env.putIfAbsent(RESKEY + "crm_feature_set", config.crmFeatureSet());
            if (config.traceDir() != null && isTrue(req.params().get("trace_ra"))) {
                // crm resource trace: the agent traces itself (ocf-shellfuncs, ocf-pulse.sh) into trace_dir, here this
                // node's own directory unless the operator named one; the agents' default is Pacemaker's
                // /var/lib/heartbeat, which is no place of Pulse's
                env.putIfAbsent(RESKEY + "trace_dir", config.traceDir().toString());
            }
            for (Map.Entry<String, String> m : req.meta().entrySet()) {
                String k = m.getKey();
                if (k.equals("timeout") || k.equals("interval") || k.equals("name")) {
                    continue; // from the request's own fields below, so they cannot disagree
                }
                env.put(META + k, isNotifyList(k) && m.getValue().isEmpty() ? " " : m.getValue());
            }
            env.put(META + "timeout", Long.toString(req.timeoutMs()));
            if (req.intervalMs() > 0) {
                // Only recurring operations carry an interval: ocf_is_probe() relies on its absence.
                env.put(META + "interval", Long.toString(req.intervalMs()));
                env.put(META + "name", req.action());
            }
        }
        return new Invocation(List.of(path.toString(), req.action()), env, DROPPED_PREFIXES, null, req.timeoutMs());
    }

    /** ocf_is_true's reading of a value: yes, true, 1, on (any case). */
    static boolean isTrue(String v) {
        return v != null && java.util.Set.of("yes", "true", "1", "on", "y").contains(v.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The notify lists (ocf-contract §3.2): Pacemaker passes an empty list as a single space, and agents test
     * for that.
     */
    static boolean isNotifyList(String metaKey) {
        return metaKey.startsWith("notify_")
                && (metaKey.endsWith("_resource") || metaKey.endsWith("_uname") || metaKey.endsWith("_hosts"));
    }

    /** An init script: argv [path, action] with monitor run as status; no OCF variables. */
    static Invocation lsb(LrmConfig config, Path path, OperationRequest req) {
        String action = req.action().equals("monitor") ? "status" : req.action();
        return new Invocation(List.of(path.toString(), action), baseEnv(config), DROPPED_PREFIXES, null, req.timeoutMs());
    }

    /**
     * A fence agent (fence-agents interface): no arguments, {@code key=value} lines on stdin, the action as
     * {@code action=}. Parameters go through as given except {@code pcmk_*} (the fencer's own settings) and
     * {@code crm_feature_set}.
     */
    static Invocation stonith(LrmConfig config, Path path, OperationRequest req, String agentAction) {
        StringBuilder in = new StringBuilder();
        in.append("action=").append(agentAction).append('\n');
        for (Map.Entry<String, String> p : req.params().entrySet()) {
            String k = p.getKey();
            if (k.startsWith("pcmk_") || k.equals("crm_feature_set") || k.equals("action")) {
                continue;
            }
            if (p.getValue().indexOf('\n') >= 0 || k.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("fence parameter " + k + " of " + req.resourceId()
                        + " contains a newline, which the key=value stdin protocol cannot carry");
            }
            in.append(k).append('=').append(p.getValue()).append('\n');
        }
        return new Invocation(List.of(path.toString()), baseEnv(config), DROPPED_PREFIXES,
                in.toString().getBytes(StandardCharsets.UTF_8), req.timeoutMs());
    }

    private static Map<String, String> baseEnv(LrmConfig config) {
        Map<String, String> env = new TreeMap<>(config.extraEnv());
        if (config.haRsctmp() != null) {
            env.put("HA_RSCTMP", config.haRsctmp().toString());
        }
        return env;
    }
}
