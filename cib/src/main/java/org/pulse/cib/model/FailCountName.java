package org.pulse.cib.model;

/**
 * The name of a fail-count transient attribute, read once for every reader: {@code fail-count-RSC} (one count
 * per resource, before feature set 3.0.13) or {@code fail-count-RSC#OP_INTERVAL} (one per operation).
 *
 * @param resource   the history name it counts for (a clone instance's "rsc:1" too)
 * @param operation  "monitor_10000", or "" for a per-resource count
 */
public record FailCountName(String resource, String operation) {
    static final String PREFIX = "fail-count-";

    /** The parts of {@code attribute}, or null when it is no fail count. */
    public static FailCountName parse(String attribute) {
        if (!attribute.startsWith(PREFIX)) {
            return null;
        }
        String rest = attribute.substring(PREFIX.length());
        int hash = rest.indexOf('#');
        return hash < 0 ? new FailCountName(rest, "")
                : new FailCountName(rest.substring(0, hash), rest.substring(hash + 1));
    }
}
