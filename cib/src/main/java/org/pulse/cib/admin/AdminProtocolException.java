package org.pulse.cib.admin;

/** A message that cannot be decoded; {@link #code()} is the {@link AdminError} code to answer with. */
public final class AdminProtocolException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    AdminProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The error to send back to whoever sent the message. */
    public AdminError toError() {
        return new AdminError(code, getMessage());
    }
}
