package org.pulse.cib.join;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Edits of a {@code crmd.conf} ({@code key = value} lines, {@code #} comments) that keep what the
 * operator wrote: a key that is set is changed in place, a missing one appended, comments and the
 * other keys untouched. crmd's own parser (NodeConfig) stays the judge of what is valid.
 */
public final class ConfText {
    /** The settings every node of a cluster must share; the rest (paths, ports of local services) are each node's own. */
    public static final List<String> CLUSTER_WIDE = List.of("cluster", "nodes", "nodes_version", "failure_detection_ms",
            "two_node", "wait_for_all", "tie_breaker");

    private ConfText() {
    }

    /** The {@code key = value} pairs of these lines, first occurrence of each. */
    public static Map<String, String> values(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq <= 0) {
                continue;
            }
            out.putIfAbsent(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return out;
    }

    /** The lines with each of {@code set} changed or appended; a null value removes the key's line. */
    public static List<String> with(List<String> lines, Map<String, String> set) {
        List<String> out = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        for (String raw : lines) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            String key = line.isEmpty() || line.startsWith("#") || eq <= 0 ? null : line.substring(0, eq).strip();
            if (key != null && set.containsKey(key)) {
                if (done.add(key) && set.get(key) != null) {
                    out.add(key + " = " + set.get(key));
                }
                continue;
            }
            out.add(raw);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            if (!done.contains(e.getKey()) && e.getValue() != null) {
                out.add(e.getKey() + " = " + e.getValue());
            }
        }
        return out;
    }

    /** The {@code nodes} value of these name to host:port entries, in order. */
    public static String nodesValue(Map<String, String> nodes) {
        List<String> parts = new ArrayList<>();
        nodes.forEach((name, addr) -> parts.add(name + "@" + addr));
        return String.join(", ", parts);
    }

    /** name to host:port (with a second link after '+', kept as written) of a {@code nodes} value. */
    public static Map<String, String> nodesOf(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        for (String e : value.split(",")) {
            String s = e.strip();
            int at = s.indexOf('@');
            if (at > 0) {
                out.put(s.substring(0, at), s.substring(at + 1).strip());
            }
        }
        return out;
    }

    /** Writes {@code text} through a temporary file and a rename, readable by all (a config, not a secret). */
    public static void writeAtomically(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    }

    /** Writes {@code text} owner-only from the first byte, through a temporary file and a rename. */
    public static void writePrivately(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8), "rw-------");
    }

    /** Writes bytes with this mode from the first byte (never wider), through a temporary file and a rename. */
    public static void write(Path file, byte[] bytes, String mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        if (posix) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
