package org.pulse.cib.model;

import java.util.Map;

/**
 * The cluster properties ({@code crm_config}), merged, with typed accessors and Pacemaker's
 * defaults. Names accept both dashes and underscores, as Pacemaker does.
 */
public record ClusterOptions(Map<String, String> values) {
    /**
     * Pacemaker 3's names for the fencing options, each an alias of the older {@code stonith-*} name the
     * code reads. The one place that maps them: {@link #canonicalName} here, and crmd's property look-up
     * through it. When a CIB sets both spellings, the newer {@code fencing-*} one wins (it is the name
     * Pacemaker 3 documents; the old one is deprecated there).
     */
    public static final Map<String, String> FENCING_ALIASES = Map.of(
            "fencing-enabled", "stonith-enabled",
            "fencing-action", "stonith-action",
            "fencing-timeout", "stonith-timeout",
            "fencing-max-attempts", "stonith-max-attempts",
            "fencing-watchdog-timeout", "stonith-watchdog-timeout");

    /**
     * The cluster options Pacemaker 2.1 and 3 define (3's fencing-* names too) and the ones the cluster
     * writes itself: the shell warns about any other property name (a typo keeps fencing as it was), and
     * crmd keeps agents from setting these (their own properties stay allowed).
     */
    public static final java.util.Set<String> KNOWN_NAMES = java.util.Set.of("stonith-enabled", "stonith-action", "stonith-timeout",
            "stonith-max-attempts", "stonith-watchdog-timeout", "have-watchdog", "concurrent-fencing",
            "priority-fencing-delay", "fence-reaction", "startup-fencing", "no-quorum-policy", "symmetric-cluster",
            "maintenance-mode", "start-failure-is-fatal", "enable-startup-probes", "enable-acl", "cluster-delay",
            "batch-limit", "migration-limit", "node-action-limit", "placement-strategy", "shutdown-lock",
            "shutdown-lock-limit", "stop-all-resources", "stop-orphan-resources", "stop-orphan-actions",
            "remove-after-stop", "cluster-recheck-interval", "election-timeout", "shutdown-escalation",
            "join-integration-timeout", "join-finalization-timeout", "transition-delay", "dc-deadtime",
            "cluster-ipc-limit", "load-threshold", "node-health-strategy", "node-health-base", "node-health-green",
            "node-health-yellow", "node-health-red", "pe-error-series-max", "pe-warn-series-max",
            "pe-input-series-max", "dc-version", "cluster-infrastructure", "cluster-name", "last-lrm-refresh",
            "is-managed-default", "default-resource-stickiness", "default-action-timeout", "fencing-enabled",
            "fencing-action", "fencing-timeout", "fencing-max-attempts", "fencing-watchdog-timeout",
            "fencing-reaction", "node-pending-timeout", "no-quorum-panic",
            "crmd-integration-timeout", "crmd-finalization-timeout", "record-pending-timeout");

    /** Both spellings (dashes and underscores) are present, so a look-up never builds a string. */
    public ClusterOptions {
        java.util.Map<String, String> both = new java.util.LinkedHashMap<>(values);
        for (Map.Entry<String, String> e : values.entrySet()) {
            both.putIfAbsent(e.getKey().replace('_', '-'), e.getValue());
        }
        for (Map.Entry<String, String> alias : FENCING_ALIASES.entrySet()) {
            String v = both.get(alias.getKey());
            if (v != null) {
                both.put(alias.getValue(), v);
            }
        }
        values = java.util.Collections.unmodifiableMap(both);
    }

    /** The name the code reads for a cluster option: {@code fencing-timeout} becomes {@code stonith-timeout}. */
    public static String canonicalName(String name) {
        String dashed = name.replace('_', '-');
        return FENCING_ALIASES.getOrDefault(dashed, dashed);
    }

    /** Every spelling that sets the option {@code canonical}, the preferred (newer) one first. */
    public static java.util.List<String> spellings(String canonical) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Map.Entry<String, String> alias : FENCING_ALIASES.entrySet()) {
            if (alias.getValue().equals(canonical)) {
                out.add(alias.getKey());
            }
        }
        out.add(canonical);
        return out;
    }

    public String get(String name) {
        return values.get(name);
    }

    public boolean flag(String name, boolean fallback) {
        String v = get(name);
        return v == null ? fallback : isTrue(v);
    }

    public static boolean isTrue(String v) {
        if (v == null) {
            return false;
        }
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "on": case "yes": case "y": case "1":
                return true;
            default:
                return false;
        }
    }

    public boolean stonithEnabled() {
        return flag("stonith-enabled", true);
    }

    public boolean symmetricCluster() {
        return flag("symmetric-cluster", true);
    }

    /** stop (default), freeze, ignore, demote, suicide. */
    public String noQuorumPolicy() {
        String v = get("no-quorum-policy");
        return v == null ? "stop" : v.trim().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean maintenanceMode() {
        return flag("maintenance-mode", false);
    }

    public boolean stopOrphanResources() {
        return flag("stop-orphan-resources", true);
    }

    public boolean stopOrphanActions() {
        return flag("stop-orphan-actions", true);
    }

    public boolean startFailureIsFatal() {
        return flag("start-failure-is-fatal", true);
    }

    public boolean enableStartupProbes() {
        return flag("enable-startup-probes", true);
    }

    public boolean stopAllResources() {
        return flag("stop-all-resources", false);
    }

    public boolean concurrentFencing() {
        return flag("concurrent-fencing", false);
    }

    /** default, utilization, minimal, balanced. */
    public String placementStrategy() {
        String v = get("placement-strategy");
        return v == null ? "default" : v.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** reboot (default), off, poweroff (= off). */
    public String stonithAction() {
        String v = get("stonith-action");
        if (v == null) {
            return "reboot";
        }
        return "poweroff".equals(v) ? "off" : v;
    }

    /** 0 means unlimited. */
    public int batchLimit() {
        return Scores.parse(get("batch-limit"), 0);
    }

    public String nodeHealthStrategy() {
        String v = get("node-health-strategy");
        return v == null ? "none" : v;
    }

    public int defaultResourceStickiness() {
        return Scores.parse(get("default-resource-stickiness"), 0);
    }
}
