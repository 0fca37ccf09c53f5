package org.pulse.lrm;

import java.util.List;
import java.util.Optional;

/**
 * An agent's parsed meta-data (OCF RA API 1.1, ocf-contract §6; fence agents' variant too).
 *
 * @param agent       the agent it describes
 * @param name        {@code <resource-agent name=>}
 * @param version     {@code <version>}: the OCF API version the agent claims ("1.0", "1.1"); Pacemaker uses it to
 *                    choose between legacy reload (&lt; 1.1) and reload-agent (&ge; 1.1). Empty when absent
 * @param agentVersion the {@code version} attribute of {@code <resource-agent>} (the agent's own release)
 * @param shortdesc   one line
 * @param longdesc    free text
 * @param parameters  in document order
 * @param actions     in document order (an action may appear more than once, e.g. monitor per role)
 * @param xml         the XML as the agent printed it
 */
public record AgentMetadata(AgentRef agent, String name, String version, String agentVersion, String shortdesc,
                            String longdesc, List<Parameter> parameters, List<Action> actions, String xml) {
    public AgentMetadata {
        parameters = List.copyOf(parameters);
        actions = List.copyOf(actions);
    }

    /**
     * @param unique      {@code unique="1"} (deprecated) or a {@code unique-group}
     * @param privateParam {@code private="1"}, or, when no parameter of the agent is marked private, one of
     *                    password/passwd/user (Pacemaker's rule)
     * @param type        boolean, string, integer, select, ... (fence agents: as given)
     * @param defaultValue null when none
     * @param options     the values of a select
     */
    public record Parameter(String name, boolean required, boolean unique, String uniqueGroup, boolean reloadable,
                            boolean privateParam, String type, String defaultValue, String shortdesc, String longdesc,
                            List<String> options) {
        public Parameter {
            options = List.copyOf(options);
        }
    }

    /**
     * @param timeoutMs    the advised timeout, -1 when absent
     * @param intervalMs   the advised interval (monitor), 0 when absent
     * @param startDelayMs 0 when absent
     * @param depth        OCF_CHECK_LEVEL of a monitor, null when absent
     * @param role         Promoted/Unpromoted (or Master/Slave), null when absent
     */
    public record Action(String name, long timeoutMs, long intervalMs, long startDelayMs, String depth, String role) {
    }

    public Optional<Parameter> parameter(String paramName) {
        return parameters.stream().filter(p -> p.name().equals(paramName)).findFirst();
    }

    public boolean advertises(String action) {
        return actions.stream().anyMatch(a -> a.name().equals(action));
    }

    /** The advised timeout of an action (the first one without a role), or {@code fallbackMs}. */
    public long timeoutMs(String action, long fallbackMs) {
        for (Action a : actions) {
            if (a.name().equals(action) && a.timeoutMs() > 0 && a.role() == null) {
                return a.timeoutMs();
            }
        }
        for (Action a : actions) {
            if (a.name().equals(action) && a.timeoutMs() > 0) {
                return a.timeoutMs();
            }
        }
        return fallbackMs;
    }
}
