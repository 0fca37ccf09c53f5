package org.pulse.cib.admin;

/**
 * The operations crmd answers, with the arguments each takes. Operation names are plain strings
 * on the wire, so a newer crmd may add operations; an old one answers {@link AdminError#UNKNOWN_OP}.
 */
public final class AdminOp {
    /** The CIB. Args: {@code section} (optional: "configuration", "status", "resources", ...). Result: {@code xml}, {@code version}. */
    public static final String QUERY = "query";
    /** Replace the whole CIB (or one section). Args: {@code xml}; {@code force} (optional boolean, writes without quorum). Result: {@code version}. */
    public static final String REPLACE = "replace";
    /** Apply a diff. Args: {@code diff} (the text of {@code CibDiff.toJson()}). Result: {@code version}. */
    public static final String PATCH = "patch";
    /** Cluster status. No args. Result: {@code text} (human-readable), {@code dc}, {@code quorate}, {@code version}. */
    public static final String STATUS = "status";
    /** A resource command. Args: {@code action} (start, stop, move, clear, cleanup, ...), {@code resource}, {@code node} (optional). */
    public static final String RESOURCE = "resource";
    /** A node command. Args: {@code action} (standby, online, maintenance, ready, ...), {@code node}. */
    public static final String NODE = "node";
    /**
     * A ticket's state (crm site ticket, Pacemaker's crm_ticket): Args: {@code action} (grant, revoke, standby,
     * activate, delete: {@link TicketCommands#ACTIONS}), {@code ticket}. Written by the DC into the status
     * section's {@code <tickets>}, confirmed like any CIB write. Result: {@code version}, {@code message}.
     */
    public static final String TICKET = "ticket";
    /**
     * A login token for the web console, bound to the caller. Args: {@code lifetime} (seconds). Result:
     * {@code token}, {@code user}, {@code expires} (ISO-8601), {@code url} (when crmd serves the console).
     */
    public static final String WEB_TOKEN = "web-token";

    /**
     * The cluster's node list while it runs. Args: {@code action} ({@code add}, {@code remove}),
     * {@code node}, {@code address} (host:port, for add). Result: {@code message}, {@code nodes}
     * (name@host:port, comma-separated). Root and hacluster only.
     */
    public static final String CLUSTER = "cluster";

    /**
     * {@code crm simulate} run by crmd's resident scheduler (no cold JVM). Args: {@code cib} (the CIB
     * XML) or {@code cib_gz} (base64 of its gzip, for big ones) with {@code cib_bytes} (its size
     * unpacked), or neither for the live CIB; {@code now_ms} (the caller's clock: the decision time
     * when the CIB names none); the what-if and display options as {@code SimulateOptions.toArgs}
     * writes them (policy-engine). Result: {@code text} (what crm simulate prints), {@code actions},
     * and {@code input}, {@code output}, {@code graph} when asked (want_input, ...).
     */
    public static final String SIMULATE = "simulate";

    private AdminOp() {
    }
}
