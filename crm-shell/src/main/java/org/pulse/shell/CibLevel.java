package org.pulse.shell;

import java.util.List;

final class CibLevel implements Level {
    static FileCibSource shadowSource(java.nio.file.Path dir, String name) {
        return new FileCibSource(dir.resolve("shadow." + name), name);
    }

    @Override
    public String name() {
        return "cib";
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
        throw new CrmException("cib: not yet");
    }
}
