package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The poison-pill disk as the shell agent (fence_pulse_sbd) writes it and crmd's Java watcher reads it,
 * on an image file: layout, a pill both ways, msgwait, the timing rule create enforces, and the start
 * checks of the watcher.
 */
class SbdDiskTest {
    static final Path AGENT = Path.of("src/main/fence/fence_pulse_sbd");

    static String run(String stdin, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(AGENT.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() + ":" + out;
    }

    static Path image(Path dir) throws IOException {
        Path img = dir.resolve("sbd.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(64 * 1024);
        }
        return img;
    }

    @Test
    void theAgentsLayoutAndPillsAreWhatTheWatcherReads(@TempDir Path dir) throws Exception {
        Path img = image(dir);
        assertTrue(run("", "create", img.toString(), "--nodes", "n1,n2,n3", "--watchdog-ms", "200", "--msgwait-ms", "400",
                "--loop-ms", "50").startsWith("0:"));
        SbdDisk.Header h = SbdDisk.header(img);
        assertEquals(new SbdDisk.Header(3, 200, 400, 50), h);
        assertEquals(2, SbdDisk.slotOf(img, h, "n2"));
        assertFalse(SbdDisk.slot(img, 2).pill());
        long t0 = System.nanoTime();
        String fenced = run("action=reboot\nport=n2\nnodename=n2\ndevices=" + img + "\n");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(fenced.startsWith("0:Success"), fenced);
        assertTrue(tookMs >= 400, "fencing reported success " + tookMs + " ms after the pill, before msgwait");
        SbdDisk.Slot pill = SbdDisk.slot(img, 2);
        assertTrue(pill.pill() && pill.msg().equals("reset") && pill.name().equals("n2"), pill.toString());
        assertFalse(SbdDisk.slot(img, 1).pill(), "another slot changed");
        SbdDisk.clear(img, 2, "n2");
        assertTrue(run("", "dump", img.toString()).contains("name=n2 msg=clear from=n2"));
        assertTrue(run("action=list\ndevices=" + img + "\n").contains("n3,"));
        assertTrue(run("action=monitor\ndevices=" + img + "\n").startsWith("0:"));
        assertTrue(run("action=monitor\ndevices=" + dir.resolve("missing") + "\n").startsWith("1:"));
    }

    @Test
    void createRefusesAMsgwaitShorterThanTwiceTheWatchdog(@TempDir Path dir) throws Exception {
        String out = run("", "create", image(dir).toString(), "--nodes", "n1", "--watchdog-ms", "1000", "--msgwait-ms", "1500");
        assertTrue(out.startsWith("1:") && out.contains("must be at least twice the watchdog timeout"), out);
    }

    @Test
    void theWatcherFindsThePillAndRefusesADiskThatDoesNotCoverItsWatchdog(@TempDir Path dir) throws Exception {
        Path img = image(dir);
        run("", "create", img.toString(), "--nodes", "n1,n2", "--watchdog-ms", "300", "--msgwait-ms", "600", "--loop-ms", "50");
        var log = LoggerFactory.getLogger("test");
        IOException longer = assertThrows(IOException.class, () -> new SbdWatcher(List.of(img), "n1", 1000, log, null));
        assertTrue(longer.getMessage().contains("longer than the disk's watchdog_ms"), longer.getMessage());
        IOException noSlot = assertThrows(IOException.class, () -> new SbdWatcher(List.of(img), "n7", 300, log, null));
        assertTrue(noSlot.getMessage().contains("no slot for n7"), noSlot.getMessage());
        Path device = Files.createFile(dir.resolve("watchdog"));
        WatchdogFeeder feeder = new WatchdogFeeder(device, 300, log, Runnable::run, () -> null,
                () -> System.nanoTime() / 1_000_000);
        feeder.start();
        run("", "message", img.toString(), "n1", "off");
        try (SbdWatcher w = new SbdWatcher(List.of(img), "n1", 300, log, feeder)) {
            assertFalse(SbdDisk.slot(img, 1).pill(), "a pill left from before the start is cleared");
            w.start();
            run("", "message", img.toString(), "n1", "reset");
            WatchdogFeederTest.waitUntil(feeder::stoppedForGood);
            assertEquals(1, w.readable());
        } finally {
            feeder.close();
        }
    }
}
