package org.pulse.tests.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the logs and files the cluster tests print when an assertion fails: never a failure of its own. */
final class LogText {
    private static final int TAIL_CHARS = 8000;

    private LogText() {
    }

    /** The file's text, or "" when it does not exist or cannot be read. */
    static String readOrEmpty(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The last 8,000 characters of the file ("" when there is none). */
    static String tail(Path f) {
        String s = readOrEmpty(f);
        return s.length() > TAIL_CHARS ? s.substring(s.length() - TAIL_CHARS) : s;
    }

    /** How often {@code what} occurs in {@code text}. */
    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
