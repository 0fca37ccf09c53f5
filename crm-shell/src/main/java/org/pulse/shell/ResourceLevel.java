package org.pulse.shell;

import java.util.List;

final class ResourceLevel implements Level {
    @Override
    public String name() {
        return "resource";
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
        throw new CrmException("resource: not yet");
    }
}
