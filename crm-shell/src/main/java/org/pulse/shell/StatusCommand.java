package org.pulse.shell;

import java.util.List;

final class StatusCommand {
    private StatusCommand() {
    }

    static int run(Shell shell, List<Token> args) throws CrmException {
        throw new CrmException("status: not yet");
    }
}
