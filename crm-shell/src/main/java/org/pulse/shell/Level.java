package org.pulse.shell;

import java.util.List;

/** A level of the shell (configure, resource, node, cib, ...): its commands and how to run one. */
interface Level {
    String name();

    /** Command names, for help, abbreviations and completion. */
    List<String> commands();

    /** One line per command: "command ARGS  what it does". */
    String usage(String command);

    /** Runs one command; {@code words.get(0)} is the full command name. Returns the exit status. */
    int run(Shell shell, List<Token> words) throws CrmException;
}
