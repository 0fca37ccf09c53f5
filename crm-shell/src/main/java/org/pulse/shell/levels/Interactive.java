package org.pulse.shell.levels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.pulse.shell.Crm;

/**
 * The interactive shell (JLine 3): the prompt {@code crm(live)configure# }, completion of
 * commands, ids, nodes, agents and agent parameters ({@link ShellCompleter}), and history kept
 * across sessions in ~/.config/pulse/crm_history.
 */
public final class Interactive {
    private final Crm crm;

    public Interactive(Crm crm) {
        this.crm = crm;
    }

    public int run() {
        return run(null);
    }

    public int run(String startLevel) {
        Path historyFile = historyFile();
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            PrintStream out = new PrintStream(terminal.output(), true, java.nio.charset.StandardCharsets.UTF_8);
            Crm view = new Crm(crm.env, crm.stdin, out, out, crm.clock);
            view.cibFile = crm.cibFile;
            view.socket = crm.socket;
            view.force = crm.force;
            view.shadow = crm.shadow;
            LineReader[] holder = new LineReader[1];
            Shell shell = view.newShell(true, new BufferedReader(new StringReader("")) {
                @Override
                public String readLine() {
                    try {
                        return holder[0].readLine("");
                    } catch (UserInterruptException | EndOfFileException e) {
                        return null;
                    }
                }
            });
            Files.createDirectories(historyFile.getParent());
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("crm")
                    .completer(new ShellCompleter(shell))
                    .variable(LineReader.HISTORY_FILE, historyFile)
                    .variable(LineReader.HISTORY_SIZE, 5000)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    // one command a line, as crmsh keeps it, so the file is easy to read and grep
                    .option(LineReader.Option.HISTORY_TIMESTAMPED, false)
                    .build();
            holder[0] = reader;
            shell.session.asker = question -> {
                try {
                    return reader.readLine(question);
                } catch (UserInterruptException | EndOfFileException e) {
                    return null;
                }
            };
            if (startLevel != null) {
                shell.execLine(startLevel);
            }
            int rc = 0;
            while (!shell.quitRequested()) {
                String line;
                try {
                    line = reader.readLine(shell.prompt());
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    shell.execLine("quit");
                    break;
                }
                rc = shell.execLine(line);
                reader.getHistory().save();
            }
            shell.session.close();
            return rc;
        } catch (IOException e) {
            crm.stderr.println("ERROR: cannot start the interactive shell: " + e.getMessage());
            return 1;
        }
    }

    /** $XDG_CONFIG_HOME/pulse/crm_history, else ~/.config/pulse/crm_history. */
    Path historyFile() {
        String xdg = crm.env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(crm.env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("pulse/crm_history");
    }
}
