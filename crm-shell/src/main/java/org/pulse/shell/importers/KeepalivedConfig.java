package org.pulse.shell.importers;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * keepalived.conf read into a tree of statements, as keepalived reads it: words separated by
 * blanks, {@code "..."} quoting, {@code #} and {@code !} comments, nested {@code { }} blocks
 * (braces may touch words), {@code include GLOB} (relative to the including file's directory),
 * {@code @ID} / {@code @^ID} lines kept only when the config id is (is not) ID — keepalived's id
 * defaults to the host name, so here it is the node the file belongs to — and {@code $NAME=value}
 * definitions with {@code $NAME} / {@code ${NAME}} uses. Files come through {@link Files}, so the
 * parser does no IO of its own and tests give it text.
 */
public final class KeepalivedConfig {
    private KeepalivedConfig() {
    }

    /** One statement: its first word, the other words, its block's statements, and where it was written. */
    public record Stmt(String keyword, List<String> args, List<Stmt> children, boolean block, String file, int line) {
        public Stmt {
            args = List.copyOf(args);
            children = List.copyOf(children);
        }

        String where() {
            return file + ":" + line;
        }

        String text() {
            return args.isEmpty() ? keyword : keyword + " " + String.join(" ", args);
        }
    }

    /** Reads a file's text and expands an include pattern; what the importer gets from outside. */
    public interface Files {
        String read(Path file) throws java.io.IOException;

        /** The files matching {@code pattern} (a glob in its last parts), sorted. */
        List<Path> glob(Path pattern) throws java.io.IOException;
    }

    /** The real file system. */
    public static final Files DISK = new Files() {
        @Override
        public String read(Path file) throws java.io.IOException {
            return java.nio.file.Files.readString(file);
        }

        @Override
        public List<Path> glob(Path pattern) throws java.io.IOException {
            String s = pattern.toString();
            if (!s.contains("*") && !s.contains("?") && !s.contains("[")) {
                return java.nio.file.Files.exists(pattern) ? List.of(pattern) : List.of();
            }
            Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
            List<Path> out = new ArrayList<>();
            if (java.nio.file.Files.isDirectory(dir)) {
                try (var st = java.nio.file.Files.list(dir)) {
                    st.filter(p -> m.matches(p.getFileName())).sorted().forEach(out::add);
                }
            }
            return out;
        }
    };

    /** A file keepalived would refuse (unbalanced braces, an include that cannot be read, ...). */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String where, String problem) {
            super(where + ": " + problem);
        }
    }

    private record Word(String text, String file, int line, boolean quoted) {
    }

    private static final Pattern DEFINITION = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)=(.*)");
    private static final Pattern USE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final String END_OF_LINE = "\n";
    private static final int MAX_INCLUDE_DEPTH = 8;

    /** The top-level statements of {@code file} (and what it includes) as node {@code configId} reads them. */
    public static List<Stmt> parse(Path file, String configId, Files files) throws ParseException {
        return parse(file, file.toString(), configId, files);
    }

    /** As {@link #parse(Path, String, Files)}, naming the file {@code display} in statements and errors. */
    public static List<Stmt> parse(Path file, String display, String configId, Files files) throws ParseException {
        List<Word> words = new ArrayList<>();
        tokenize(file, display, configId, files, new HashMap<>(), words, 0);
        int[] pos = {0};
        List<Stmt> top = block(words, pos, false, display);
        return top;
    }

    private static void tokenize(Path file, String display, String configId, Files files, Map<String, String> vars,
            List<Word> out, int depth) throws ParseException {
        String text;
        try {
            text = files.read(file);
        } catch (java.io.IOException e) {
            throw new ParseException(display, "cannot read: " + e.getMessage());
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.startsWith("@")) {
                // @ID line: only for the keepalived started with -i ID (its host name by default)
                int sp = indexOfBlank(line);
                String id = sp < 0 ? line.substring(1) : line.substring(1, sp);
                boolean negate = id.startsWith("^");
                if (negate) {
                    id = id.substring(1);
                }
                if (id.equals(configId) == negate) {
                    continue;
                }
                line = sp < 0 ? "" : line.substring(sp).strip();
            }
            Matcher def = DEFINITION.matcher(line);
            if (def.matches()) {
                vars.put(def.group(1), def.group(2).strip());
                continue;
            }
            if (line.indexOf('$') >= 0) {
                line = substitute(line, vars, display + ":" + lineNo);
            }
            List<Word> lineWords = split(line, display, lineNo);
            if (!lineWords.isEmpty() && lineWords.get(0).text().equals("include") && !lineWords.get(0).quoted()) {
                if (lineWords.size() != 2) {
                    throw new ParseException(display + ":" + lineNo, "include takes one file name or pattern");
                }
                if (depth >= MAX_INCLUDE_DEPTH) {
                    throw new ParseException(display + ":" + lineNo, "includes nested deeper than " + MAX_INCLUDE_DEPTH
                            + " (an include loop?)");
                }
                Path pattern = Path.of(lineWords.get(1).text());
                if (!pattern.isAbsolute() && file.getParent() != null) {
                    pattern = file.getParent().resolve(pattern);
                }
                List<Path> matches;
                try {
                    matches = files.glob(pattern);
                } catch (java.io.IOException e) {
                    throw new ParseException(display + ":" + lineNo, "include " + pattern + ": " + e.getMessage());
                }
                if (matches.isEmpty()) {
                    throw new ParseException(display + ":" + lineNo, "include " + lineWords.get(1).text()
                            + " matches no file (looked for " + pattern + ")");
                }
                for (Path p : matches) {
                    tokenize(p, p.toString(), configId, files, vars, out, depth + 1);
                }
                continue;
            }
            out.addAll(lineWords);
            out.add(new Word(END_OF_LINE, display, lineNo, false));
        }
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String substitute(String line, Map<String, String> vars, String where) throws ParseException {
        Matcher m = USE.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = vars.get(name);
            if (value == null) {
                throw new ParseException(where, "$" + name + " is used but not defined (define it with $" + name
                        + "=VALUE before this line)");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Words of one line: comments cut, quotes kept together, braces as words of their own. */
    private static List<Word> split(String line, String file, int lineNo) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                break;
            } else if (c == '{' || c == '}') {
                out.add(new Word(String.valueOf(c), file, lineNo, false));
                i++;
            } else if (c == '"') {
                int close = line.indexOf('"', i + 1);
                if (close < 0) {
                    close = n;
                }
                out.add(new Word(line.substring(i + 1, close), file, lineNo, true));
                i = close + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '{' && line.charAt(i) != '}') {
                    i++;
                }
                out.add(new Word(line.substring(start, i), file, lineNo, false));
            }
        }
        return out;
    }

    private static boolean isBrace(Word w, String brace) {
        return !w.quoted() && w.text().equals(brace);
    }

    private static List<Stmt> block(List<Word> words, int[] pos, boolean nested, String file) throws ParseException {
        List<Stmt> out = new ArrayList<>();
        List<Word> current = new ArrayList<>();
        Word opened = nested && pos[0] > 0 ? words.get(pos[0] - 1) : null;
        while (pos[0] < words.size()) {
            Word w = words.get(pos[0]++);
            if (w.text().equals(END_OF_LINE) && !w.quoted()) {
                flush(current, out, List.of(), false);
            } else if (isBrace(w, "{")) {
                if (current.isEmpty()) {
                    throw new ParseException(w.file() + ":" + w.line(), "'{' without a keyword before it");
                }
                List<Word> head = new ArrayList<>(current);
                current.clear();
                List<Stmt> kids = block(words, pos, true, file);
                flush(head, out, kids, true);
            } else if (isBrace(w, "}")) {
                if (!nested) {
                    throw new ParseException(w.file() + ":" + w.line(), "'}' closes no block; remove it or add the "
                            + "block it should close");
                }
                flush(current, out, List.of(), false);
                return out;
            } else {
                current.add(w);
            }
        }
        if (nested) {
            throw new ParseException(opened == null ? file : opened.file() + ":" + opened.line(),
                    "block opened here is never closed; add the missing '}'");
        }
        flush(current, out, List.of(), false);
        return out;
    }

    private static void flush(List<Word> current, List<Stmt> out, List<Stmt> kids, boolean block) {
        if (current.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>();
        for (int i = 1; i < current.size(); i++) {
            args.add(current.get(i).text());
        }
        Word first = current.get(0);
        out.add(new Stmt(first.text(), args, kids, block, first.file(), first.line()));
        current.clear();
    }
}
