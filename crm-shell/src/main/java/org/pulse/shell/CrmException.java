package org.pulse.shell;

/**
 * An error a person reads: the message names the command, the thing and what to do. The shell
 * prints it after "ERROR: " and nothing is changed.
 */
class CrmException extends Exception {
    private static final long serialVersionUID = 1L;

    CrmException(String message) {
        super(message);
    }
}
