package org.pulse.cib;

import java.util.HashMap;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;

/**
 * The resources section's checks: primitives (class, provider, type, templates, operation keys),
 * groups, clones and operations. Called by {@link CibValidator}'s walk for each element of its kind
 * (option values in meta attributes: {@link OptionChecks}).
 */
final class ResourceChecks {
    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "primitive", (c, e, here, parent) -> primitive(c, e, here),
            "group", (c, e, here, parent) -> group(c, e, here),
            "clone", (c, e, here, parent) -> clone(c, e, here),
            "master", (c, e, here, parent) -> clone(c, e, here),
            "op", (c, e, here, parent) -> op(c, e, here));

    private ResourceChecks() {
    }

    static void primitive(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        String template = e.attr("template");
        if (template != null) {
            if (!c.templates.contains(template)) {
                c.error(e, here, "template=\"" + template + "\" names no <template>",
                        "define <template id=\"" + template + "\"> in resources or correct the name");
            }
            return;
        }
        String cls = e.attr("class");
        String provider = e.attr("provider");
        if (cls == null) {
            c.error(e, here, "the resource has no class", "add class=\"ocf\" (with provider and type), \"lsb\", \"systemd\", \"service\" or \"stonith\"");
        } else if (cls.equals("ocf")) {
            if (provider == null || provider.isBlank()) {
                c.error(e, here, "an ocf resource needs a provider", "add provider=\"heartbeat\" or the directory of its agent under /usr/lib/ocf/resource.d");
            }
        } else if (CibValidator.CLASSES_WITHOUT_PROVIDER.contains(cls)) {
            if (provider != null) {
                c.error(e, here, "class \"" + cls + "\" takes no provider (provider=\"" + provider + "\")",
                        "remove the provider attribute; only ocf resources have one");
            }
        } else {
            c.error(e, here, "unknown resource class \"" + cls + "\"",
                    "use one of ocf, lsb, service, systemd, stonith (e.g. class=\"ocf\" provider=\"heartbeat\")");
        }
        String type = e.attr("type");
        if (type == null || type.isBlank()) {
            c.error(e, here, "the resource has no type (the agent to run)", "add type=\"<agent name>\", e.g. type=\"Dummy\"");
        }
        operationKeys(c, e);
    }

    /**
     * Pacemaker keys an operation by resource, name and interval (the history's
     * "vip_monitor_10000"), so two operations with the same name and interval, even for
     * different roles, cannot be told apart.
     */
    static void operationKeys(CheckContext c, XmlElement primitive) {
        Map<String, XmlElement> seen = new HashMap<>();
        for (XmlElement ops : primitive.elements("operations")) {
            for (XmlElement op : ops.elements("op")) {
                String name = op.attr("name");
                Long ms = CibValidator.durationMs(op.attr("interval", "0"));
                if (name == null || ms == null) {
                    continue;
                }
                XmlElement first = seen.putIfAbsent(name + "_" + ms, op);
                if (first != null) {
                    c.error(op, op.id() != null ? op.id() : primitive.id(), "operation " + name + " with interval "
                                    + op.attr("interval", "0") + " duplicates '" + first.id() + "' (same name and interval, "
                                    + ms + " ms)", "give one of them another interval, e.g. 11s instead of 10s");
                }
            }
        }
    }

    static void group(CheckContext c, XmlElement e, String here) {
        if (e.elements("primitive").isEmpty()) {
            c.error(e, here, "group '" + e.id() + "' has no resources", "add at least one <primitive> to it or remove the group");
        }
        for (XmlElement child : e.elements()) {
            if (CibValidator.RESOURCE_ELEMENTS.contains(child.name()) && !child.name().equals("primitive")) {
                c.error(child, child.id() != null ? child.id() : here, "a group holds only primitives, not a <" + child.name() + ">",
                        "move <" + child.name() + " id=\"" + child.id() + "\"> out of group '" + e.id() + "'");
            }
        }
    }

    static void clone(CheckContext c, XmlElement e, String here) {
        int inside = 0;
        for (XmlElement child : e.elements()) {
            if (child.name().equals("primitive") || child.name().equals("group")) {
                inside++;
            } else if (CibValidator.RESOURCE_ELEMENTS.contains(child.name())) {
                c.error(child, child.id() != null ? child.id() : here, "a " + e.name() + " cannot hold a <" + child.name() + ">",
                        "clone a primitive or a group");
            }
        }
        if (inside != 1) {
            c.error(e, here, e.name() + " '" + e.id() + "' holds " + inside + " resources; it must hold exactly one primitive or group",
                    inside == 0 ? "put the resource to clone inside it" : "make one clone per resource");
        }
    }

    static void op(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        c.require(e, here, "name", "the action, e.g. name=\"monitor\"");
        c.duration(e, here, "interval");
        c.duration(e, here, "timeout");
        c.duration(e, here, "start-delay");
        c.role(e, here, "role");
    }
}
