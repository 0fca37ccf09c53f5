package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pulse-watchdog-sim keeps Linux watchdog semantics: feeding keeps the node on, 'V' before close
 * disarms, an unfed open device powers the node off through the agent (a stand-in that records its
 * stdin here).
 */
class WatchdogSimulatorTest {
    @Test
    void feedsMagicCloseAndExpiry(@TempDir Path dir) throws Exception {
        Path agent = dir.resolve("agent");
        Path calls = dir.resolve("calls");
        Files.writeString(agent, "#!/bin/sh\ncat >> " + calls + "\necho --- >> " + calls + "\n");
        agent.toFile().setExecutable(true);
        Path device = dir.resolve("watchdog");
        Process sim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), WatchdogSimulator.class.getName(), "--device", device.toString(),
                "--timeout-ms", "300", "--node", "n9", "--power-dir", dir.toString(), "--agent", agent.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sim.log").toFile()).start();
        try {
            WatchdogFeederTest.waitUntil(() -> Files.exists(device));
            try (FileOutputStream out = new FileOutputStream(device.toFile())) {
                for (int i = 0; i < 12; i++) {
                    out.write('1');
                    out.flush();
                    Thread.sleep(50);
                }
                out.write('V');
            }
            Thread.sleep(700);
            assertFalse(Files.exists(calls), "fired although fed, then disarmed by the magic close: "
                    + Files.readString(dir.resolve("sim.log")));
            try (FileOutputStream out = new FileOutputStream(device.toFile())) {
                out.write('1');
                out.flush();
                WatchdogFeederTest.waitUntil(() -> Files.exists(calls) && read(calls).contains("---"));
            }
            String call = read(calls);
            assertTrue(call.contains("action=off") && call.contains("port=n9") && call.contains("power_dir=" + dir), call);
            assertTrue(read(dir.resolve("sim.log")).contains("expired"), read(dir.resolve("sim.log")));
        } finally {
            sim.destroyForcibly();
            sim.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
