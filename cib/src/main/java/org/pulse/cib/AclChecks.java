package org.pulse.cib;

import java.util.Map;
import org.pulse.cib.xml.XmlElement;

/** Access control lists: the roles a user or group names and what a permission refers to exist. */
final class AclChecks {
    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "role", (c, e, here, parent) -> role(c, e, here),
            "acl_permission", (c, e, here, parent) -> permission(c, e, here));

    private AclChecks() {
    }

    /** {@code <role id="...">} inside an acl_target or acl_group refers to an acl_role. */
    static void role(CheckContext c, XmlElement e, String here) {
        String ref = e.attr("id");
        if (ref != null && !c.ids.containsKey(ref)) {
            c.error(e, here, "role '" + ref + "' is not defined", "define <acl_role id=\"" + ref + "\"> in acls or correct the name");
        }
    }

    static void permission(CheckContext c, XmlElement e, String here) {
        String ref = e.attr("reference");
        if (ref != null && !c.ids.containsKey(ref)) {
            c.error(e, here, "reference=\"" + ref + "\" names no element of the configuration", "correct the id it refers to");
        }
    }
}
