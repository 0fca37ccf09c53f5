package org.pulse.tests.lrm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.LrmConfig;

/**
 * The test agents of tests/src/test/resources/lrm, copied into a fresh directory and made executable
 * (Maven's resource copy does not keep the x bit), except {@code notexec}, which must stay non-executable.
 * Layout: {@code DIR/ocf/resource.d/pulsetest/*}, {@code DIR/init.d/*}, {@code DIR/fence/*},
 * plus {@code DIR/rsctmp} as this test's HA_RSCTMP and {@code DIR/work} for the agents' files.
 */
final class TestAgents implements AutoCloseable {
    final Path dir;

    TestAgents() {
        try {
            dir = Files.createTempDirectory("pulse-lrm-agents");
            URL url = TestAgents.class.getResource("/lrm");
            if (url == null) {
                throw new IllegalStateException("test resources /lrm not on the class path (tests/src/test/resources/lrm)");
            }
            Path src = Path.of(url.toURI());
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.toList()) {
                    Path to = dir.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                        boolean exec = !p.getFileName().toString().equals("notexec");
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
            Files.createDirectories(dir.resolve("rsctmp"));
            Files.createDirectories(dir.resolve("work"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The LRM configuration for these agents: their OCF dir first, then ClusterLabs' (for ocf-shellfuncs). */
    LrmConfig config() {
        return LrmConfig.defaults().withAgentDirs(List.of(dir.resolve("ocf"), LrmConfig.DEFAULT_OCF_ROOT))
                .withLsbDir(dir.resolve("init.d")).withStonithDirs(List.of(dir.resolve("fence")))
                .withHaRsctmp(dir.resolve("rsctmp")).withNodeName("node1")
                .withEnv("PULSETEST_STATE_DIR", work().toString());
    }

    Path work() {
        return dir.resolve("work");
    }

    static AgentRef agent(String type) {
        return AgentRef.ocf("pulsetest", type);
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temp directory is not worth failing a test for.
        }
    }
}
