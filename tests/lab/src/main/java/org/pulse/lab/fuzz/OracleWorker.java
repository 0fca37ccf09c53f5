package org.pulse.lab.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Pacemaker's side, one Python process (oracle_worker.py, which loads canon.py once) serving one
 * fuzzing thread: requests and answers are single JSON lines. Not thread-safe: one per thread.
 */
final class OracleWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final OutputStream in;
    private final BufferedReader out;

    OracleWorker(Path canonToolsDir, Path scratch) throws IOException {
        Path script = scratch.resolve("oracle_worker.py");
        if (!Files.exists(script)) {
            try (InputStream s = OracleWorker.class.getResourceAsStream("oracle_worker.py")) {
                if (s == null) {
                    throw new IOException("oracle_worker.py is missing from the classpath (org/pulse/lab/fuzz)");
                }
                Files.write(script, s.readAllBytes());
            }
        }
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), canonToolsDir.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("CIB_shadow_dir", scratch.toString());
        process = pb.start();
        in = process.getOutputStream();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The worker's answer to one request; its own per-command timeouts bound the wait. */
    JsonNode ask(Map<String, Object> request) throws IOException {
        in.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the crm_simulate worker (python3 oracle_worker.py) ended; see its stderr above");
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // it is going away anyway
        }
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
