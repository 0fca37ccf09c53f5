package org.pulse.crmd.controller;

import java.util.List;
import java.util.Objects;
import org.pulse.cib.admin.AdminDeadlines;

/**
 * What a controller knows before it hears from anyone: its name, the cluster's nodes from the
 * node config (so a lone node at first start does not count itself a majority of one; their
 * order is what tie_breaker = lowest favours), its timing, and its quorum options.
 */
public record ControllerConfig(String nodeName, List<String> configuredNodes, long joinRetryMs,
        AdminDeadlines writeDeadlines, long actionMarginMs, long fenceRetryMs, long defaultOpTimeoutMs,
        QuorumConfig quorum, long watchdogTimeoutMs) {
    /**
     * {@code watchdogTimeoutMs}: this node's watchdog timeout (the node config's watchdog_timeout_ms), 0 when
     * it has no watchdog; checked against stonith-watchdog-timeout, and what a negative one doubles.
     * {@code writeDeadlines}: how long the DC keeps a write waiting for its members (AdminDeadlines).
     */
    public ControllerConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(writeDeadlines, "writeDeadlines");
        configuredNodes = List.copyOf(configuredNodes);
        Objects.requireNonNull(quorum, "quorum");
        if (quorum.twoNode() && configuredNodes.size() != 2) {
            throw new IllegalArgumentException("two_node needs exactly 2 configured nodes, " + nodeName + " has "
                    + configuredNodes.size() + " " + configuredNodes + "; remove two_node (a majority decides"
                    + " with 3 or more) or list exactly two nodes");
        }
    }

    /** No watchdog; {@code writeIdleMs}: the write's deadline without progress, capped at three times it. */
    public ControllerConfig(String nodeName, List<String> configuredNodes, long joinRetryMs, long writeIdleMs,
            long actionMarginMs, long fenceRetryMs, long defaultOpTimeoutMs, QuorumConfig quorum) {
        this(nodeName, configuredNodes, joinRetryMs, AdminDeadlines.ofIdle(writeIdleMs), actionMarginMs, fenceRetryMs, defaultOpTimeoutMs,
                quorum, 0);
    }

    /** Plain majority quorum (no two_node, wait_for_all or tie-breaker). */
    public ControllerConfig(String nodeName, List<String> configuredNodes, long joinRetryMs, long writeIdleMs,
            long actionMarginMs, long fenceRetryMs, long defaultOpTimeoutMs) {
        this(nodeName, configuredNodes, joinRetryMs, writeIdleMs, actionMarginMs, fenceRetryMs, defaultOpTimeoutMs,
                QuorumConfig.MAJORITY);
    }

    public static ControllerConfig defaults(String nodeName, List<String> configuredNodes) {
        return new ControllerConfig(nodeName, configuredNodes, 1000, AdminDeadlines.DEFAULTS, 5000, 2000, 20_000,
                QuorumConfig.MAJORITY, 0);
    }

    /** The same with another node list (crm cluster add/remove while running). */
    public ControllerConfig withNodes(List<String> nodes) {
        return new ControllerConfig(nodeName, nodes, joinRetryMs, writeDeadlines, actionMarginMs, fenceRetryMs,
                defaultOpTimeoutMs, quorum, watchdogTimeoutMs);
    }

    public ControllerConfig withQuorum(QuorumConfig q) {
        return new ControllerConfig(nodeName, configuredNodes, joinRetryMs, writeDeadlines, actionMarginMs,
                fenceRetryMs, defaultOpTimeoutMs, q, watchdogTimeoutMs);
    }

    public ControllerConfig withWriteDeadlines(AdminDeadlines d) {
        return new ControllerConfig(nodeName, configuredNodes, joinRetryMs, d, actionMarginMs, fenceRetryMs,
                defaultOpTimeoutMs, quorum, watchdogTimeoutMs);
    }

    public ControllerConfig withWatchdogTimeoutMs(long ms) {
        return new ControllerConfig(nodeName, configuredNodes, joinRetryMs, writeDeadlines, actionMarginMs,
                fenceRetryMs, defaultOpTimeoutMs, quorum, ms);
    }
}
