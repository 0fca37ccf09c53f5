package org.pulse.shell;

import java.util.List;

final class NodeLevel implements Level {
    @Override
    public String name() {
        return "node";
    }

    @Override
    public List<String> commands() {
        return List.of();
    }

    @Override
    public String usage(String command) {
        return command;
    }

    @Override
    public int run(Shell shell, List<Token> words) throws CrmException {
        throw new CrmException("node: not yet");
    }
}
