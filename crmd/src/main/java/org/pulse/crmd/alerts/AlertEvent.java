package org.pulse.crmd.alerts;

import java.util.Map;

/**
 * Something an alert agent hears about: its kind and the {@code CRM_alert_*} fields that kind
 * carries (the names without the prefix: node, desc, nodeid, task, rc, rsc, interval, status,
 * target_rc, exec_time, attribute_name, attribute_value). The time and sequence number are the
 * runtime's, added when it runs the agents.
 */
public record AlertEvent(Kind kind, Map<String, String> fields) {
    public AlertEvent {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** Pacemaker's four kinds, by their {@code CRM_alert_kind} value. */
    public enum Kind {
        NODE("node"), FENCING("fencing"), RESOURCE("resource"), ATTRIBUTE("attribute");

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    public String field(String name) {
        return fields.get(name);
    }

    @Override
    public String toString() {
        return kind.value() + fields;
    }
}
