package org.pulse.shell.commands;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.simulate.Simulation;

/**
 * Schedules two small built-in CIBs ({@link Simulation#warmUpCibs}) on a second thread while the main thread reads a
 * big CIB. A one-shot {@code crm simulate} runs in a fresh JVM, where the scheduler's code is at
 * first interpreted and compiled only once it has run a few hundred times; on a 32x10,000 CIB
 * that cost ~250 ms of a ~500 ms run. Run here first, on the machine's other core, the same code
 * is compiled by the time the real run reaches it: about 60 ms less (bench/scheduler).
 *
 * <p>Only ever a speed-up: the result is thrown away, nothing is shared with the real run but
 * the JVM's compiled code, and any failure here is ignored (the real run reports its own).
 */
public final class SchedulerWarmUp {
    /** Below this the real run is over before the warm-up would help. */
    static final long WORTH_IT_BYTES = 512 * 1024;
    private static final int ROUNDS = 5;
    private static final Instant AT = Instant.ofEpochSecond(1_700_000_000L);

    private volatile boolean stopped;

    private SchedulerWarmUp() {
    }

    /** Starts a warm-up when {@code cib} is big enough for it to pay; stop it once the real run has scheduled. */
    public static SchedulerWarmUp startFor(Path cib) {
        SchedulerWarmUp w = new SchedulerWarmUp();
        long bytes;
        try {
            bytes = Files.size(cib);
        } catch (IOException e) {
            bytes = 0;   // the real run will say what is wrong with the file
        }
        // -Dpulse.warmUp=false turns it off (bench/scheduler's BENCH_WARMUP=0 measures without it)
        if (bytes >= WORTH_IT_BYTES && !"false".equals(System.getProperty("pulse.warmUp"))) {
            Thread t = new Thread(w::run, "scheduler-warm-up");
            t.setDaemon(true);
            t.start();
        }
        return w;
    }

    /**
     * For main, before the command line is parsed: a warm-up when the words ask for simulate or
     * explain on a CIB file ({@code --cib-file FILE}, {@code --cib-file=FILE}, else $CIB_file); null otherwise.
     */
    public static SchedulerWarmUp startForCommandLine(String[] args, String cibFileFromEnvironment) {
        String file = cibFileFromEnvironment;
        boolean schedules = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--cib-file") && i + 1 < args.length) {
                file = args[i + 1];
            } else if (args[i].startsWith("--cib-file=")) {
                file = args[i].substring("--cib-file=".length());
            } else if (args[i].equals("simulate") || args[i].equals("explain")) {
                schedules = true;
            }
        }
        if (!schedules || file == null || file.isBlank()) {
            return null;
        }
        try {
            return startFor(Path.of(file));
        } catch (java.nio.file.InvalidPathException e) {
            return null;   // the command itself will say what is wrong with the name
        }
    }

    /** No more rounds after the one under way: the real run no longer needs them. */
    public void stop() {
        stopped = true;
    }

    private void run() {
        try {
            Map<String, String> cibs = Simulation.warmUpCibs();
            String[] names = cibs.keySet().toArray(new String[0]);
            String[] xml = cibs.values().toArray(new String[0]);
            for (int round = 0; round < ROUNDS && !stopped; round++) {
                for (int i = 0; i < xml.length && !stopped; i++) {
                    PolicyEngine.schedule(CibModel.from(XmlParser.parse(names[i], xml[i])), AT)
                            .writeGraphXml(OutputStream.nullOutputStream());
                }
            }
        } catch (Exception | LinkageError e) {
            // a warm-up that fails costs nothing but its own time
        }
    }
}
