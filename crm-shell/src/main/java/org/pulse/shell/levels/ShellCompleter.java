package org.pulse.shell.levels;

import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/** Completion for the interactive shell; see {@link Completions} for what is offered where. */
final class ShellCompleter implements Completer {
    private final Shell shell;

    ShellCompleter(Shell shell) {
        this.shell = shell;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words().subList(0, line.wordIndex());
        String partial = line.word().substring(0, line.wordCursor());
        for (String c : Completions.candidates(shell, words, partial)) {
            boolean complete = !c.endsWith("=") && !c.endsWith(":");
            candidates.add(new Candidate(c, c, null, null, null, null, complete));
        }
    }
}
