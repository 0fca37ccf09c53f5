package org.pulse.lrm;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One operation the LRM is asked to run: the {@code rsc_op} of a transition graph.
 *
 * @param resourceId    becomes {@code OCF_RESOURCE_INSTANCE}: the resource id (for anonymous clones the base
 *                      id, for globally-unique clones {@code rsc:N}, as Pacemaker passes them)
 * @param agent         the agent
 * @param action        start, stop, monitor, promote, demote, notify, reload, reload-agent, migrate_to,
 *                      migrate_from, validate-all, meta-data; for stonith also off, on, reboot, status, list
 * @param intervalMs    0 for a one-shot operation (a monitor with interval 0 is a probe); above 0 the LRM
 *                      runs it again every intervalMs after each run ends, until cancelled or a stop
 * @param timeoutMs     the deadline of each run; 0 or less means Pacemaker's default of 20 s
 * @param params        instance attributes, passed as {@code OCF_RESKEY_<name>} (the transition graph's
 *                      {@code crm_feature_set} included; {@code OCF_CHECK_LEVEL} is passed unprefixed)
 * @param meta          the graph's {@code CRM_meta_*} attributes <b>without</b> the {@code CRM_meta_} prefix
 *                      (on_node, op_target_rc, clone, notify_type, ...), passed as
 *                      {@code OCF_RESKEY_CRM_meta_<name>}. timeout, interval and name are set by the LRM from
 *                      the fields above; any given here are ignored
 * @param transitionKey passed through untouched into the result ({@code transition-key}), or null
 * @param startDelayMs  delay before the first run (the op's {@code start-delay})
 */
public record OperationRequest(String resourceId, AgentRef agent, String action, long intervalMs, long timeoutMs,
                               Map<String, String> params, Map<String, String> meta, String transitionKey,
                               long startDelayMs) {
    /** Pacemaker's CRM_DEFAULT_OP_TIMEOUT_S. */
    public static final long DEFAULT_TIMEOUT_MS = 20_000;
    private static final String META_PREFIX = "CRM_meta_";

    public OperationRequest {
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(action, "action");
        if (resourceId.isEmpty() || resourceId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("resource id '" + resourceId + "' is empty or has a NUL byte");
        }
        if (action.isEmpty() || !action.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("action '" + action + "' of resource " + resourceId
                    + " is not a plain action name (start, stop, monitor, ...)");
        }
        if (intervalMs < 0) {
            throw new IllegalArgumentException("interval of " + resourceId + " " + action + " is negative: " + intervalMs);
        }
        if (startDelayMs < 0) {
            throw new IllegalArgumentException("start-delay of " + resourceId + " " + action + " is negative: " + startDelayMs);
        }
        if (timeoutMs <= 0) {
            timeoutMs = DEFAULT_TIMEOUT_MS;
        }
        params = sortedCopy(params, resourceId, "parameter");
        meta = sortedCopy(meta, resourceId, "meta attribute");
    }

    private static Map<String, String> sortedCopy(Map<String, String> in, String rsc, String what) {
        TreeMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : in.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " name '" + k + "' of resource " + rsc
                        + " cannot be an environment variable name");
            }
            String v = e.getValue() == null ? "" : e.getValue();
            if (v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " " + k + " of resource " + rsc + " contains a NUL byte");
            }
            out.put(k, v);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A one-shot operation (start, stop, promote, ...) with parameters and no meta attributes. */
    public static OperationRequest of(String resourceId, AgentRef agent, String action, long timeoutMs,
                                      Map<String, String> params) {
        return new OperationRequest(resourceId, agent, action, 0, timeoutMs, params, Map.of(), null, 0);
    }

    /** A recurring monitor: reported when its result changes, cancelled by stop. */
    public static OperationRequest monitor(String resourceId, AgentRef agent, long intervalMs, long timeoutMs,
                                           Map<String, String> params) {
        return new OperationRequest(resourceId, agent, "monitor", intervalMs, timeoutMs, params, Map.of(), null, 0);
    }

    /** A probe: monitor with interval 0 expecting 7 (not running), as the DC sends to learn a node's state. */
    public static OperationRequest probe(String resourceId, AgentRef agent, long timeoutMs, Map<String, String> params) {
        return new OperationRequest(resourceId, agent, "monitor", 0, timeoutMs, params,
                Map.of("op_target_rc", "7"), null, 0);
    }

    /**
     * From a transition graph's {@code <attributes>}: keys starting with {@code CRM_meta_} go to meta (prefix
     * removed), the rest are parameters. {@code CRM_meta_interval}, {@code CRM_meta_timeout} and
     * {@code CRM_meta_start_delay} fill the matching fields.
     */
    public static OperationRequest fromGraphAttributes(String resourceId, AgentRef agent, String action,
                                                       Map<String, String> attributes, String transitionKey) {
        Map<String, String> params = new TreeMap<>();
        Map<String, String> meta = new TreeMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey().startsWith(META_PREFIX)) {
                meta.put(e.getKey().substring(META_PREFIX.length()), e.getValue());
            } else {
                params.put(e.getKey(), e.getValue());
            }
        }
        long interval = parseMs(meta.remove("interval"), "CRM_meta_interval", resourceId);
        long timeout = parseMs(meta.remove("timeout"), "CRM_meta_timeout", resourceId);
        long delay = parseMs(meta.remove("start_delay"), "CRM_meta_start_delay", resourceId);
        meta.remove("name");
        return new OperationRequest(resourceId, agent, action, interval, timeout, params, meta, transitionKey, delay);
    }

    private static long parseMs(String v, String what, String rsc) {
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + "=" + v + " of resource " + rsc + " is not a number of milliseconds", e);
        }
    }

    public OperationRequest withMeta(String name, String value) {
        Map<String, String> m = new TreeMap<>(meta);
        m.put(name, value);
        return new OperationRequest(resourceId, agent, action, intervalMs, timeoutMs, params, m, transitionKey, startDelayMs);
    }

    public OperationRequest withTransitionKey(String key) {
        return new OperationRequest(resourceId, agent, action, intervalMs, timeoutMs, params, meta, key, startDelayMs);
    }

    public OperationRequest withStartDelayMs(long ms) {
        return new OperationRequest(resourceId, agent, action, intervalMs, timeoutMs, params, meta, transitionKey, ms);
    }

    /** Pacemaker's operation key: {@code RSC_ACTION_INTERVALMS}, e.g. {@code vip_monitor_10000}. */
    public String operationKey() {
        return resourceId + "_" + action + "_" + intervalMs;
    }

    public boolean isRecurring() {
        return intervalMs > 0;
    }

    public boolean isProbe() {
        return action.equals("monitor") && intervalMs == 0;
    }

    /** The rc the caller expects: {@code CRM_meta_op_target_rc} if given ({@link #probe} sets 7), else 0. */
    public int expectedRc() {
        String t = meta.get("op_target_rc");
        if (t != null) {
            try {
                return Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CRM_meta_op_target_rc=" + t + " of " + operationKey() + " is not a number", e);
            }
        }
        return 0;
    }
}
