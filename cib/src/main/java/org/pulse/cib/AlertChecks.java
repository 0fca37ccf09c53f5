package org.pulse.cib;

import java.util.Map;

/** Alerts: each names the program to run (its recipients and attributes are the program's own). */
final class AlertChecks {
    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "alert", (c, e, here, parent) -> c.require(e, here, "path",
                    "the program to run for alerts, e.g. path=\"/usr/share/pacemaker/alerts/alert_file.sh\""));

    private AlertChecks() {
    }
}
