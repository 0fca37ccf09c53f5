package org.pulse.cib.join;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The join tokens a node will accept, in a file beside its CIB ({@code DATA_DIR/join-tokens},
 * owner-only): {@code ID SECRET EXPIRES_EPOCH_MS [FOR_HOST]} a line, FOR_HOST the address the token was
 * issued for ({@code --for}), which the join port then accepts connections from besides the listed
 * nodes' addresses. {@code crm cluster init} and
 * {@code crm cluster token} add lines; the node's crmd removes a line when a join with it succeeds
 * (one use) and ignores expired ones. A file rather than crmd's memory so that a token can be made
 * before crmd runs (init) and survives nothing but its expiry and its use.
 */
public final class JoinTokens {
    public static final String FILE_NAME = "join-tokens";

    private JoinTokens() {
    }

    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** Adds a token valid until {@code expiresEpochMs}, dropping expired lines on the way. */
    public static synchronized void add(Path file, JoinToken token, long expiresEpochMs, long nowEpochMs)
            throws IOException {
        add(file, token, expiresEpochMs, nowEpochMs, null);
    }

    /**
     * As {@link #add(Path, JoinToken, long, long)}, issued for {@code forHost} (an address or host
     * name without spaces; null: none). A crmd older than this field ignores such a line, so the token
     * is refused there as unknown: safe, and the refusal says to make a new one.
     */
    public static synchronized void add(Path file, JoinToken token, long expiresEpochMs, long nowEpochMs, String forHost)
            throws IOException {
        if (forHost != null && (forHost.isBlank() || forHost.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("'" + forHost + "' is not a host (an address or name, no spaces)");
        }
        List<String> lines = new ArrayList<>(live(file, nowEpochMs));
        lines.add(token.id() + " " + token.secretText() + " " + expiresEpochMs + (forHost == null ? "" : " " + forHost));
        ConfText.writePrivately(file, String.join("\n", lines) + "\n");
    }

    /** The secret of the live token with this id, or null (unknown, used or expired). */
    public static synchronized byte[] secret(Path file, String id, long nowEpochMs) throws IOException {
        for (String line : live(file, nowEpochMs)) {
            String[] p = line.split(" ");
            if (p[0].equals(id)) {
                return Base64.getUrlDecoder().decode(p[1]);
            }
        }
        return null;
    }

    /** The hosts live tokens were issued for (--for), in file order, without repeats. */
    public static synchronized List<String> issuedFor(Path file, long nowEpochMs) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : live(file, nowEpochMs)) {
            String[] p = line.split(" ");
            if (p.length == 4 && !out.contains(p[3])) {
                out.add(p[3]);
            }
        }
        return out;
    }

    /** Removes the token with this id (its one use is spent). */
    public static synchronized void consume(Path file, String id, long nowEpochMs) throws IOException {
        List<String> keep = new ArrayList<>();
        for (String line : live(file, nowEpochMs)) {
            if (!line.split(" ")[0].equals(id)) {
                keep.add(line);
            }
        }
        ConfText.writePrivately(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }

    private static List<String> live(Path file, long nowEpochMs) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link; join tokens are read from a plain file only: remove it");
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] p = line.strip().split(" ");
            if (p.length != 3 && p.length != 4) {
                continue;
            }
            try {
                if (Long.parseLong(p[2]) > nowEpochMs) {
                    out.add(line.strip());
                }
            } catch (NumberFormatException e) {
                // a damaged line is no token
            }
        }
        return out;
    }
}
