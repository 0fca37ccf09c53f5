package org.pulse.cib.inject;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operation result to inject, in crm_simulate's form
 * {@code ${resource}_${task}_${interval_in_ms}@${node}=${rc}} (e.g. {@code vip_monitor_10000@node1=7}).
 * The resource id may itself contain underscores: the task and interval are the last two parts.
 */
public record OpSpec(String resource, String task, long intervalMs, String node, int rc) {
    private static final Pattern FORM = Pattern.compile("^(.+?)_(migrate_to|migrate_from|[a-z][a-z-]*)_(\\d+)@([^=]+)=(\\d+)$");

    public OpSpec {
        if (resource.isEmpty() || node.isEmpty() || intervalMs < 0 || rc < 0) {
            throw new IllegalArgumentException("bad operation spec " + resource + "_" + task + "_" + intervalMs + "@" + node + "=" + rc);
        }
    }

    /** Parses the crm_simulate form; the error names the text and the form expected. */
    public static OpSpec parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an operation spec: use RESOURCE_TASK_INTERVALMS@NODE=RC,"
                    + " e.g. vip_monitor_10000@node1=7");
        }
        return new OpSpec(m.group(1), m.group(2), Long.parseLong(m.group(3)), m.group(4), Integer.parseInt(m.group(5)));
    }

    /** Pacemaker's operation key, e.g. vip_monitor_10000. */
    public String key() {
        return resource + "_" + task + "_" + intervalMs;
    }

    /** Where the operation ran, under another resource id (an anonymous clone instance's history). */
    public OpSpec onResource(String id) {
        return new OpSpec(id, task, intervalMs, node, rc);
    }

    @Override
    public String toString() {
        return key() + "@" + node + "=" + rc;
    }
}
