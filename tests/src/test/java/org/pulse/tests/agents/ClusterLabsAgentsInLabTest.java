package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * The unchanged ClusterLabs agents of Debian's resource-agents package (Dummy, IPaddr2, apache,
 * Filesystem) complete the {@code crm ra test} lifecycle when run as the contract says, in a lab
 * node, with the effects checked from the client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterLabsAgentsInLabTest {
    private NetnsLab lab;

    @BeforeAll
    void setUp() throws IOException {
        Ocf.requireLab();
        TestEnv.require(Files.isRegularFile(Ocf.HEARTBEAT.resolve("IPaddr2")),
                "Debian's resource-agents package (/usr/lib/ocf/resource.d/heartbeat)");
        for (String cmd : List.of("ip", "nsenter", "setsid", "xmllint", "apache2", "wget", "curl", "losetup",
                "mkfs.ext4", "fuser", "modprobe")) {
            TestEnv.requireCommand(cmd);
        }
        lab = NetnsLab.create(1);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static void print(String what, org.pulse.lrm.RaTester.Report steps) {
        System.out.println("heartbeat:" + what + ":\n" + Ocf.describe(steps));
    }

    @Test
    void dummy() throws IOException {
        print("Dummy", Ocf.lifecycle(Ocf.heartbeat("Dummy", "hd", Map.of(), lab.node(1))));
    }

    @Test
    void ipaddr2ReachableFromTheClient() throws IOException {
        String vip = lab.vip(10);
        Ocf.Agent ip = Ocf.heartbeat("IPaddr2", "hvip", Map.of("ip", vip, "cidr_netmask", "24"), lab.node(1));
        print("IPaddr2", Ocf.lifecycle(ip));
        assertEquals(0, ip.run("start").rc());
        assertTrue(lab.ping(lab.client(), vip, 2000), "client reaches the IPaddr2 VIP");
        assertEquals(0, ip.run("stop").rc());
        assertFalse(lab.ping(lab.client(), vip, 1000));
    }

    @Test
    void apacheServesTheClient() throws IOException {
        Path dir = lab.dir("hb-apache");
        Path docroot = lab.dir("hb-www");
        Files.writeString(docroot.resolve("index.html"), "<html>clusterlabs apache</html>\n");
        String listen = lab.node(1).address() + ":8081";
        Files.writeString(dir.resolve("httpd.conf"), String.join("\n",
                "ServerRoot \"" + dir + "\"",
                "DefaultRuntimeDir \"" + dir + "\"",
                "PidFile \"" + dir.resolve("httpd.pid") + "\"",
                "ServerName localhost",
                "Listen " + listen,
                "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so",
                "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so",
                "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so",
                "LoadModule status_module /usr/lib/apache2/modules/mod_status.so",
                "LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so",
                "User www-data",
                "Group www-data",
                "ErrorLog \"" + dir.resolve("error.log") + "\"",
                "DocumentRoot \"" + docroot + "\"",
                "DirectoryIndex index.html",
                "<Directory \"" + docroot + "\">",
                "  Require all granted",
                "</Directory>",
                "<Location /server-status>",
                "  SetHandler server-status",
                "  Require ip 127.0.0.1",
                "</Location>", ""));
        lab.execOk(lab.node(1), "chmod", "-R", "a+rX", lab.workDir().toString());
        Ocf.Agent ap = Ocf.heartbeat("apache", "hweb", Map.of("configfile", dir.resolve("httpd.conf").toString()),
                lab.node(1));
        print("apache", Ocf.lifecycle(ap));
        assertEquals(0, ap.run("start").rc());
        assertEquals(Optional.of("<html>clusterlabs apache</html>\n"),
                lab.httpGet(lab.client(), "http://" + listen + "/", 2000));
        assertEquals(0, ap.run("stop").rc());
        assertEquals(Optional.empty(), lab.httpGet(lab.client(), "http://" + listen + "/", 1000));
    }

    @Test
    void filesystemOnALoopDevice() throws IOException {
        NetnsLab.LoopDevice loop = lab.loopImage("hbfs", 32);
        Path mnt = lab.workDir().resolve("mnt-hbfs");
        Files.createDirectories(mnt);
        Ocf.Agent fs = Ocf.heartbeat("Filesystem", "hfs", Map.of("device", loop.device(), "directory", mnt.toString(),
                "fstype", "ext4"), lab.node(1));
        print("Filesystem", Ocf.lifecycle(fs));
        assertEquals(0, fs.run("start").rc());
        assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()), "mounted, visible outside the namespace");
        Files.writeString(mnt.resolve("f.txt"), "x");
        assertEquals(0, fs.run("stop").rc());
        assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()));
    }
}
