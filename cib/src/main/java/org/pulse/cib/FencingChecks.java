package org.pulse.cib;

import java.util.Map;
import org.pulse.cib.xml.XmlElement;

/**
 * The fencing topology's checks: each level's target, index and devices (which must be stonith
 * resources).
 */
final class FencingChecks {
    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "fencing-level", (c, e, here, parent) -> level(c, e, here));

    private FencingChecks() {
    }

    static void level(CheckContext c, XmlElement e, String here) {
        String target = e.attr("target");
        if (target == null && e.attr("target-pattern") == null && e.attr("target-attribute") == null) {
            c.error(e, here, "the fencing level has no target", "add target=\"<node>\" (or target-pattern / target-attribute)");
        } else if (target != null && !c.nodeNames.contains(target)) {
            c.warning(e, here, "fencing target '" + target + "' is not in the nodes section",
                    "check the node name (nodes: " + String.join(", ", CheckContext.sorted(c.nodeNames)) + ")");
        }
        String index = e.attr("index");
        if (index == null || !index.strip().matches("[0-9]+") || Long.parseLong(index.strip()) < 1) {
            c.error(e, here, "index=\"" + index + "\" is not a level number >= 1", "number the levels 1, 2, ...");
        }
        String devices = e.attr("devices");
        if (devices == null || devices.isBlank()) {
            c.error(e, here, "the fencing level has no devices", "add devices=\"<fence resource>[,<another>]\"");
            return;
        }
        for (String d : devices.split(",")) {
            String dev = d.strip();
            if (!c.stonithIds.contains(dev)) {
                c.error(e, here, "fencing device '" + dev + "' is not a stonith resource",
                        "define <primitive id=\"" + dev + "\" class=\"stonith\" ...> or correct devices=" + c.suggestion(dev));
            }
        }
    }
}
