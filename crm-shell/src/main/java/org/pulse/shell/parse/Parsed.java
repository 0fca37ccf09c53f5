package org.pulse.shell.parse;

import java.util.List;

/**
 * A configure command parsed into XML without ids. {@code childIds} are the resources a group
 * or clone takes in (they move inside it when the object is added), {@code warnings} what
 * the shell prints but does not stop for.
 */
public record Parsed(MNode node, List<String> childIds, List<String> warnings) {
    public Parsed(MNode node) {
        this(node, List.of(), List.of());
    }
}
