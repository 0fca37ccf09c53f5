package org.pulse.cib.join;

/** A join or a node-list change that did not happen, with a message for a person: what and what to do. */
public final class JoinException extends Exception {
    private static final long serialVersionUID = 1L;

    public JoinException(String message) {
        super(message);
    }

    public JoinException(String message, Throwable cause) {
        super(message, cause);
    }
}
