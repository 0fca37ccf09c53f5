package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import org.pulse.shell.CrmException;

/**
 * Splits a command line into words the way crmsh does (POSIX shell quoting, as Python's
 * shlex.split): blanks separate words, "..." and '...' quote, a backslash escapes the next
 * character outside single quotes. Each word keeps the column where it started. After the word
 * {@code xml}, XML ({@code <...}) is one word, as written.
 */
public final class Lexer {
    private Lexer() {
    }

    public static List<Token> split(String line) throws CrmException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            if (line.charAt(i) == '<' && !out.isEmpty() && out.get(out.size() - 1).text().equals("xml")) {
                // crmsh's "xml <element .../>": the XML is taken as written (its quotes are XML's, not the
                // shell's), the rest of the line as one word
                out.add(new Token(line.substring(i).strip(), start + 1));
                break;
            }
            StringBuilder word = new StringBuilder();
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < n) {
                    word.append(line.charAt(i + 1));
                    i += 2;
                } else if (c == '"' || c == '\'') {
                    int close = i + 1;
                    StringBuilder quoted = new StringBuilder();
                    while (close < n && line.charAt(close) != c) {
                        if (c == '"' && line.charAt(close) == '\\' && close + 1 < n
                                && "\"\\$`".indexOf(line.charAt(close + 1)) >= 0) {
                            close++;
                        }
                        quoted.append(line.charAt(close));
                        close++;
                    }
                    if (close >= n) {
                        throw new CrmException("unterminated quote " + c + " starting at column " + (i + 1)
                                + "; close it with a matching " + c);
                    }
                    word.append(quoted);
                    i = close + 1;
                } else {
                    word.append(c);
                    i++;
                }
            }
            out.add(new Token(word.toString(), start + 1));
        }
        return out;
    }

    /** Words given on the command line (already split by the user's shell), with the columns they have when joined by blanks. */
    public static List<Token> fromWords(List<String> words) {
        List<Token> out = new ArrayList<>(words.size());
        int col = 1;
        for (String w : words) {
            out.add(new Token(w, col));
            col += w.length() + 1;
        }
        return out;
    }
}
