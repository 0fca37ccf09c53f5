package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Which device can fence which node, and what its agent is given: one table row per rule of
 * Pacemaker's fencer (pcmk_host_check in each mode, pcmk_host_list and pcmk_host_map syntax,
 * pcmk_host_argument, action names, timeouts, retries, the fencing-* aliases).
 */
class FenceDevicesTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** A device "dev" (stonith:fence_dummy) with these instance attributes, given as name, value, ... */
    static FenceDevices.Device device(String... nv) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < nv.length; i += 2) {
            params.put(nv[i], nv[i + 1]);
        }
        return FenceDevices.of(new Primitive("dev", new AgentSpec("stonith", null, "fence_dummy"), params, Map.of(),
                false));
    }

    static FenceDevices.QueryAnswer answer(boolean ok, String... names) {
        return new FenceDevices.QueryAnswer(ok, List.of(names), NOW.minusSeconds(5));
    }

    static String cap(FenceDevices.Capability c) {
        if (c instanceof FenceDevices.Capability.Yes) {
            return "yes";
        }
        if (c instanceof FenceDevices.Capability.Ask a) {
            return "ask " + a.agentAction();
        }
        return "no";
    }

    static Stream<Arguments> capabilities() {
        FenceDevices.QueryAnswer listN1N2 = answer(true, "n1", "n2");
        FenceDevices.QueryAnswer listFailed = answer(false);
        FenceDevices.QueryAnswer statusOk = answer(true);
        FenceDevices.QueryAnswer statusFailed = answer(false);
        FenceDevices.QueryAnswer stale = new FenceDevices.QueryAnswer(true, List.of("n3"), NOW.minusSeconds(61));
        return Stream.of(
                // static-list: the default when a list or map is given
                Arguments.of("host list names the target", device("pcmk_host_list", "n1"), "n1", null, null, "yes"),
                Arguments.of("host list does not name it", device("pcmk_host_list", "n1"), "n3", null, null, "no"),
                Arguments.of("list with commas, spaces, semicolons", device("pcmk_host_list", "n1, n2;n3 n4"), "n4",
                        null, null, "yes"),
                Arguments.of("host map names the target", device("pcmk_host_map", "n1:1;n2:2"), "n2", null, null,
                        "yes"),
                Arguments.of("host map does not name it", device("pcmk_host_map", "n1:1;n2:2"), "n3", null, null,
                        "no"),
                Arguments.of("explicit static-list, list and map", device("pcmk_host_check", "static-list",
                        "pcmk_host_list", "n1", "pcmk_host_map", "n2:2"), "n2", null, null, "yes"),
                Arguments.of("static-list, no list at all", device("pcmk_host_check", "static-list"), "n1", null,
                        null, "no"),
                // dynamic-list: the default without a list or map; the device's list decides
                Arguments.of("dynamic-list by default, not asked yet", device(), "n1", null, null, "ask list"),
                Arguments.of("list names the target", device(), "n2", listN1N2, null, "yes"),
                Arguments.of("list does not name it", device(), "n3", listN1N2, null, "no"),
                Arguments.of("list names the mapped port", device("pcmk_host_check", "dynamic-list",
                        "pcmk_host_map", "n3:n2"), "n3", listN1N2, null, "yes"),
                Arguments.of("list older than 60 s: ask again", device(), "n3", stale, null, "ask list"),
                Arguments.of("no list action: fall back to status", device(), "n3", listFailed, null, "ask status"),
                Arguments.of("no list action, status answered", device(), "n3", listFailed, statusOk, "yes"),
                Arguments.of("no list action, status failed", device(), "n3", listFailed, statusFailed, "no"),
                // status: ask the device about the target's port
                Arguments.of("status, not asked yet", device("pcmk_host_check", "status"), "n1", null, null,
                        "ask status"),
                Arguments.of("status answered (on or off)", device("pcmk_host_check", "status"), "n1", null,
                        statusOk, "yes"),
                Arguments.of("status failed", device("pcmk_host_check", "status"), "n1", null, statusFailed, "no"),
                Arguments.of("status ignores a host list", device("pcmk_host_check", "status", "pcmk_host_list",
                        "n2"), "n1", null, statusOk, "yes"),
                // none: any node
                Arguments.of("none fences anyone", device("pcmk_host_check", "none"), "n9", null, null, "yes"),
                Arguments.of("none despite a host list", device("pcmk_host_check", "none", "pcmk_host_list", "n1"),
                        "n9", null, null, "yes"),
                Arguments.of("unknown check: the default", device("pcmk_host_check", "bogus", "pcmk_host_list",
                        "n1"), "n2", null, null, "no"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("capabilities")
    void capability(String name, FenceDevices.Device d, String target, FenceDevices.QueryAnswer list,
            FenceDevices.QueryAnswer status, String expected) {
        assertEquals(expected, cap(FenceDevices.capability(d, target, list, status, NOW)), name);
    }

    static Stream<Arguments> hostMaps() {
        return Stream.of(
                Arguments.of("n1:1;n2:2", Map.of("n1", "1", "n2", "2")),
                Arguments.of("n1=1;n2=2", Map.of("n1", "1", "n2", "2")),
                Arguments.of("n1:1 n2:2\tn3:3", Map.of("n1", "1", "n2", "2", "n3", "3")),
                Arguments.of("n1:1,n2:2", Map.of("n1", "1", "n2", "2")),
                Arguments.of("n1:1;n2:2,3", Map.of("n1", "1", "n2", "2,3")),
                Arguments.of(" n1:plug-a ; ", Map.of("n1", "plug-a")),
                Arguments.of("n1", Map.of("n1", "n1")),
                Arguments.of("", Map.of()));
    }

    @ParameterizedTest(name = "pcmk_host_map=\"{0}\"")
    @MethodSource("hostMaps")
    void hostMap(String text, Map<String, String> expected) {
        assertEquals(expected, FenceDevices.parseHostMap(text));
    }

    static Stream<Arguments> agentParams() {
        return Stream.of(
                // name, device, target, parameter expected to carry the port, its value, parameter expected absent
                Arguments.of("default: port", device("pcmk_host_list", "n1", "ip", "192.0.2.1"), "n1", "port", "n1",
                        "plug"),
                Arguments.of("host map gives the port", device("pcmk_host_map", "n1:4"), "n1", "port", "4", "plug"),
                Arguments.of("pcmk_host_argument=plug", device("pcmk_host_argument", "plug", "pcmk_host_map",
                        "n1:4"), "n1", "plug", "4", "port"),
                Arguments.of("pcmk_host_argument=uuid", device("pcmk_host_argument", "uuid"), "n2", "uuid", "n2",
                        "port"),
                Arguments.of("pcmk_host_argument=none sends no port", device("pcmk_host_argument", "none"), "n2",
                        null, null, "port"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agentParams")
    void agentParameters(String name, FenceDevices.Device d, String target, String portArg, String port,
            String absent) {
        Map<String, String> p = FenceDevices.agentParams(d, target);
        if (portArg != null) {
            assertEquals(port, p.get(portArg), name + ": " + p);
        }
        assertFalse(p.containsKey(absent), name + ": " + absent + " must not be sent: " + p);
        assertEquals(target, p.get("nodename"), name);
        d.params().forEach((k, v) -> assertEquals(v, p.get(k), name + ": the device's own " + k + " is passed on"));
    }

    static Cib cib(String properties) throws Exception {
        return ControllerTest.cib("<primitive id=\"dev\" class=\"stonith\" type=\"fence_dummy\"><operations>"
                + "<op id=\"dev-st\" name=\"stonith\" interval=\"0\" timeout=\"77s\"/></operations></primitive>",
                properties);
    }

    static String prop(String name, String value) {
        return "<nvpair id=\"p-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                // name, cluster properties, device params, what to read, expected
                Arguments.of("timeout: the device's stonith op", "", new String[] {}, "timeout reboot", "77000"),
                Arguments.of("timeout: stonith-timeout", prop("stonith-timeout", "90s"), new String[] {},
                        "timeout reboot", "90000"),
                Arguments.of("timeout: fencing-timeout alias", prop("fencing-timeout", "45s"), new String[] {},
                        "timeout reboot", "45000"),
                Arguments.of("timeout: fencing-timeout wins over stonith-timeout", prop("stonith-timeout", "90s")
                        + prop("fencing-timeout", "45s"), new String[] {}, "timeout reboot", "45000"),
                Arguments.of("timeout: pcmk_reboot_timeout", prop("stonith-timeout", "90s"),
                        new String[] {"pcmk_reboot_timeout", "30s"}, "timeout reboot", "30000"),
                Arguments.of("timeout: pcmk_off_timeout only for off", "", new String[] {"pcmk_off_timeout", "30s"},
                        "timeout reboot", "77000"),
                Arguments.of("action: reboot by default", "", new String[] {}, "action", "reboot"),
                Arguments.of("action: stonith-action=off", prop("stonith-action", "off"), new String[] {}, "action",
                        "off"),
                Arguments.of("action: fencing-action=poweroff", prop("fencing-action", "poweroff"), new String[] {},
                        "action", "off"),
                Arguments.of("action: pcmk_reboot_action", "", new String[] {"pcmk_reboot_action", "cycle"},
                        "agent action", "cycle"),
                Arguments.of("action: pcmk_off_action", prop("stonith-action", "off"),
                        new String[] {"pcmk_off_action", "power-off"}, "agent action", "power-off"),
                Arguments.of("retries: 2 by default", "", new String[] {}, "tries", "2"),
                Arguments.of("retries: pcmk_reboot_retries", "", new String[] {"pcmk_reboot_retries", "4"}, "tries",
                        "4"),
                Arguments.of("max attempts: 10 by default", "", new String[] {}, "max attempts", "10"),
                Arguments.of("max attempts: stonith-max-attempts", prop("stonith-max-attempts", "3"),
                        new String[] {}, "max attempts", "3"),
                Arguments.of("max attempts: fencing-max-attempts", prop("fencing-max-attempts", "4"),
                        new String[] {}, "max attempts", "4"),
                Arguments.of("fencing-enabled=false turns fencing off", prop("fencing-enabled", "false"),
                        new String[] {}, "enabled", "false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void setting(String name, String properties, String[] params, String what, String expected) throws Exception {
        Cib cib = cib(properties);
        FenceDevices.Device d = device(params);
        String action = FenceDevices.clusterAction(cib);
        String got = switch (what) {
            case "timeout reboot" -> Long.toString(FenceDevices.timeoutMs(cib, d, "reboot", 20_000));
            case "action" -> action;
            case "agent action" -> FenceDevices.agentAction(d, action);
            case "tries" -> Integer.toString(FenceDevices.tries(d, action));
            case "max attempts" -> Integer.toString(FenceDevices.maxAttempts(cib));
            case "enabled" -> Boolean.toString(Cibs.stonithEnabled(cib));
            default -> throw new IllegalArgumentException(what);
        };
        assertEquals(expected, got, name);
    }

    @org.junit.jupiter.api.Test
    void listOutputAsFenceAgentsPrintIt() {
        assertEquals(List.of("n1", "n2", "alias2"), FenceDevices.parseListOutput("n1,\nn2,alias2\n\n"));
        assertEquals(List.of(), FenceDevices.parseListOutput(""));
    }

    @org.junit.jupiter.api.Test
    void clusterOptionsMapThePacemaker3NamesInOnePlace() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("fencing_enabled", "false");
        values.put("fencing-action", "off");
        org.pulse.cib.model.ClusterOptions o = new org.pulse.cib.model.ClusterOptions(values);
        assertFalse(o.stonithEnabled());
        assertEquals("off", o.stonithAction());
        assertEquals("stonith-timeout", org.pulse.cib.model.ClusterOptions.canonicalName("fencing_timeout"));
        assertNull(Cibs.property(cib(""), "fencing-timeout", null));
    }
}
