package org.pulse.crmd.controller;

import java.util.List;
import java.util.Objects;

/**
 * What a controller knows before it hears from anyone: its name, the cluster's nodes from the
 * node config (so a lone node at first start does not count itself a majority of one), and its
 * timing.
 */
public record ControllerConfig(String nodeName, List<String> configuredNodes, long joinRetryMs, long writeTimeoutMs,
        long actionMarginMs, long fenceRetryMs, long defaultOpTimeoutMs) {
    public ControllerConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        configuredNodes = List.copyOf(configuredNodes);
    }

    public static ControllerConfig defaults(String nodeName, List<String> configuredNodes) {
        return new ControllerConfig(nodeName, configuredNodes, 1000, 30_000, 5000, 2000, 20_000);
    }
}
