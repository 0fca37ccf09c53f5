package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pulse.cib.model.Durations;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;

/**
 * crmsh 4.x's {@code configure set ID.[OP.][INTERVAL.]NAME VALUE}: a parameter, meta attribute or utilization
 * value the object already has (set is no way to add one: a typo would add a parameter the agent ignores), or an
 * attribute of one of its operations (which may be new: on-fail, timeout...). An id with dots in it is read as the
 * longest prefix that names an object. Intervals compare as durations (10s is 10000ms).
 */
final class AttributePath {
    private static final List<String> SETS = List.of("instance_attributes", "meta_attributes", "utilization");

    private AttributePath() {
    }

    static XmlElement set(Configuration config, String path, String value) throws CrmException {
        String[] parts = path.split("\\.", -1);
        String id = null;
        int rest = 0;
        for (int i = parts.length - 1; i >= 1; i--) {
            String candidate = String.join(".", Arrays.copyOfRange(parts, 0, i));
            if (config.find(candidate).isPresent()) {
                id = candidate;
                rest = i;
                break;
            }
        }
        if (parts.length < 2 || Arrays.stream(parts).anyMatch(String::isEmpty)) {
            throw new CrmException("configure set: invalid path \"" + path + "\"; the path is ID.[OP.][INTERVAL.]NAME,"
                    + " e.g. set vip.ip 10.0.0.5 or set vip.monitor.10s.timeout 30s");
        }
        if (id == null) {
            throw new CrmException("configure set: no object " + parts[0] + " in the configuration; 'show' lists them");
        }
        XmlElement obj = config.find(id).orElseThrow().element();
        List<String> tail = List.of(parts).subList(rest, parts.length);
        XmlElement changed;
        if (tail.size() == 1) {
            changed = setPair(obj, id, tail.get(0), value);
        } else if (tail.size() <= 3) {
            changed = setOp(obj, id, tail.get(0), tail.size() == 3 ? tail.get(1) : null, tail.get(tail.size() - 1), value);
        } else {
            throw new CrmException("configure set: invalid path \"" + path + "\"; the path is ID.[OP.][INTERVAL.]NAME");
        }
        String objId = id;
        XmlElement tag = obj;
        return Tree.transform(config.configuration(), e -> e.name().equals(tag.name()) && objId.equals(e.id()) ? changed : e);
    }

    private static XmlElement setPair(XmlElement obj, String id, String name, String value) throws CrmException {
        for (String setName : SETS) {
            for (XmlElement set : obj.elements(setName)) {
                if (set.elements("nvpair").stream().anyMatch(nv -> name.equals(nv.attr("name")))) {
                    XmlElement newSet = Tree.transform(set, e -> e.name().equals("nvpair") && name.equals(e.attr("name"))
                            ? e.withAttribute("value", value) : e);
                    return obj.withChildReplaced(e -> e == set, newSet);
                }
            }
        }
        throw new CrmException("configure set: " + id + " has no attribute " + name + " to set; set changes a parameter,"
                + " meta attribute or utilization value already there (add one with 'edit " + id + "' or, for a"
                + " primitive, 'resource param|meta " + id + " set " + name + " VALUE')");
    }

    private static XmlElement setOp(XmlElement obj, String id, String opName, String interval, String attr, String value)
            throws CrmException {
        XmlElement ops = obj.element("operations").orElse(null);
        List<XmlElement> named = ops == null ? List.of()
                : ops.elements("op").stream().filter(o -> opName.equals(o.attr("name"))).toList();
        if (named.isEmpty()) {
            throw new CrmException("configure set: " + id + " has no " + opName + " operation; add it with 'edit " + id
                    + "'");
        }
        List<XmlElement> matches = new ArrayList<>(named);
        if (interval != null) {
            long wantMs = Durations.parseMs(interval, -1);
            if (wantMs < 0) {
                throw new CrmException("configure set: '" + interval + "' is no interval (e.g. 10s, 1min, 5000ms)");
            }
            matches.removeIf(o -> Durations.parseMs(o.attr("interval", "0"), -2) != wantMs);
            if (matches.isEmpty()) {
                throw new CrmException("configure set: " + id + " has no " + opName + " operation with interval "
                        + interval + " (its " + opName + " intervals: " + String.join(", ", named.stream()
                        .map(o -> o.attr("interval", "0")).toList()) + ")");
            }
        } else if (matches.size() > 1) {
            throw new CrmException("configure set: " + id + " has " + matches.size() + " " + opName + " operations;"
                    + " name the interval: set " + id + "." + opName + "." + matches.get(0).attr("interval", "0") + "."
                    + attr + " " + value);
        }
        if (attr.equals("name") || attr.equals("id")) {
            throw new CrmException("configure set: an operation's " + attr + " is not changed with set; use 'edit " + id
                    + "'");
        }
        XmlElement op = matches.get(0);
        XmlElement newOps = ops.withChildReplaced(e -> e == op, op.withAttribute(attr, value));
        return obj.withChildReplaced(e -> e.name().equals("operations"), newOps);
    }
}
