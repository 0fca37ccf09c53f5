package org.pulse.crmd.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The poison-pill disk as fence_pulse_sbd lays it out (see that script): 4096-byte blocks ("sectors"
 * here) of text, the header in block 0 ({@code PULSE-SBD 1}, slots, watchdog_ms, msgwait_ms, loop_ms),
 * node i's slot in block i (name, msg, from, at). One block per slot: a node writing its own slot never
 * rewrites another's, and 4096 is the alignment O_DIRECT asks of every disk. Read and written with O_DIRECT (and O_DSYNC) so a node sees the
 * disk, not its own page cache; where the file system refuses O_DIRECT (an image file on tmpfs in a
 * unit test) plain I/O is used.
 */
final class SbdDisk {
    private SbdDisk() {
    }

    static final int SECTOR = 4096;

    record Header(int slots, long watchdogMs, long msgwaitMs, long loopMs) {
    }

    record Slot(int sector, String name, String msg, String from, long atMs) {
        boolean pill() {
            return msg.equals("reset") || msg.equals("off");
        }
    }

    static String readSector(Path dev, int sector) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(SECTOR * 2).alignedSlice(SECTOR);
        buf.limit(SECTOR);
        try (FileChannel ch = open(dev, StandardOpenOption.READ)) {
            int n = 0;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, (long) sector * SECTOR + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        }
        buf.flip();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static void writeSector(Path dev, int sector, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length > SECTOR) {
            throw new IOException("sector text longer than " + SECTOR + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(SECTOR * 2).alignedSlice(SECTOR);
        buf.put(b);
        buf.position(0).limit(SECTOR);
        try (FileChannel ch = open(dev, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)) {
            while (buf.hasRemaining()) {
                ch.write(buf, (long) sector * SECTOR + buf.position());
            }
        }
    }

    private static FileChannel open(Path dev, OpenOption... options) throws IOException {
        OpenOption[] direct = java.util.Arrays.copyOf(options, options.length + 1);
        direct[options.length] = com.sun.nio.file.ExtendedOpenOption.DIRECT;
        try {
            return FileChannel.open(dev, direct);
        } catch (UnsupportedOperationException | IOException e) {
            if (!java.nio.file.Files.exists(dev)) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
            return FileChannel.open(dev, options);
        }
    }

    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    static Header header(Path dev) throws IOException {
        String h = readSector(dev, 0);
        if (!h.startsWith("PULSE-SBD 1\n")) {
            throw new IOException(dev + " has no Pulse SBD header; lay it out with: fence_pulse_sbd create " + dev
                    + " --nodes NODE1,NODE2,...");
        }
        Map<String, String> f = fields(h);
        try {
            return new Header(Integer.parseInt(f.get("slots")), Long.parseLong(f.get("watchdog_ms")),
                    Long.parseLong(f.get("msgwait_ms")), Long.parseLong(f.get("loop_ms")));
        } catch (RuntimeException e) {
            throw new IOException(dev + ": the Pulse SBD header is damaged (" + h.replace('\n', ' ') + ")");
        }
    }

    static Slot slot(Path dev, int sector) throws IOException {
        Map<String, String> f = fields(readSector(dev, sector));
        long at;
        try {
            at = Long.parseLong(f.getOrDefault("at", "0"));
        } catch (NumberFormatException e) {
            at = 0;
        }
        return new Slot(sector, f.getOrDefault("name", ""), f.getOrDefault("msg", "clear"), f.getOrDefault("from", ""), at);
    }

    /** The sector of {@code node}'s slot, or -1. */
    static int slotOf(Path dev, Header h, String node) throws IOException {
        for (int i = 1; i <= h.slots(); i++) {
            if (slot(dev, i).name().equals(node)) {
                return i;
            }
        }
        return -1;
    }

    static void clear(Path dev, int sector, String node) throws IOException {
        writeSector(dev, sector, "name=" + node + "\nmsg=clear\nfrom=" + node + "\nat=" + System.currentTimeMillis() + "\n");
    }
}
