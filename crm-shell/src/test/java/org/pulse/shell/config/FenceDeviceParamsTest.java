package org.pulse.shell.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lrm.LrmConfig;
import org.pulse.shell.TestShell;

/**
 * A fence device's parameters as crm configure checks them against its agent's meta-data: the
 * fencer's own settings (pcmk_host_list, pcmk_host_map, pcmk_delay_max, ...) are valid for every
 * fence agent, and what the fencer passes itself (action, port/plug, nodename) is never required of
 * the operator, although fence-agents' meta-data marks action (and some agents port) required, as
 * fence_ipmilan's does. Other unknown parameters and other missing required ones still fail.
 */
class FenceDeviceParamsTest {
    static final String CIB = """
            <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration><crm_config/><nodes><node uname="n1" id="n1"/><node uname="n2" id="n2"/></nodes>
                <resources/><constraints/></configuration><status/></cib>
            """;

    /** fence_x: the shape of fence-agents' meta-data (action required, port required, ip required). */
    static final String AGENT = """
            #!/bin/sh
            cat <<'XML'
            <?xml version="1.0" ?>
            <resource-agent name="fence_x" shortdesc="stand-in fence agent">
              <parameters>
                <parameter name="action" unique="0" required="1"><content type="string" default="reboot"/></parameter>
                <parameter name="port" unique="0" required="1"><content type="string"/></parameter>
                <parameter name="plug" unique="0" required="0"><content type="string"/></parameter>
                <parameter name="ip" unique="0" required="1"><content type="string"/></parameter>
                <parameter name="lanplus" unique="0" required="0"><content type="boolean"/></parameter>
              </parameters>
              <actions><action name="on"/><action name="off"/><action name="reboot"/><action name="status"/>
                <action name="monitor"/><action name="metadata"/></actions>
            </resource-agent>
            XML
            """;

    TestShell shell(Path dir) throws Exception {
        Path sbin = Files.createDirectories(dir.resolve("sbin"));
        Path agent = sbin.resolve("fence_x");
        Files.writeString(agent, AGENT);
        Files.setPosixFilePermissions(agent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        LrmConfig cfg = LrmConfig.defaults().withStonithDirs(List.of(sbin));
        return new TestShell(dir, CIB, true, null, new Agents(cfg));
    }

    @Test
    void theFencersOwnSettingsAreAcceptedAndWhatItPassesIsNotRequired(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            int rc = t.script("configure primitive ipmi-n1 stonith:fence_x params ip=203.0.113.11 lanplus=1"
                    + " pcmk_host_list=n1 pcmk_delay_max=2s\n");
            assertEquals(0, rc, t.output());
            String cib = Files.readString(t.cibFile);
            for (String p : Set.of("ip", "lanplus", "pcmk_host_list", "pcmk_delay_max")) {
                assertTrue(cib.contains("name=\"" + p + "\""), p + " is not in the CIB: " + cib);
            }
            assertTrue(!cib.contains("name=\"action\""), "crm must not add an action to a device: " + cib);
        }
    }

    @Test
    void otherUnknownOrMissingParametersStillFail(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            String before = Files.readString(t.cibFile);
            int rc = t.script("configure primitive ipmi-n1 stonith:fence_x params lanplus=1 pcmk_host_list=n1 nosuch=1\n");
            assertEquals(1, rc);
            String out = t.output();
            assertTrue(out.contains("parameter \"nosuch\" is not known to stonith:fence_x"), out);
            assertTrue(out.contains("required parameter \"ip\" not defined"), out);
            assertTrue(!out.contains("\"pcmk_host_list\"") && !out.contains("\"action\"") && !out.contains("\"port\""), out);
            assertEquals(before, Files.readString(t.cibFile));
        }
    }
    /**
     * As crmsh: a device whose fence agent is nowhere on this machine is refused, naming the agent, where crm
     * looked and how to force it; crm -F accepts it (the agent may be installed only on the cluster nodes). Before,
     * the device was only warned about and a typo (fence_ipmilan as fence_impilan) went into the CIB.
     */
    @Test
    void aFenceAgentThatIsNotInstalledIsRefusedUnlessForced(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            String before = Files.readString(t.cibFile);
            int rc = t.script("configure primitive f stonith:fence_nosuch params pcmk_host_list=n1\n");
            String out = t.output();
            assertEquals(1, rc, out);
            assertTrue(out.contains("fence agent fence_nosuch not found (looked in " + dir.resolve("sbin") + ")"), out);
            assertTrue(out.contains("crm -F"), out);
            assertEquals(before, Files.readString(t.cibFile));
        }
    }

    @Test
    void aFenceAgentThatIsNotInstalledIsAcceptedWhenForced(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            t.shell.session.force = true;
            int rc = t.script("configure primitive f stonith:fence_nosuch params pcmk_host_list=n1\n");
            String out = t.output();
            assertEquals(0, rc, out);
            assertTrue(out.contains("accepted anyway (-F)"), out);
            assertTrue(Files.readString(t.cibFile).contains("type=\"fence_nosuch\""), out + Files.readString(t.cibFile));
        }
    }
}
