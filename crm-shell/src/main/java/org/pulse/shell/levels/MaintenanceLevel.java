package org.pulse.shell.levels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Attributes;
import org.pulse.shell.config.Tree;
import org.pulse.shell.parse.Token;

/**
 * crmsh's {@code maintenance} level: {@code on|off} without a resource sets the cluster property
 * maintenance-mode (nothing is started, stopped or monitored while it is true); with one, that resource's
 * maintenance meta attribute, as {@code crm resource maintenance} does. crmsh's {@code action} (an agent run
 * out of band through crm_resource --force-*) is answered with where Pulse does that.
 */
final class MaintenanceLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("on", "on [<rsc>]   maintenance-mode=true for the cluster (or maintenance for one resource)");
        USAGE.put("off", "off [<rsc>]   maintenance-mode=false for the cluster (or for one resource)");
        USAGE.put("action", "action <rsc> <op>   not here: run an agent by hand with crm ra test");
    }

    MaintenanceLevel() {
        super("maintenance", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        String cmd = words.get(0).text();
        List<String> args = arguments(words);
        if (cmd.equals("action")) {
            throw new CrmException("maintenance action: Pulse does not run a cluster resource's agent out of band; with"
                    + " the resource in maintenance (crm maintenance on RSC), run the agent by hand on the node with"
                    + " 'crm ra test CLASS:PROVIDER:TYPE' or the agent's own path and its OCF_RESKEY_ variables");
        }
        if (args.size() > 1) {
            throw new CrmException("maintenance " + cmd + ": unexpected '" + args.get(1) + "'; usage: " + USAGE.get(cmd));
        }
        String value = cmd.equals("on") ? "true" : "false";
        if (args.size() == 1) {
            // the resource's own maintenance attribute, where crm resource maintenance puts it
            return shell.level("resource").run(shell, List.of(new Token("maintenance", words.get(0).column()),
                    words.get(1), new Token(value, words.get(1).column())));
        }
        s.applyNow("maintenance " + cmd, cib -> {
            XmlElement configuration = Tree.section(cib, "configuration");
            XmlElement crmConfig = Attributes.set(Tree.section(configuration, "crm_config"), "cluster_property_set",
                    "cib-bootstrap-options", "maintenance-mode", value, Attributes.ids(cib));
            return Tree.withSection(cib, "configuration", Tree.withSection(configuration, "crm_config", crmConfig));
        });
        s.info("maintenance-mode=" + value + (value.equals("true") ? ": the cluster starts, stops and monitors nothing"
                + " until 'crm maintenance off'" : ""));
        return 0;
    }
}
