package org.pulse.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;

/**
 * The benches' command lines as an operator mistypes them: every wrong argument is a message naming it
 * with the usage and exit code 2, never a stack trace, and never a run started on the defaults (a
 * script that ignored its arguments ran for many minutes). Each program runs as a process of its own
 * (it exits), on this JVM's classpath, before the module is packaged: at most 60 s each, ~1 s each here.
 */
class BenchArgsTest {
    static final long BOUND_SECONDS = 60;

    @Test
    void positionalWholeNumbersAreParsedOrRefusedByName() {
        List<String> names = List.of("COMMITS", "TRIALS");
        assertArrayEquals(new int[] {300, 5}, BenchArgs.positionalInts(new String[0], names, new int[] {300, 5},
                new int[] {1, 0}));
        assertArrayEquals(new int[] {10, 0}, BenchArgs.positionalInts(new String[] {"10", "0"}, names,
                new int[] {300, 5}, new int[] {1, 0}));
        assertEquals("COMMITS takes a whole number, not 'x'", assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.positionalInts(new String[] {"x"}, names, new int[] {300, 5}, new int[] {1, 0}))
                .getMessage());
        assertEquals("unknown option --bogus", assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.positionalInts(new String[] {"--bogus"}, names, new int[] {300, 5}, new int[] {1, 0}))
                .getMessage());
        assertEquals("COMMITS must be at least 1, not 0", assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.positionalInts(new String[] {"0"}, names, new int[] {300, 5}, new int[] {1, 0}))
                .getMessage());
        assertTrue(assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.positionalInts(new String[] {"1", "2", "3"}, names, new int[] {300, 5}, new int[] {1, 0}))
                .getMessage().startsWith("unexpected argument '3'"));
        assertEquals("--rounds needs a value", assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.value(new String[] {"--rounds"}, 1)).getMessage());
        assertEquals("--seed takes a whole number, not '9x'", assertThrows(BenchArgs.BadArgument.class,
                () -> BenchArgs.longOf("--seed", "9x", Long.MIN_VALUE)).getMessage());
        assertEquals(-4, BenchArgs.longOf("--seed", "-4", Long.MIN_VALUE));
    }

    record Run(int rc, String out, String err) {
    }

    private static Run java(Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dpulse.root=" + TestEnv.root(), main.getName()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Run script(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.root().resolve("bench").resolve(name).toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Run run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("bench-args", ".out");
        Path err = Files.createTempFile("bench-args", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
                // a run that did not stop at its arguments: it started the benchmark
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd) + " still ran after " + BOUND_SECONDS
                        + " s: it did not refuse its arguments");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Exit 2, the program's name and what was wrong in one line, the usage, no stack trace. */
    private static void refused(Run r, String program, String says) {
        String what = program + " refusing (" + says + "): rc=" + r.rc() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
        assertEquals(2, r.rc(), what);
        assertTrue(r.err().contains(program + ": " + says), what);
        assertTrue(r.err().toLowerCase().contains("usage"), what);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what);
    }

    @Test
    void theJavaBenchesRefuseWrongArgumentsWithExitTwo() throws Exception {
        refused(java(ObserveBench.class, "--bogus"), "bench/observe", "unknown option --bogus");
        refused(java(ObserveBench.class, "many"), "bench/observe", "RESOURCES takes a whole number, not 'many'");
        refused(java(RuntimeBench.class, "x"), "bench/runtime", "COMMITS takes a whole number, not 'x'");
        refused(java(RuntimeBench.class, "10", "1", "2"), "bench/runtime", "unexpected argument '2'");
        refused(java(ScaleBench.class, "--nodes", "3,x"), "bench/scale", "--nodes takes a whole number, not 'x'");
        refused(java(ScaleBench.class, "--commits"), "bench/scale", "--commits needs a value");
        refused(java(LrmBench.class, "--ops", "lots"), "bench/lrm", "--ops takes a whole number, not 'lots'");
        refused(java(AclBench.class, "--rounds"), "bench/acl (AclBench)", "--rounds needs a value");
        refused(java(CibBench.class, "--bogus"), "bench/cib (CibBench)", "unknown argument --bogus");
        refused(java(SchedulerBench.class, "--rounds", "x"), "SchedulerBench", "--rounds takes a whole number, not 'x'");
        refused(java(SchedulerBench.class), "SchedulerBench", "--file CIB.xml is required");
        refused(java(ResidentSchedulerBench.class, "--bogus"), "ResidentSchedulerBench", "unknown option --bogus");
        refused(java(org.pulse.bench.failover.FailoverBench.class, "--trials", "ten"), "bench/failover",
                "--trials takes a whole number, not 'ten'");
        refused(java(org.pulse.bench.fuzz.FuzzCampaign.class, "--count", "0"), "bench/fuzz",
                "--count must be at least 1, not 0");
        refused(java(org.pulse.bench.fuzz.CorpusReplay.class, "--bogus"), "CorpusReplay", "unknown option --bogus");
        refused(java(org.pulse.bench.sim.SimCampaign.class, "--seed"), "bench/sim", "--seed needs a value");
        Run help = java(RuntimeBench.class, "--help");
        assertEquals(0, help.rc(), help.err());
        assertTrue(help.out().startsWith("usage: bench/runtime"), help.out());
    }

    @Test
    void theShellBenchesRefuseArgumentsBeforeStartingAnything() throws Exception {
        // bench/scheduler, acl and cib take none: they used to ignore any and run for many minutes
        refused(script("scheduler", "--bogus"), "bench/scheduler", "takes no arguments, got '--bogus'");
        refused(script("acl", "x"), "bench/acl", "takes no arguments, got 'x'");
        refused(script("cib", "--rounds", "3"), "bench/cib", "takes no arguments, got '--rounds 3'");
        refused(script("crm", "x"), "bench/crm", "'x' is not a whole number of at least 1");
        refused(script("crm", "1", "2", "3", "4"), "bench/crm", "takes at most 3 arguments");
        refused(script("heartbeat-priority", "--bogus"), "bench/heartbeat-priority",
                "'--bogus' is not a whole number of at least 1");
        Run help = script("scheduler", "--help");
        assertEquals(0, help.rc(), help.err());
        assertTrue(help.out().startsWith("The scheduler benchmark"), help.out());
    }
}
