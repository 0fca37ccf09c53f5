package org.pulse.shell.levels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.shell.CrmException;
import org.pulse.shell.parse.Token;

/**
 * A level of the shell (configure, resource, node, cib, ...): its commands, their one-line usage,
 * and how to run one. The usage table is the single list of a level's commands, so help,
 * abbreviations and completion cannot disagree with it.
 */
abstract class Level {
    private final String name;
    private final Map<String, String> usageByCommand;

    /** {@code usageByCommand}: "command ARGS  what it does" per command, in help order. */
    Level(String name, Map<String, String> usageByCommand) {
        this.name = name;
        this.usageByCommand = usageByCommand;
    }

    final String name() {
        return name;
    }

    /** Command names, for help, abbreviations and completion. */
    final List<String> commands() {
        return List.copyOf(usageByCommand.keySet());
    }

    /** One line per command: "command ARGS  what it does". */
    final String usage(String command) {
        return usageByCommand.getOrDefault(command, command);
    }

    /** Runs one command; {@code words.get(0)} is the full command name. Returns the exit status. */
    abstract int run(Shell shell, List<Token> words) throws CrmException;

    /** The texts of the words after the command name. */
    static List<String> arguments(List<Token> words) {
        List<String> args = new ArrayList<>(words.size());
        for (Token t : words.subList(1, words.size())) {
            args.add(t.text());
        }
        return args;
    }
}
