package org.pulse.cib;

import java.nio.file.Path;

/**
 * Child process for {@link CibStoreKillTest}: saves CIBs with growing epochs into a directory as
 * fast as it can and prints each epoch once its save has returned, until it is killed.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        CibStore store = new CibStore(Path.of(args[0]), 3);
        long epoch = Long.parseLong(args[1]);
        while (true) {
            epoch++;
            store.save(CibStoreTest.cib((int) epoch, "r" + epoch));
            System.out.println(epoch);
            System.out.flush();
        }
    }
}
