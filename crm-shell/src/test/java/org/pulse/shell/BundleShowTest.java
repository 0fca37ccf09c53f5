package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code configure show} of a {@code <bundle>} prints all of it in crmsh's form (the container,
 * network with port mappings, storage mappings, the child and the meta attributes), not only
 * its id and child: what show prints is what an operator copies, so nothing may go missing.
 */
class BundleShowTest {
    @TempDir
    Path tmp;

    private static final String CIB = """
            <cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.7">
              <configuration>
                <crm_config/>
                <nodes><node id="1" uname="node1"/></nodes>
                <resources>
                  <bundle id="web">
                    <meta_attributes id="web-meta"><nvpair id="web-meta-im" name="is-managed" value="false"/></meta_attributes>
                    <podman image="localhost/web:1" replicas="2" options="--log-driver=journald -e A=1"/>
                    <network ip-range-start="192.0.2.10" control-port="3121">
                      <port-mapping id="web-port" port="80"/>
                    </network>
                    <storage>
                      <storage-mapping id="web-root" source-dir="/srv/html" target-dir="/var/www/html" options="rw"/>
                    </storage>
                    <primitive id="httpd" class="ocf" provider="heartbeat" type="apache"/>
                  </bundle>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @Test
    void showKeepsContainerNetworkStorageAndChild() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure show\n"));
            String out = t.output();
            assertTrue(out.contains("bundle web \\\n"), out);
            assertTrue(out.contains("podman image=\"localhost/web:1\" replicas=2 options=\"--log-driver=journald -e A=1\""), out);
            assertTrue(out.contains("network ip-range-start=192.0.2.10 control-port=3121 port-mapping id=web-port port=80"), out);
            assertTrue(out.contains("storage storage-mapping id=web-root source-dir=\"/srv/html\" target-dir=\"/var/www/html\" options=rw"), out);
            assertTrue(out.contains("primitive httpd"), out);
            assertTrue(out.contains("meta is-managed=false"), out);
        }
    }
}
