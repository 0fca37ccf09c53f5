package org.pulse.shell.parse;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pulse.shell.CrmException;

/**
 * A position in the words of one command, with the error helpers every parser uses so that
 * each syntax error names the command, the word, its column and what was expected.
 */
final class Cursor {
    private final String context;
    private final List<Token> tokens;
    private int pos;
    private Matcher last;

    Cursor(String context, List<Token> tokens, int start) {
        this.context = context;
        this.tokens = tokens;
        this.pos = start;
    }

    String context() {
        return context;
    }

    boolean more() {
        return pos < tokens.size();
    }

    int remaining() {
        return tokens.size() - pos;
    }

    Token peek() {
        return more() ? tokens.get(pos) : null;
    }

    String peekText() {
        return more() ? tokens.get(pos).text() : null;
    }

    boolean peekIs(String... words) {
        String t = peekText();
        if (t == null) {
            return false;
        }
        for (String w : words) {
            if (t.equalsIgnoreCase(w)) {
                return true;
            }
        }
        return false;
    }

    Token next(String expected) throws CrmException {
        if (!more()) {
            throw missing(expected);
        }
        return tokens.get(pos++);
    }

    /** Consumes the word if it is one of these keywords (case-insensitive). */
    boolean tryWord(String... words) {
        if (peekIs(words)) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes the next word if the whole of it matches; the groups are then in {@link #group}. */
    boolean tryMatch(Pattern p) {
        if (!more()) {
            return false;
        }
        Matcher m = p.matcher(tokens.get(pos).text());
        if (m.matches()) {
            last = m;
            pos++;
            return true;
        }
        return false;
    }

    String group(int i) {
        return last.group(i);
    }

    Token at(int position) {
        return tokens.get(position);
    }

    Token previous() {
        return tokens.get(pos - 1);
    }

    void back() {
        pos--;
    }

    int position() {
        return pos;
    }

    void seek(int position) {
        pos = position;
    }

    List<Token> rest() {
        List<Token> r = List.copyOf(tokens.subList(pos, tokens.size()));
        pos = tokens.size();
        return r;
    }

    /** Drops the last word from the command (crmsh reads some trailing options first). */
    Token takeLastIf(Pattern p) {
        if (tokens.size() <= pos) {
            return null;
        }
        Token t = tokens.get(tokens.size() - 1);
        Matcher m = p.matcher(t.text());
        if (m.matches()) {
            last = m;
            tokens.remove(tokens.size() - 1);
            return t;
        }
        return null;
    }

    CrmException error(String message) {
        return new CrmException(context + ": " + message);
    }

    CrmException unexpected(Token t, String expected) {
        return error("unexpected token '" + t.text() + "' at column " + t.column() + "; expected " + expected);
    }

    /** The line ended where something was still needed. */
    CrmException missing(String expected) {
        if (pos == 0 || tokens.isEmpty()) {
            return error("expected " + expected);
        }
        Token prev = tokens.get(Math.min(pos, tokens.size()) - 1);
        return error("the command ends after '" + prev.text() + "' (column " + prev.column() + "); expected "
                + expected);
    }

    CrmException at(Token t, String message) {
        return error("'" + t.text() + "' at column " + t.column() + ": " + message);
    }

    /** After a complete command: anything left is an error. */
    void expectEnd(String expected) throws CrmException {
        if (more()) {
            throw unexpected(peek(), expected);
        }
    }
}
