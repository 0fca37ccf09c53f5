package org.pulse.lab.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files another process reads while the lab writes them (the power switch's outlets: NODE.pid, NODE.netns,
 * NODE.link, NODE.rsctmp, NODE.on). {@code Files.writeString} truncates and then writes: a reader between
 * the two sees an empty file, and fence_pulse_sim reading an empty NODE.pid kills nothing and reports the
 * node off. Written beside, then renamed over: a reader sees the old text or the new, never a part.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes {@code text} to {@code file} through a temporary file in the same directory and a rename. */
    public static Path writeString(Path file, String text) throws IOException {
        // A dot name: the switch's "list" (NODE.pid, NODE.on) never counts it as an outlet.
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text);
            return Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
