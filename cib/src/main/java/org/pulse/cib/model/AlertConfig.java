package org.pulse.cib.model;

import java.util.List;

/** An {@code <alert>}: the agent path and its recipients' values. */
public record AlertConfig(String id, String path, List<String> recipients) {
    public AlertConfig {
        recipients = List.copyOf(recipients);
    }
}
