package org.pulse.cib.model;

import java.time.Instant;
import java.util.Map;

/**
 * What a rule is evaluated against: a node's attributes (including {@code #uname}, {@code #id},
 * {@code #kind}), the time, and optionally the resource and operation (for rsc_defaults and
 * op_defaults rules). Any part may be absent; an expression about an absent part is false.
 */
public record RuleContext(Map<String, String> nodeAttributes, Instant now, String rscClass,
                          String rscProvider, String rscType, String opName, Long opIntervalMs) {
    public static RuleContext at(Instant now) {
        return new RuleContext(Map.of(), now, null, null, null, null, null);
    }

    public static RuleContext forNode(Map<String, String> nodeAttributes, Instant now) {
        return new RuleContext(nodeAttributes, now, null, null, null, null, null);
    }
}
