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

    /**
     * What an unset cluster option means: Pacemaker 2.1's defaults (its schedulerd's and controld's meta-data), the one
     * place Pulse reads them from: the typed accessors below and {@code crm configure get_property} of an unset
     * property, which prints the default as crmsh does. Options the cluster writes itself (dc-version,
     * cluster-name...) have none.
     */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("batch-limit", "0"), Map.entry("cluster-delay", "60s"), Map.entry("cluster-ipc-limit", "500"),
            Map.entry("cluster-recheck-interval", "15min"), Map.entry("concurrent-fencing", "false"),
            Map.entry("dc-deadtime", "20s"), Map.entry("election-timeout", "2min"), Map.entry("enable-acl", "false"),
            Map.entry("enable-startup-probes", "true"), Map.entry("fence-reaction", "stop"),
            Map.entry("have-watchdog", "false"), Map.entry("join-finalization-timeout", "30min"),
            Map.entry("join-integration-timeout", "3min"), Map.entry("load-threshold", "80%"),
            Map.entry("maintenance-mode", "false"), Map.entry("migration-limit", "-1"),
            Map.entry("no-quorum-policy", "stop"), Map.entry("node-action-limit", "0"),
            Map.entry("node-health-base", "0"), Map.entry("node-health-green", "0"),
            Map.entry("node-health-red", "-INFINITY"), Map.entry("node-health-strategy", "none"),
            Map.entry("node-health-yellow", "0"), Map.entry("pe-error-series-max", "-1"),
            Map.entry("pe-input-series-max", "4000"), Map.entry("pe-warn-series-max", "5000"),
            Map.entry("placement-strategy", "default"), Map.entry("priority-fencing-delay", "0"),
            Map.entry("remove-after-stop", "false"), Map.entry("shutdown-escalation", "20min"),
            Map.entry("shutdown-lock", "false"), Map.entry("shutdown-lock-limit", "0"),
            Map.entry("start-failure-is-fatal", "true"), Map.entry("startup-fencing", "true"),
            Map.entry("stonith-action", "reboot"), Map.entry("stonith-enabled", "true"),
            Map.entry("stonith-max-attempts", "10"), Map.entry("stonith-timeout", "60s"),
            Map.entry("stonith-watchdog-timeout", "0"), Map.entry("stop-all-resources", "false"),
            Map.entry("stop-orphan-actions", "true"), Map.entry("stop-orphan-resources", "true"),
            Map.entry("symmetric-cluster", "true"), Map.entry("transition-delay", "0s"));

    /** The default of the option {@code name} (either spelling, fencing-* aliases too), or null when it has none. */
    public static String defaultOf(String name) {
        return DEFAULTS.get(canonicalName(name));
    }

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

    /** A boolean option, its default ({@link #DEFAULTS}) when unset. */
    public boolean flag(String name) {
        String v = get(name);
        return isTrue(v == null ? defaultOf(name) : v);
    }

    /** The option's value, or its default ({@link #DEFAULTS}) when unset. */
    String valueOrDefault(String name) {
        String v = get(name);
        return v == null ? defaultOf(name) : v;
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
        return flag("stonith-enabled");
    }

    public boolean symmetricCluster() {
        return flag("symmetric-cluster");
    }

    /** stop (default), freeze, ignore, demote, suicide. */
    public String noQuorumPolicy() {
        return valueOrDefault("no-quorum-policy").trim().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean maintenanceMode() {
        return flag("maintenance-mode");
    }

    public boolean stopOrphanResources() {
        return flag("stop-orphan-resources");
    }

    public boolean stopOrphanActions() {
        return flag("stop-orphan-actions");
    }

    public boolean startFailureIsFatal() {
        return flag("start-failure-is-fatal");
    }

    public boolean enableStartupProbes() {
        return flag("enable-startup-probes");
    }

    public boolean stopAllResources() {
        return flag("stop-all-resources");
    }

    public boolean concurrentFencing() {
        return flag("concurrent-fencing");
    }

    /** default, utilization, minimal, balanced. */
    public String placementStrategy() {
        return valueOrDefault("placement-strategy").trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** reboot (default), off, poweroff (= off). */
    public String stonithAction() {
        String v = valueOrDefault("stonith-action");
        return "poweroff".equals(v) ? "off" : v;
    }

    /** 0 means unlimited. */
    public int batchLimit() {
        return Scores.parse(get("batch-limit"), 0);
    }

    public String nodeHealthStrategy() {
        return valueOrDefault("node-health-strategy");
    }

    public int defaultResourceStickiness() {
        return Scores.parse(get("default-resource-stickiness"), 0);
    }
}
