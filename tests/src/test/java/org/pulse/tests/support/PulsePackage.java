package org.pulse.tests.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.lab.support.NetnsLab.Result;
import org.pulse.lab.support.NetnsLab;

/**
 * The Debian package as the suites that install it on this machine share it (DebPackageTest,
 * InstallLabTest): built by packaging/deb/build-deb.sh (the script the Maven build runs in the
 * tests module's package phase, which comes after the tests), installed with dpkg and purged again.
 * dpkg is the machine's, so at most one of them may hold it installed at a time: {@link #lock}
 * is a lock file in /run/lock that both take before installing and release after purging, across
 * JVMs too (parallel builds of other checkouts on the same machine).
 */
public final class PulsePackage implements AutoCloseable {
    static final Path LOCK = Path.of("/run/lock/pulse-package-tests.lock");
    private static final Duration STEP = Duration.ofSeconds(60);

    private final FileChannel channel;
    private final FileLock lock;

    private PulsePackage(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits (at most {@code max}) until no other suite holds the package; fails saying who to wait for. */
    public static PulsePackage lock(Duration max) throws IOException, InterruptedException {
        FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            FileLock l = ch.tryLock();
            if (l != null) {
                return new PulsePackage(ch, l);
            }
            if (System.nanoTime() > deadline) {
                ch.close();
                throw new IllegalStateException("another test run holds " + LOCK + " (it has the pulse package installed)"
                        + " for more than " + max.toSeconds() + " s: wait for it, or end it");
            }
            Thread.sleep(1000);
        }
    }

    /** build-deb.sh into {@code outDir}; the .deb's path. */
    public static Path build(Path repo, Path outDir) {
        Result built = NetnsLab.run(List.of("bash", repo.resolve("packaging/deb/build-deb.sh").toString(), repo.toString(),
                outDir.toString(), "0.1.0-SNAPSHOT"), Map.of(), Duration.ofSeconds(180));
        if (!built.ok()) {
            throw new IllegalStateException("build-deb.sh failed: " + built.stderr());
        }
        return Path.of(built.stdout().strip());
    }

    /** True when dpkg has a package named pulse installed (or half installed). */
    public static boolean installed() {
        Result r = NetnsLab.run(List.of("dpkg-query", "-W", "-f=${Status}", "pulse"), Map.of(), STEP);
        return r.ok() && r.stdout().contains("installed") && !r.stdout().contains("not-installed");
    }

    /**
     * How long one dpkg call may take: postinst makes the class-data archives by training runs bounded at
     * 60 s (crm) and ~75 s (crmd's idle life, bin/pulse-cds), so an install may take that long and more on a
     * loaded machine; 60 s, a quiet machine's whole test many times over, failed an install at load 50-80.
     */
    private static final Duration DPKG_STEP = Duration.ofSeconds(300);

    /** dpkg waits for nobody: retried while another apt/dpkg (another engineer's setup) holds its lock. */
    public static Result dpkg(String... args) throws InterruptedException {
        List<String> argv = new ArrayList<>(List.of("dpkg"));
        argv.addAll(List.of(args));
        Result r = null;
        for (int i = 0; i < 30; i++) {
            r = NetnsLab.run(argv, Map.of("DEBIAN_FRONTEND", "noninteractive"), DPKG_STEP);
            if (r.ok() || !(r.stderr().contains("lock") || r.stderr().contains("locked"))) {
                return r;
            }
            Thread.sleep(2000);
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
