package org.pulse.cib;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A CIB, a change or a stored file that Pulse refuses, with the reasons a person can act on.
 * Whatever raised it changed nothing: the CIB in memory and on disk is the one from before.
 */
public class CibException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<CibProblem> problems;

    public CibException(String message) {
        super(message);
        this.problems = List.of();
    }

    public CibException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of();
    }

    /** A refusal because of these problems (the errors among them, one a line, follow the summary). */
    public CibException(String summary, List<CibProblem> problems) {
        super(summary + (problems.isEmpty() ? "" : ":\n" + problems.stream()
                .map(CibProblem::message).collect(Collectors.joining("\n"))));
        this.problems = List.copyOf(problems);
    }

    /** The problems behind the refusal; empty when the message says it all. */
    public List<CibProblem> problems() {
        return problems;
    }
}
