package org.pulse.shell.levels;

import org.pulse.shell.CrmException;
import org.pulse.shell.commands.EditCommand;

/**
 * Runs a script as crmsh's {@code crm -f}: one command a line at the current level (a line
 * ending with a backslash continues on the next, '#' starts a comment), then leaves every
 * level, committing what is pending — unless a command failed, in which case nothing more is
 * written and the status is 1.
 */
public final class Batch {
    private Batch() {
    }

    public static int run(Shell shell, String text, String scriptName) {
        int failed = 0;
        try {
            int lineNo = 0;
            for (String command : EditCommand.joinContinuations(text)) {
                lineNo++;
                int rc = shell.execLine(command);
                if (rc != 0) {
                    failed++;
                }
                if (shell.quitRequested()) {
                    break;
                }
            }
            if (!shell.quitRequested()) {
                shell.leaveAll();
            }
        } catch (CrmException e) {
            shell.session.error(e.getMessage());
            failed++;
        } finally {
            shell.session.close();
        }
        return failed > 0 ? 1 : 0;
    }
}
