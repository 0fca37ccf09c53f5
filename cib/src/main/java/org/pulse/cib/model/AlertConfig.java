package org.pulse.cib.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code <alert>}, as Pacemaker configures one: the agent's path, its instance attributes
 * (given to the agent as environment variables) and meta attributes ({@code timeout},
 * {@code timestamp-format}, {@code enabled}), which kinds of event it wants ({@code <select>}),
 * and its recipients, each of which may override the alert's attributes.
 *
 * @param instanceAttributes  name → value of the alert's instance_attributes (sets with a rule are left out)
 * @param meta                name → value of its meta_attributes (sets with a rule are left out)
 * @param select              the kinds selected, or null when {@code <select>} is absent (Pacemaker's default)
 * @param recipientList       the recipients in document order
 */
public record AlertConfig(String id, String path, Map<String, String> instanceAttributes, Map<String, String> meta,
                          Select select, List<Recipient> recipientList) {
    public AlertConfig {
        instanceAttributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(instanceAttributes));
        meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        recipientList = List.copyOf(recipientList);
    }

    /** An alert with recipients' values only (no attributes, no select). */
    public AlertConfig(String id, String path, List<String> recipients) {
        this(id, path, Map.of(), Map.of(), null,
                recipients.stream().map(v -> new Recipient(null, v, Map.of(), Map.of())).toList());
    }

    /** The recipients' values, in order. */
    public List<String> recipients() {
        return recipientList.stream().map(Recipient::value).toList();
    }

    /** A {@code <recipient>}: its value (an address, a file, ...) and the attributes it overrides. */
    public record Recipient(String id, String value, Map<String, String> instanceAttributes, Map<String, String> meta) {
        public Recipient {
            instanceAttributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(instanceAttributes));
            meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        }
    }

    /**
     * {@code <select>}: {@code select_nodes}, {@code select_fencing}, {@code select_resources},
     * {@code select_attributes} (with {@code <attribute name>} children: only those; none: all).
     */
    public record Select(boolean nodes, boolean fencing, boolean resources, boolean attributes,
                         List<String> attributeNames) {
        public Select {
            attributeNames = List.copyOf(attributeNames);
        }
    }
}
