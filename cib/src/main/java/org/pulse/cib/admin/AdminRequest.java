package org.pulse.cib.admin;

import java.util.Objects;

/**
 * One request: an {@code id} chosen by the client (echoed in the response), the operation's
 * name ({@link AdminOp}) and its arguments.
 */
public record AdminRequest(String id, String op, AdminArgs args) {
    public AdminRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        if (op.isBlank()) {
            throw new IllegalArgumentException("an operation needs a name");
        }
        args = args == null ? AdminArgs.empty() : args;
    }

    public static AdminRequest query(String id) {
        return new AdminRequest(id, AdminOp.QUERY, AdminArgs.empty());
    }

    public static AdminRequest replace(String id, String cibXml) {
        return new AdminRequest(id, AdminOp.REPLACE, AdminArgs.of("xml", cibXml));
    }

    /** {@code diffJson} is {@code CibDiff.toJson()}. */
    public static AdminRequest patch(String id, String diffJson) {
        return new AdminRequest(id, AdminOp.PATCH, AdminArgs.of("diff", diffJson));
    }

    public static AdminRequest status(String id) {
        return new AdminRequest(id, AdminOp.STATUS, AdminArgs.empty());
    }

    /** {@code node} may be null. */
    public static AdminRequest resource(String id, String action, String resource, String node) {
        return new AdminRequest(id, AdminOp.RESOURCE,
                AdminArgs.of("action", action, "resource", resource).with("node", node));
    }

    /** {@code action}: one of {@link TicketCommands#ACTIONS}. */
    public static AdminRequest ticket(String id, String action, String ticket) {
        return new AdminRequest(id, AdminOp.TICKET, AdminArgs.of("action", action, "ticket", ticket));
    }

    public static AdminRequest node(String id, String action, String node) {
        return new AdminRequest(id, AdminOp.NODE, AdminArgs.of("action", action, "node", node));
    }
}
