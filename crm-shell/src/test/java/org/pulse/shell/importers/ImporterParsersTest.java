package org.pulse.shell.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.shell.importers.KeepalivedConfig.Stmt;

/** The importers' parsers as pure functions, on files held in memory. */
class ImporterParsersTest {
    /** Files from a map; a glob "dir/*.conf" matches the map's keys in that directory. */
    static KeepalivedConfig.Files memory(Map<String, String> files) {
        return new KeepalivedConfig.Files() {
            @Override
            public String read(Path file) throws java.io.IOException {
                String t = files.get(file.toString());
                if (t == null) {
                    throw new java.nio.file.NoSuchFileException(file.toString());
                }
                return t;
            }

            @Override
            public List<Path> glob(Path pattern) {
                java.nio.file.PathMatcher m = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                List<Path> out = new ArrayList<>();
                files.keySet().stream().sorted().map(Path::of).filter(m::matches).forEach(out::add);
                return out;
            }
        };
    }

    @Test
    void bracesCommentsQuotesConditionsVariablesAndIncludes() throws Exception {
        var fs = memory(Map.of(
                "/k/main.conf", "! comment\n$NET=192.0.2\ninclude inc/*.conf\nvrrp_instance VI_1{ # touching brace\n"
                        + "@n1 priority 150\n@^n1 priority 90\n virtual_ipaddress { ${NET}.10/24 dev eth0 }\n"
                        + " notify_master \"/bin/x a  b\" ! trailing\n}\n",
                "/k/inc/a.conf", "vrrp_script s1 {\n script \"true\"\n}\n"));
        List<Stmt> n1 = KeepalivedConfig.parse(Path.of("/k/main.conf"), "main.conf", "n1", fs);
        assertEquals(List.of("vrrp_script", "vrrp_instance"), n1.stream().map(Stmt::keyword).toList());
        assertEquals("/k/inc/a.conf:1", n1.get(0).where());
        Stmt inst = n1.get(1);
        assertEquals(List.of("VI_1"), inst.args());
        assertEquals("priority 150", inst.children().get(0).text());
        Stmt vips = inst.children().get(1);
        assertEquals("192.0.2.10/24 dev eth0", vips.children().get(0).text());
        assertEquals(List.of("/bin/x a  b"), inst.children().get(2).args());
        List<Stmt> n2 = KeepalivedConfig.parse(Path.of("/k/main.conf"), "main.conf", "n2", fs);
        assertEquals("priority 90", n2.get(1).children().get(0).text());
    }

    @Test
    void badFilesAreRefusedNamingFileAndLine() {
        var fs = memory(Map.of("/k/open.conf", "a {\n b {\n}\n", "/k/close.conf", "a\n}\n",
                "/k/var.conf", "x $NOPE\n", "/k/loop.conf", "include loop.conf\n", "/k/none.conf", "include nope/*.conf\n"));
        assertTrue(assertThrows(KeepalivedConfig.ParseException.class, () -> KeepalivedConfig.parse(
                Path.of("/k/open.conf"), "n", fs)).getMessage().startsWith("/k/open.conf:1: block opened here is never closed"));
        assertTrue(assertThrows(KeepalivedConfig.ParseException.class, () -> KeepalivedConfig.parse(
                Path.of("/k/close.conf"), "n", fs)).getMessage().startsWith("/k/close.conf:2: '}' closes no block"));
        assertTrue(assertThrows(KeepalivedConfig.ParseException.class, () -> KeepalivedConfig.parse(
                Path.of("/k/var.conf"), "n", fs)).getMessage().contains("$NOPE is used but not defined"));
        assertTrue(assertThrows(KeepalivedConfig.ParseException.class, () -> KeepalivedConfig.parse(
                Path.of("/k/loop.conf"), "n", fs)).getMessage().contains("an include loop?"));
        assertTrue(assertThrows(KeepalivedConfig.ParseException.class, () -> KeepalivedConfig.parse(
                Path.of("/k/none.conf"), "n", fs)).getMessage().contains("matches no file"));
    }

    @Test
    void keepalivedWeightsBecomeLocationRulesWithKeepalivedsArithmetic() throws Exception {
        var fs = memory(Map.of("/k/a.conf", "vrrp_script up { script \"true\"\n weight 5 }\n"
                + "vrrp_script down { script \"false\"\n weight -7 }\nvrrp_script fault { script \"x\" }\n"
                + "vrrp_script rev { script \"y\"\n weight 3 reverse }\n"
                + "vrrp_instance V { priority 110\n nopreempt\n virtual_ipaddress { 192.0.2.1 }\n"
                + " track_script { up\n down\n fault\n rev\n down weight 4 }\n}\n"));
        ImportResult r = KeepalivedImporter.importFiles(List.of(new KeepalivedImporter.NodeFile("n1",
                Path.of("/k/a.conf"), "a.conf")), fs);
        List<String> c = r.commands();
        assertTrue(c.contains("location V-track-up V rule 5: health_up eq 1"), c::toString);
        // the track_script's own weight overrides the script's (the later "down weight 4" line)
        assertTrue(c.contains("location V-track-down V rule 4: health_down eq 1"), c::toString);
        assertTrue(c.contains("location V-track-fault V rule -inf: health_fault eq 0"), c::toString);
        assertTrue(c.contains("location V-track-rev V rule -3: health_rev eq 1"), c::toString);
        // nopreempt: priority 110 + weights 5+4+0+3 + 1
        assertTrue(c.contains("group V V-ip1 meta resource-stickiness=123"), c::toString);
        assertTrue(c.contains("primitive V-ip1 ocf:pulse:IPaddr params ip=192.0.2.1 cidr_netmask=32 "
                + "op monitor interval=10s timeout=20s"), c::toString);
    }

    @Test
    void heartbeatNetmasksAndTimes() {
        assertEquals(24, HeartbeatImporter.prefixLength("255.255.255.0"));
        assertEquals(24, HeartbeatImporter.prefixLength("24"));
        assertEquals(0, HeartbeatImporter.prefixLength("0.0.0.0"));
        assertNull(HeartbeatImporter.prefixLength("255.0.255.0"));
        assertNull(HeartbeatImporter.prefixLength("eth0"));
        assertEquals(30_000L, HeartbeatImporter.durationMs("30"));
        assertEquals(500L, HeartbeatImporter.durationMs("500ms"));
        assertEquals(1500L, HeartbeatImporter.durationMs("1.5"));
        assertNull(HeartbeatImporter.durationMs("soon"));
    }

    @Test
    void quotingAndIds() {
        assertEquals("command=\"killall -0 sshd\"", CrmWords.nv("command", "killall -0 sshd"));
        assertEquals("command=\"echo \\\"\\$HOME\\\"\"", CrmWords.nv("command", "echo \"$HOME\""));
        assertEquals("r_1st", CrmWords.id("1st"));
        assertEquals("eth0_1", CrmWords.attribute("eth0.1"));
    }
}
