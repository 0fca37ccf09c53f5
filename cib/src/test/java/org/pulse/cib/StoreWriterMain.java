package org.pulse.cib;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process for {@link CibStoreKillTest}: saves CIBs with growing epochs into a directory as
 * fast as it can and, once each save has returned, appends its epoch as a line to a progress
 * file, until it is killed. A file rather than stdout: the JDK may drain a dead child's pipe
 * behind a reading thread's back, while a line in the page cache survives the kill. A fourth
 * argument N makes it a journaling store (a compaction every N saves) that loads first, so that
 * its appends continue a journal a kill may have torn.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        CibStore store = args.length > 3 ? new CibStore(Path.of(args[0]), 3, step -> { }, Integer.parseInt(args[3]))
                : new CibStore(Path.of(args[0]), 3);
        if (args.length > 3) {
            store.load();
        }
        long epoch = Long.parseLong(args[1]);
        Path progress = Path.of(args[2]);
        while (true) {
            epoch++;
            store.save(CibStoreTest.cib((int) epoch, "r" + epoch));
            // one short write(2) per line: a kill leaves whole lines only
            Files.write(progress, (epoch + "\n").getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
