package org.pulse.shell;

/**
 * An error a person reads: the message names the command, the thing and what to do. The shell
 * prints it after "ERROR: " and nothing is changed.
 */
public class CrmException extends Exception {
    private static final long serialVersionUID = 1L;

    public CrmException(String message) {
        super(message);
    }
}
