package org.pulse.cib.admin;

import java.util.Objects;

/** The answer to one request: a {@code result} when {@link #ok()}, else an {@code error}. */
public record AdminResponse(String id, AdminArgs result, AdminError error) {
    public AdminResponse {
        Objects.requireNonNull(id, "id");
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("a response has either a result or an error");
        }
    }

    public static AdminResponse ok(String id, AdminArgs result) {
        return new AdminResponse(id, result, null);
    }

    public static AdminResponse error(String id, String code, String message) {
        return new AdminResponse(id, null, new AdminError(code, message));
    }

    public boolean ok() {
        return error == null;
    }
}
