package org.pulse.shell;

/** One word of a command line and the 1-based column where it starts, for error messages. */
record Token(String text, int column) {
    @Override
    public String toString() {
        return text;
    }
}
