package org.pulse.crmd.alerts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.AlertConfig;
import org.pulse.cib.model.Durations;

/**
 * Which agents run for which events, with which environment: a pure function of the configured
 * alerts, the events, the time and this node's alert sequence number (as Pacemaker, once per
 * recipient, or once without a recipient when an alert has none).
 */
public final class AlertCalls {
    /** The alert interface whose variables Pulse gives (CRM_alert_version): Pacemaker's, as Debian ships it. */
    public static final String INTERFACE_VERSION = "2.1.5";
    static final long DEFAULT_TIMEOUT_MS = 30_000;
    static final String DEFAULT_TIMESTAMP_FORMAT = "%H:%M:%S.%06N";

    private AlertCalls() {
    }

    /**
     * The calls for {@code events}, each event's sequence number one above the previous, the
     * first {@code firstSequence}; all calls of one event share its sequence number and time.
     */
    public static List<AlertCall> plan(List<AlertConfig> alerts, List<AlertEvent> events, Instant now,
            long firstSequence, java.time.ZoneId zone) {
        List<AlertCall> out = new ArrayList<>();
        long seq = firstSequence;
        for (AlertEvent e : events) {
            for (AlertConfig a : alerts) {
                if (!enabled(a.meta()) || !selected(a.select(), e) || a.path() == null || a.path().isBlank()) {
                    continue;
                }
                if (a.recipientList().isEmpty()) {
                    out.add(call(a, null, e, now, seq, zone));
                }
                for (AlertConfig.Recipient r : a.recipientList()) {
                    if (enabled(r.meta())) {
                        out.add(call(a, r, e, now, seq, zone));
                    }
                }
            }
            seq++;
        }
        return out;
    }

    static boolean selected(AlertConfig.Select s, AlertEvent e) {
        if (s == null) {
            // Pacemaker's default: everything but attributes, which must be asked for.
            return e.kind() != AlertEvent.Kind.ATTRIBUTE;
        }
        return switch (e.kind()) {
            case NODE -> s.nodes();
            case FENCING -> s.fencing();
            case RESOURCE -> s.resources();
            case ATTRIBUTE -> s.attributes()
                    && (s.attributeNames().isEmpty() || s.attributeNames().contains(e.field("attribute_name")));
        };
    }

    private static boolean enabled(Map<String, String> meta) {
        String v = meta.get("enabled");
        return v == null || !(v.equalsIgnoreCase("false") || v.equalsIgnoreCase("no") || v.equals("0")
                || v.equalsIgnoreCase("off") || v.equalsIgnoreCase("n"));
    }

    private static AlertCall call(AlertConfig a, AlertConfig.Recipient r, AlertEvent e, Instant now, long seq,
            java.time.ZoneId zone) {
        Map<String, String> meta = new LinkedHashMap<>(a.meta());
        Map<String, String> attrs = new LinkedHashMap<>(a.instanceAttributes());
        if (r != null) {
            meta.putAll(r.meta());
            attrs.putAll(r.instanceAttributes());
        }
        long timeoutMs = Durations.parseMs(meta.get("timeout"), DEFAULT_TIMEOUT_MS);
        if (timeoutMs <= 0) {
            timeoutMs = DEFAULT_TIMEOUT_MS;
        }
        String format = meta.getOrDefault("timestamp-format", DEFAULT_TIMESTAMP_FORMAT);
        // The agent's own options first, so that no option can pass for one of Pacemaker's variables.
        Map<String, String> env = new LinkedHashMap<>(attrs);
        Map<String, String> crm = new LinkedHashMap<>();
        crm.put("kind", e.kind().value());
        crm.put("version", INTERFACE_VERSION);
        crm.put("node_sequence", Long.toString(seq));
        crm.put("timestamp", Timestamps.format(format, now, zone));
        crm.put("timestamp_epoch", Long.toString(now.getEpochSecond()));
        crm.put("timestamp_usec", Long.toString(now.getNano() / 1000));
        if (r != null && r.value() != null) {
            crm.put("recipient", r.value());
        }
        crm.putAll(e.fields());
        for (Map.Entry<String, String> f : crm.entrySet()) {
            // CRM_notify_* too: agents written for ClusterMon's external scripts read those.
            env.put("CRM_alert_" + f.getKey(), f.getValue());
            env.put("CRM_notify_" + f.getKey(), f.getValue());
        }
        return new AlertCall(a.id(), a.path(), r == null ? null : r.value(), timeoutMs, env);
    }
}
