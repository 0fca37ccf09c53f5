package org.pulse.cib;

import java.util.Objects;

/**
 * One thing wrong with a CIB, worded for the operator who has to fix it: where ({@code source}
 * file, {@code line}, {@code column}, 0 when unknown), which element ({@code elementId}, the
 * nearest enclosing id, null when there is none), what is wrong and what to do about it.
 *
 * <p>{@link Severity#ERROR} makes a CIB unusable: it is refused and the stored CIB stays as it
 * was. {@link Severity#WARNING} is reported (e.g. a location constraint on a node that is not
 * in the nodes section, which Pacemaker also allows) but does not stop the CIB.
 */
public record CibProblem(Severity severity, String source, int line, int column, String elementId,
                         String problem, String fix) {
    public enum Severity { ERROR, WARNING }

    public CibProblem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(problem, "problem");
        source = source == null ? "<cib>" : source;
        fix = fix == null ? "" : fix;
    }

    static CibProblem error(String source, int line, String elementId, String problem, String fix) {
        return new CibProblem(Severity.ERROR, source, line, 0, elementId, problem, fix);
    }

    static CibProblem warning(String source, int line, String elementId, String problem, String fix) {
        return new CibProblem(Severity.WARNING, source, line, 0, elementId, problem, fix);
    }

    /**
     * What the problem is, without where: element id and problem, no line or column, because
     * lines move when a CIB is edited. Two versions of a CIB share a problem when they share
     * this key; writers use it to refuse only the errors a change adds.
     */
    public String identity() {
        return elementId + "\u0000" + problem;
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /**
     * One line, as {@code crm verify} prints it:
     * {@code cib.xml:12:5: error: in 'vip': score "lots" is not a score; use an integer, INFINITY or -INFINITY}.
     */
    public String message() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ").append(severity == Severity.ERROR ? "error" : "warning").append(": ");
        if (elementId != null) {
            sb.append("in '").append(elementId).append("': ");
        }
        sb.append(problem);
        if (!fix.isEmpty()) {
            sb.append("; ").append(fix);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return message();
    }
}
