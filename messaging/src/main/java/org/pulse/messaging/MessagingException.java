package org.pulse.messaging;

/** The channel could not be started, or a send failed below us (e.g. the messenger is closed). */
public class MessagingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MessagingException(String message, Throwable cause) {
        super(message, cause);
    }

    public MessagingException(String message) {
        super(message);
    }
}
