package org.pulse.cib;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/** A CIB of the size crmd must handle (the shape of gen_cib.py's, without running Python in unit tests). */
final class BigCib {
    private BigCib() {
    }

    static Cib make(int nodes, int resources) {
        List<XmlNode> nodeList = new ArrayList<>();
        List<XmlNode> states = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            nodeList.add(XmlElement.of("node", "id", Integer.toString(n), "uname", "node" + n));
            List<XmlNode> lrm = new ArrayList<>();
            for (int r = n; r <= resources; r += nodes * 10) {
                String id = String.format("r%05d", r);
                lrm.add(new XmlElement("lrm_resource", Map.of("id", id, "class", "ocf", "provider", "heartbeat",
                        "type", "Dummy"), List.of(XmlElement.of("lrm_rsc_op", "id", id + "_last_0",
                        "operation", "start", "call-id", "1", "rc-code", "0", "interval", "0"))));
            }
            states.add(new XmlElement("node_state", Map.of("id", Integer.toString(n), "uname", "node" + n,
                    "crmd", "online", "in_ccm", "true"), List.of(XmlElement.of("lrm", "id", Integer.toString(n))
                    .withChildAppended(new XmlElement("lrm_resources", Map.of(), lrm)))));
        }
        List<XmlNode> rscs = new ArrayList<>();
        for (int r = 1; r <= resources; r++) {
            String id = String.format("r%05d", r);
            rscs.add(new XmlElement("primitive", Map.of("id", id, "class", "ocf", "provider", "heartbeat",
                    "type", "Dummy"), List.of(new XmlElement("operations", Map.of(), List.of(XmlElement.of("op",
                    "id", id + "-monitor-10s", "name", "monitor", "interval", "10s"))))));
        }
        XmlElement config = new XmlElement("configuration", Map.of(), List.of(XmlElement.of("crm_config"),
                new XmlElement("nodes", Map.of(), nodeList), new XmlElement("resources", Map.of(), rscs),
                XmlElement.of("constraints")));
        return Cib.empty().withConfiguration(config).withStatus(new XmlElement("status", Map.of(), states))
                .withVersion(new CibVersion(0, 5, 17));
    }
}
