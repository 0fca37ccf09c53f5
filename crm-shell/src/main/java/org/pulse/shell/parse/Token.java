package org.pulse.shell.parse;

/** One word of a command line and the 1-based column where it starts, for error messages. */
public record Token(String text, int column) {
    @Override
    public String toString() {
        return text;
    }
}
