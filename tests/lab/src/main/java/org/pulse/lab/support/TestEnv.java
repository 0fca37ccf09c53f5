package org.pulse.lab.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a suite needs from its surroundings, and the one rule for a missing piece: outside CI a
 * suite may skip with a message saying what it needs; under {@code CI=true} it must run, so a
 * missing piece fails it instead of skipping quietly.
 *
 * <p>The benchmarks run the same lab code from a plain class path, without JUnit: there a missing
 * piece is a {@link Missing} saying what is needed (JUnit's classes are only touched when present,
 * so a benchmark never ends in a NoClassDefFoundError instead of the message).
 */
public final class TestEnv {
    /** True when JUnit is on the class path: a suite is running, not a benchmark. */
    private static final boolean UNDER_JUNIT = junitPresent();

    private TestEnv() {
    }

    /** What a lab run outside JUnit (a benchmark) lacks; its message says what to install or do. */
    public static final class Missing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Missing(String what) {
            super("cannot run: needs " + what);
        }
    }

    private static boolean junitPresent() {
        try {
            Class.forName("org.junit.jupiter.api.Assumptions", false, TestEnv.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The repository root. */
    public static Path root() {
        String p = System.getProperty("pulse.root");
        return p != null ? Path.of(p).toAbsolutePath().normalize() : Path.of("..").toAbsolutePath().normalize();
    }

    /** {@code ../shared} beside the repository (or -Dpulse.shared=DIR). */
    public static Path shared() {
        String p = System.getProperty("pulse.shared");
        Path dir = p != null ? Path.of(p) : root().resolve("../shared");
        dir = dir.toAbsolutePath().normalize();
        require(Files.isDirectory(dir.resolve("conformance")),
                "../shared (with conformance/) beside the repository, looked for at " + dir);
        return dir;
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Suites that make namespaces, addresses or mounts. */
    public static void requireRoot() {
        require(isRoot(), "root (network namespaces, addresses, mounts); run as root or in CI");
    }

    /**
     * What every suite that runs the daemons needs: crmd and crm-shell built with their libraries
     * (bin/crmd, bin/crm, bin/pulse-remoted run from them). Returns the source tree.
     */
    public static Path requireBuiltJars() {
        Path repo = root();
        require(Files.isDirectory(repo.resolve("crmd/target/lib")) && Files.isDirectory(repo.resolve("crm-shell/target/lib")),
                "built crmd and crm-shell (mvn -DskipTests package) for bin/crmd, bin/crm and bin/pulse-remoted");
        return repo;
    }

    /** A program on the PATH, e.g. "ip", "apache2ctl". */
    public static void requireCommand(String command) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                found = true;
                break;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            found |= Files.isExecutable(Path.of(dir, command));
        }
        require(found, "the command '" + command + "' (.ci/run installs it from Debian)");
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (!UNDER_JUNIT) {
            throw new Missing(what);
        }
        if (inCi()) {
            fail("CI=true but this suite cannot run: it needs " + what);
        }
        assumeTrue(false, "skipped: needs " + what);
    }
}
