package org.pulse.crmd.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code pulse-watchdog-sim}: a watchdog device for machines without one (tests, the lab), with the
 * Linux semantics crmd's {@link WatchdogFeeder} relies on. The device is a FIFO at the given path:
 * a writer opening it arms the watchdog, every byte feeds it, a 'V' as the last byte before close
 * disarms it (magic close), and a close without it leaves it armed. When it is not fed for the
 * timeout, the node is powered off through the power-switch simulator's fence agent
 * ({@code fence_pulse_sim}: {@code action=off port=NODE power_dir=DIR} on stdin), as a hardware
 * watchdog resets its machine. One simulator per node; it runs outside the node (a reset must not
 * depend on the node), and prints one line per event ({@code EPOCH_MS event ...}) on stdout.
 *
 * <p>Usage: {@code pulse-watchdog-sim --device PATH --timeout-ms N --node NAME --power-dir DIR --agent PATH}
 */
public final class WatchdogSimulator {
    private final Path device;
    private final long timeoutMs;
    private final String node;
    private final Path powerDir;
    private final Path agent;
    private final Object lock = new Object();
    private boolean armed;
    private long lastFedNanos;
    private long fired;

    WatchdogSimulator(Path device, long timeoutMs, String node, Path powerDir, Path agent) {
        this.device = device;
        this.timeoutMs = timeoutMs;
        this.node = node;
        this.powerDir = powerDir;
        this.agent = agent;
    }

    public static void main(String[] args) throws Exception {
        String device = null;
        String node = null;
        String power = null;
        String agent = null;
        long timeoutMs = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--device" -> device = args[i + 1];
                case "--timeout-ms" -> timeoutMs = Long.parseLong(args[i + 1]);
                case "--node" -> node = args[i + 1];
                case "--power-dir" -> power = args[i + 1];
                case "--agent" -> agent = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || device == null || node == null || power == null || agent == null
                || timeoutMs <= 0) {
            usage("every option is required, and --timeout-ms must be a positive number");
        }
        new WatchdogSimulator(Path.of(device), timeoutMs, node, Path.of(power), Path.of(agent)).run();
    }

    private static void usage(String why) {
        System.err.println("pulse-watchdog-sim: " + why + "\nusage: pulse-watchdog-sim --device PATH --timeout-ms N"
                + " --node NAME --power-dir DIR --agent PATH/fence_pulse_sim");
        System.exit(2);
    }

    private static void event(String what) {
        System.out.println(System.currentTimeMillis() + " " + what);
        System.out.flush();
    }

    void run() throws IOException, InterruptedException {
        if (!Files.exists(device)) {
            Process p = new ProcessBuilder("mkfifo", "-m", "0600", device.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mkfifo " + device + " failed");
            }
        } else if (Files.isRegularFile(device) || Files.isDirectory(device)) {
            throw new IOException(device + " exists and is not a FIFO; remove it or give another --device");
        }
        Thread reader = new Thread(this::readForever, "watchdog-sim-reader");
        reader.setDaemon(true);
        reader.start();
        event("ready device=" + device + " timeout_ms=" + timeoutMs + " node=" + node);
        while (true) {
            boolean expire;
            long unfedMs;
            synchronized (lock) {
                unfedMs = (System.nanoTime() - lastFedNanos) / 1_000_000;
                expire = armed && unfedMs > timeoutMs;
                if (expire) {
                    armed = false;
                    fired++;
                }
            }
            if (expire) {
                event("expired unfed_ms=" + unfedMs + ": powering " + node + " off");
                powerOff();
            }
            Thread.sleep(Math.max(1, Math.min(10, timeoutMs / 20)));
        }
    }

    /** Opens the FIFO again after each writer: each open arms, each byte feeds, 'V' before close disarms. */
    private void readForever() {
        byte[] buf = new byte[256];
        while (true) {
            try (InputStream in = new FileInputStream(device.toFile())) {
                synchronized (lock) {
                    armed = true;
                    lastFedNanos = System.nanoTime();
                }
                event("armed");
                int last = -1;
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (lock) {
                        lastFedNanos = System.nanoTime();
                    }
                    last = buf[n - 1];
                }
                if (last == 'V') {
                    synchronized (lock) {
                        armed = false;
                    }
                    event("disarmed (magic close)");
                } else {
                    event("closed without magic close: still armed");
                }
            } catch (IOException e) {
                event("error reading " + device + ": " + e.getMessage());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void powerOff() {
        try {
            Process p = new ProcessBuilder(agent.toString()).redirectErrorStream(true).start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(String.join("\n", List.of("action=off", "port=" + node, "power_dir=" + powerDir, ""))
                        .getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                event("power-off of " + node + " did not finish within 30 s");
                return;
            }
            event("powered-off rc=" + p.exitValue() + " " + output.replace('\n', ' '));
        } catch (IOException | InterruptedException e) {
            event("power-off of " + node + " failed: " + e);
        }
    }
}
