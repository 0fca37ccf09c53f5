package org.pulse.tests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.lab.support.NetnsLab.Result;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * The previous release, built from its git tag for the tests that run it beside this build
 * (RollingUpgradeTest): {@code git archive TAG} unpacked into target/previous-TAG (the parent project's target) and built
 * there with {@code mvn -B -q -DskipTests package -pl crmd,crm-shell -am} (the modules bin/crmd
 * and bin/crm run from), with the local repository this build uses. Cached: a later run finds
 * target/previous-TAG/.built and builds nothing (mvn clean at the top removes it). Bound: one build of four
 * modules, about a minute on two cores, 10 minutes at most. Without the tag (a clone without
 * history or tags) the suite skips, and under CI=true fails, saying how to get it.
 */
public final class PreviousRelease {
    /** The last released state: the previous session's head (commit 0f109ac). */
    public static final String TAG = "v0.11";
    /** The tag's commit: a clone that carries history but not tags (some CI checkouts) still has it. */
    static final String TAG_COMMIT = "0f109ac652e3b4b778595d47aa28aea92d3a052c";
    static final Duration BUILD_BOUND = Duration.ofMinutes(10);

    private PreviousRelease() {
    }

    /** The built source tree of {@code tag}; skips (fails under CI) when the tag is not in this clone. */
    public static Path build(String tag) throws IOException {
        Path repo = TestEnv.root();
        // Not under tests/: the launchers of v0.11 drop every jar whose path contains "tests" or "sources".
        Path dir = repo.resolve("target/previous-" + tag);
        if (Files.exists(dir.resolve(".built"))) {
            return dir;
        }
        String rev = resolvable(repo, tag) ? tag : TAG.equals(tag) && resolvable(repo, TAG_COMMIT) ? TAG_COMMIT : null;
        TestEnv.require(rev != null, "the git tag " + tag + " (the previous release) in " + repo + ": clone with tags"
                + " (git clone, or git fetch --tags), not an archive or a shallow clone without them");
        long t0 = System.nanoTime();
        NetnsLab.run(List.of("rm", "-rf", dir.toString()), Map.of(), Duration.ofSeconds(60));
        Files.createDirectories(dir);
        Result unpacked = NetnsLab.run(List.of("bash", "-c", "git -C \"$1\" archive \"$2\" | tar -x -C \"$3\"", "sh",
                repo.toString(), rev, dir.toString()), Map.of(), Duration.ofSeconds(120));
        if (!unpacked.ok()) {
            throw new IllegalStateException("git archive " + tag + " failed: " + unpacked.stderr());
        }
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-q", "-DskipTests", "package", "-pl", "crmd,crm-shell", "-am"));
        String m2 = System.getProperty("pulse.m2");
        if (m2 != null && !m2.isBlank() && !m2.contains("${")) {
            mvn.add("-Dmaven.repo.local=" + m2);
        }
        List<String> argv = new ArrayList<>(List.of("bash", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir.toString()));
        argv.addAll(mvn);
        Result built = NetnsLab.run(argv, Map.of(), BUILD_BOUND);
        if (!built.ok()) {
            throw new IllegalStateException("building " + tag + " in " + dir + " failed (rc " + built.rc() + "): "
                    + built.stdout() + built.stderr());
        }
        Files.writeString(dir.resolve(".built"), tag + "\n");
        System.out.printf("PreviousRelease: %s built in %s in %d s%n", tag, dir, (System.nanoTime() - t0) / 1_000_000_000);
        return dir;
    }

    private static boolean resolvable(Path repo, String rev) {
        return NetnsLab.run(List.of("git", "-C", repo.toString(), "rev-parse", "--verify", "-q", rev + "^{commit}"),
                Map.of(), Duration.ofSeconds(30)).ok();
    }
}
