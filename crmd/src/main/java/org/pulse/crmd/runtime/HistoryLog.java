package org.pulse.crmd.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The node's history log, {@code DATA_DIR/history.log}: one line per event {@code crm history} is
 * built on (transitions started and ended by this node as DC with their saved input, operation results
 * with the transition that asked for them, views), each
 * {@code ISO-INSTANT NODE TEXT}. Every line also goes to the ordinary log (stderr, the journal).
 * A file of its own rather than the journal: stderr lines carry no date and may go anywhere, and a
 * report copied from the data dirs then holds everything history needs. Bounded: past
 * {@link #MAX_BYTES} the file becomes {@code history.log.1} (the one before is dropped), so at most
 * twice that per node.
 *
 * <p>The transition tag, the same on every node: {@code transition T of DC (view V)}: T is the DC's
 * transition number, DC its node and V the view it dispatched in (view ids never repeat, so the tag
 * names one transition even when a node is DC again later and counts from 1).
 */
final class HistoryLog {
    static final String FILE = "history.log";
    static final long MAX_BYTES = 8L << 20;
    /** What a DC's operation key carries: ACTION:T:RC:DC@VIEW, fence steps with #tryK (DcRole.dispatch). */
    private static final Pattern OP_KEY = Pattern.compile("^(.*):(\\d+):(-?\\d+):([^:@]+)@([^#]+)(#try\\d+)?$");

    private final Path file;
    private final String node;
    private final Logger log;
    private final long maxBytes;
    private OutputStream out;
    private long size;
    private boolean failed;
    /** Operation keys whose first result was written, so a recurring monitor's later changes are not tagged. */
    private final Map<String, Boolean> seen = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > 10_000;
        }
    };

    HistoryLog(Path dataDir, String node, Logger log) {
        this(dataDir, node, log, MAX_BYTES);
    }

    HistoryLog(Path dataDir, String node, Logger log, long maxBytes) {
        this.file = dataDir.resolve(FILE);
        this.node = node;
        this.log = log;
        this.maxBytes = maxBytes;
    }

    /** The transition tag of an operation key, or null when the key is not a DC's (a manual or local operation). */
    static String tagOf(String opKey) {
        if (opKey == null) {
            return null;
        }
        Matcher m = OP_KEY.matcher(opKey);
        return m.matches() ? tag(Long.parseLong(m.group(2)), m.group(4), m.group(5)) : null;
    }

    static String tag(long transition, String dc, String view) {
        return "transition " + transition + " of " + dc + " (view " + view + ")";
    }

    /** An operation result of this node, tagged with its transition (the first result of a key only). */
    synchronized void operation(Instant at, String opKey, String rsc, String action, long intervalMs, int rc,
            String status, long execMs, String reason, String target) {
        String tag = tagOf(opKey);
        boolean first = opKey != null && seen.put(opKey, Boolean.TRUE) == null;
        String op = action + (intervalMs > 0 ? "_" + intervalMs : "") + " of " + rsc + " on " + node
                + (target == null || target.isEmpty() ? "" : " (target " + target + ")") + ": " + status + " (rc " + rc
                + ") in " + execMs + " ms" + (reason == null || reason.isEmpty() ? "" : ": " + reason);
        if (tag != null && first) {
            write(at, tag + ": " + op);
        } else if (tag != null) {
            // A recurring monitor's later result: its own event, not part of the transition that started it.
            write(at, "operation " + op + " (recurring, started by " + tag + ")");
        } else {
            write(at, "operation " + op);
        }
    }

    synchronized void write(Instant at, String text) {
        log.info(text);
        if (failed) {
            return;
        }
        byte[] line = (at + " " + node + " " + text.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                size = Files.exists(file) ? Files.size(file) : 0;
                out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            if (size + line.length > maxBytes) {
                out.close();
                Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
                out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                size = 0;
            }
            // No fsync: losing the last lines in a power cut is acceptable for a history; blocking the event thread is not.
            out.write(line);
            out.flush();
            size += line.length;
        } catch (IOException e) {
            failed = true;
            log.warn("history log {}: {}; crm history will lack this node's lines from now on", file, e.getMessage());
        }
    }

    synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing at shutdown: nothing left to lose
            }
            out = null;
        }
    }
}
