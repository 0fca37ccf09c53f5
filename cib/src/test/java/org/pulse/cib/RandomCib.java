package org.pulse.cib;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pulse.cib.xml.XmlComment;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlText;

/**
 * Random CIB-shaped documents and random edits of them, for the diff/patch properties. The
 * trees mix what diffs must handle: elements with and without ids, repeated names, duplicate
 * ids among siblings, comments, text, unknown elements, attribute order.
 */
final class RandomCib {
    private static final String[] NAMES = {"primitive", "group", "op", "nvpair", "rule", "x-unknown", "lrm_rsc_op",
            "meta_attributes"};
    private static final String[] ATTRS = {"class", "type", "value", "score", "interval", "x", "y", "z"};
    private final Random rnd;
    private int nextId;

    RandomCib(Random rnd) {
        this.rnd = rnd;
    }

    Cib cib() {
        List<XmlNode> config = new ArrayList<>();
        for (String s : new String[] {"crm_config", "nodes", "resources", "constraints"}) {
            config.add(element(s, 1, 3));
        }
        if (rnd.nextBoolean()) {
            config.add(1, new XmlComment(" operator's note " + rnd.nextInt(100) + " "));
        }
        List<XmlNode> status = new ArrayList<>();
        for (int i = 0; i < 1 + rnd.nextInt(3); i++) {
            status.add(new XmlElement("node_state", attrs("id", "n" + i), children(2, 3)));
        }
        Map<String, String> root = new LinkedHashMap<>();
        root.put("validate-with", "pacemaker-3.9");
        root.put("admin_epoch", "0");
        root.put("epoch", Integer.toString(rnd.nextInt(5)));
        root.put("num_updates", Integer.toString(rnd.nextInt(5)));
        return Cib.of(new XmlElement("cib", root, List.of(
                new XmlElement("configuration", Map.of(), config),
                new XmlElement("status", Map.of(), status))));
    }

    private XmlElement element(String name, int depth, int maxDepth) {
        return new XmlElement(name, randomAttrs(), depth >= maxDepth ? List.of() : children(depth + 1, maxDepth));
    }

    private List<XmlNode> children(int depth, int maxDepth) {
        List<XmlNode> out = new ArrayList<>();
        int n = rnd.nextInt(depth <= 2 ? 6 : 3);
        for (int i = 0; i < n; i++) {
            out.add(node(depth, maxDepth));
        }
        return out;
    }

    XmlNode node(int depth, int maxDepth) {
        int k = rnd.nextInt(10);
        if (k == 0) {
            return new XmlComment("c" + rnd.nextInt(5));
        }
        if (k == 1) {
            return new XmlText("t" + rnd.nextInt(5));
        }
        return element(NAMES[rnd.nextInt(NAMES.length)], depth, maxDepth);
    }

    private Map<String, String> randomAttrs() {
        Map<String, String> a = new LinkedHashMap<>();
        int kind = rnd.nextInt(10);
        if (kind < 6) {
            a.put("id", "id" + (nextId++));
        } else if (kind == 6) {
            a.put("id", "dup");
        }
        for (int i = rnd.nextInt(3); i > 0; i--) {
            a.put(ATTRS[rnd.nextInt(ATTRS.length)], "v" + rnd.nextInt(4));
        }
        return a;
    }

    private static Map<String, String> attrs(String... kv) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            a.put(kv[i], kv[i + 1]);
        }
        return a;
    }

    /** {@code edits} random edits anywhere below the root; the version follows Cib.next's rules. */
    Cib edit(Cib cib, int edits) {
        XmlElement root = cib.root();
        for (int i = 0; i < edits; i++) {
            if (rnd.nextInt(10) == 0) {
                // next to the sections: a comment an operator added at the top level
                List<XmlNode> top = new ArrayList<>(root.children());
                top.add(rnd.nextInt(top.size() + 1), new XmlComment("top " + rnd.nextInt(3)));
                root = root.withChildren(top);
                continue;
            }
            List<XmlElement> section = root.elements();
            int which = rnd.nextInt(section.size());
            XmlElement edited = editSomewhere(section.get(which));
            List<XmlNode> kids = new ArrayList<>(root.children());
            kids.set(kids.indexOf(section.get(which)), edited);
            root = root.withChildren(kids);
        }
        return cib.next(root);
    }

    private XmlElement editSomewhere(XmlElement e) {
        List<XmlElement> kids = e.elements();
        if (!kids.isEmpty() && rnd.nextInt(3) > 0) {
            XmlElement child = kids.get(rnd.nextInt(kids.size()));
            List<XmlNode> list = new ArrayList<>(e.children());
            list.set(list.indexOf(child), editSomewhere(child));
            return e.withChildren(list);
        }
        return editHere(e);
    }

    private XmlElement editHere(XmlElement e) {
        List<XmlNode> list = new ArrayList<>(e.children());
        switch (rnd.nextInt(7)) {
            case 0 -> {
                return e.withAttribute(ATTRS[rnd.nextInt(ATTRS.length)], "w" + rnd.nextInt(9));
            }
            case 1 -> {
                if (!e.attributes().isEmpty()) {
                    List<String> names = new ArrayList<>(e.attributes().keySet());
                    return e.withoutAttribute(names.get(rnd.nextInt(names.size())));
                }
                return e.withAttribute("fresh", "1");
            }
            case 2 -> {
                // reorder attributes
                List<Map.Entry<String, String>> entries = new ArrayList<>(e.attributes().entrySet());
                java.util.Collections.shuffle(entries, rnd);
                Map<String, String> m = new LinkedHashMap<>();
                entries.forEach(en -> m.put(en.getKey(), en.getValue()));
                return e.withAttributes(m);
            }
            case 3 -> list.add(rnd.nextInt(list.size() + 1), node(2, 4));
            case 4 -> {
                if (!list.isEmpty()) {
                    list.remove(rnd.nextInt(list.size()));
                }
            }
            case 5 -> {
                if (list.size() > 1) {
                    XmlNode moved = list.remove(rnd.nextInt(list.size()));
                    list.add(rnd.nextInt(list.size() + 1), moved);
                }
            }
            default -> java.util.Collections.shuffle(list, rnd);
        }
        return e.withChildren(list);
    }
}
