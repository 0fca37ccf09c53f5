package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pulse.lab.support.TestEnv;

/** Every Pulse agent is an executable whose meta-data validates against the OCF 1.1 schema. */
class PulseAgentMetadataTest {
    static final List<String> AGENTS = List.of("Dummy", "Stateful", "ping", "IPaddr", "httpd", "Filesystem", "health");

    static Stream<String> agents() {
        return AGENTS.stream();
    }

    @Test
    void theProviderDirectoryHoldsExactlyTheShippedAgentsAllExecutable() throws IOException {
        try (Stream<Path> files = Files.list(Ocf.PULSE)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
            assertEquals(AGENTS.stream().sorted().toList(), names);
        }
        for (String a : AGENTS) {
            assertTrue(Files.isExecutable(Ocf.PULSE.resolve(a)), a + " must be executable (git keeps the bit)");
        }
    }

    @ParameterizedTest
    @MethodSource("agents")
    void metaDataValidatesAndNamesTheAgentAndTheMandatoryActions(String type) throws IOException {
        TestEnv.requireCommand("xmllint");
        Ocf.Result md = Ocf.pulse(type, type, Map.of(), null).run("meta-data");
        assertEquals(0, md.rc(), md::toString);
        assertEquals("", Ocf.schemaProblems(md.stdout()), type + " meta-data against ra-api-1.1.rng");
        assertTrue(md.stdout().contains("<resource-agent name=\"" + type + "\""), "name attribute is the agent's file name");
        assertTrue(md.stdout().contains("<version>1.1</version>"), "OCF 1.1");
        for (String action : List.of("start", "stop", "monitor", "meta-data", "validate-all")) {
            assertTrue(md.stdout().contains("<action name=\"" + action + "\""), type + " advertises " + action);
        }
    }

    @ParameterizedTest
    @MethodSource("agents")
    void unknownActionsAreUnimplementedAndNoActionIsAnArgumentError(String type) {
        Ocf.Agent a = Ocf.pulse(type, "t1", Map.of(), null);
        assertEquals(3, a.run("frobnicate").rc(), "unknown action → OCF_ERR_UNIMPLEMENTED");
        assertEquals(2, Ocf.runDirect(a, "", 0, 10_000, Map.of()).rc(), "empty action → OCF_ERR_ARGS");
    }

    @ParameterizedTest
    @MethodSource("agents")
    void agentsAreValidPosixShell(String type) {
        // #!/bin/sh is dash on Debian; the syntax must also hold for bash in POSIX mode.
        for (List<String> sh : List.of(List.of("dash", "-n"), List.of("bash", "--posix", "-n"))) {
            TestEnv.requireCommand(sh.get(0));
            List<String> argv = new java.util.ArrayList<>(sh);
            argv.add(Ocf.PULSE.resolve(type).toString());
            org.pulse.lab.support.NetnsLab.Result r = org.pulse.lab.support.NetnsLab.run(argv, Map.of(),
                    java.time.Duration.ofSeconds(10));
            assertEquals(0, r.rc(), () -> sh + " " + type + ": " + r.stderr());
        }
    }

    /**
     * Stateful and ping call crm_attribute and attrd_updater with exactly these arguments; Pulse's shims
     * (bin/, put first on PATH by crmd) must accept them. Without a crmd they fail at connecting, which
     * is the step after argument parsing; and the agents themselves are checked to use these forms.
     */
    @Test
    void theClusterCallbacksTheAgentsMakeAreAcceptedByPulsesShims() throws IOException {
        Path bin = TestEnv.root().resolve("bin");
        TestEnv.require(Files.isExecutable(bin.resolve("crm_attribute")) && Files.isExecutable(bin.resolve("attrd_updater")),
                "Pulse's agent shims bin/crm_attribute and bin/attrd_updater");
        String stateful = Files.readString(Ocf.PULSE.resolve("Stateful"));
        String ping = Files.readString(Ocf.PULSE.resolve("ping"));
        assertTrue(stateful.contains("crm_attribute -p -v \"$1\"") && stateful.contains("crm_attribute -p -D"));
        assertTrue(ping.contains("attrd_updater -n \"$OCF_RESKEY_name\" -U \"$_value\" -d \"$OCF_RESKEY_dampen\"")
                && ping.contains("attrd_updater -D -n \"$OCF_RESKEY_name\" -d \"$OCF_RESKEY_dampen\""));
        for (List<String> call : List.of(List.of("crm_attribute", "-p", "-v", "10"), List.of("crm_attribute", "-p", "-D"),
                List.of("attrd_updater", "-n", "pingd", "-U", "100", "-d", "5s"),
                List.of("attrd_updater", "-D", "-n", "pingd", "-d", "5s"))) {
            List<String> argv = new java.util.ArrayList<>(call);
            argv.set(0, bin.resolve(call.get(0)).toString());
            org.pulse.lab.support.NetnsLab.Result r = org.pulse.lab.support.NetnsLab.run(argv,
                    Map.of("OCF_RESOURCE_INSTANCE", "st", "PULSE_SOCKET", "/nonexistent/pulse-test.sock"),
                    java.time.Duration.ofSeconds(30));
            // 102 is "not connected" (as Pacemaker's CRM_EX_NOT_CONNECTED): parsing passed, connecting failed.
            assertEquals(102, r.rc(), () -> call + " must get past argument parsing: " + r.stderr());
        }
    }

    @Test
    void agentsRunWithoutOcfRootOrTheClusterLabsLibrary() {
        // meta-data with an empty environment: nothing of resource-agents may be needed.
        Ocf.Result r = Ocf.run(Ocf.pulse("Dummy", "d", Map.of(), null), "meta-data", 0, 10_000,
                Map.of("OCF_ROOT", "/nonexistent"));
        assertEquals(0, r.rc(), r::toString);
    }
}
