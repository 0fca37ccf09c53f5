package org.pulse.shell;

import java.util.ArrayList;
import java.util.List;

/** What TAB offers after some words: commands, ids, nodes, agents, agent parameters. */
final class Completions {
    private Completions() {
    }

    static List<String> candidates(Shell shell, List<String> words, String partial) {
        return new ArrayList<>();
    }
}
