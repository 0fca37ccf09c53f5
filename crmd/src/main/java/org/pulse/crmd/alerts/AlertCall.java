package org.pulse.crmd.alerts;

import java.util.Map;

/**
 * One run of one alert agent for one recipient and one event: what to run, its deadline and the
 * variables to set ({@code CRM_alert_*}, {@code CRM_notify_*}, the instance attributes).
 *
 * @param recipient  the recipient's value, or null when the alert has none
 */
public record AlertCall(String alertId, String path, String recipient, long timeoutMs, Map<String, String> env) {
    public AlertCall {
        env = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(env));
    }

    @Override
    public String toString() {
        return "alert " + alertId + " (" + path + (recipient == null ? "" : " to " + recipient) + ", "
                + env.get("CRM_alert_kind") + " #" + env.get("CRM_alert_node_sequence") + ")";
    }
}
