package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * A mutable XML element, used only while a command is parsed and its ids are filled in; the
 * result is frozen into an immutable {@link XmlElement} before it touches the CIB.
 */
public final class MNode {
    public final String name;
    public final Map<String, String> attrs = new LinkedHashMap<>();
    public final List<MNode> children = new ArrayList<>();

    MNode(String name) {
        this.name = name;
    }

    public static MNode of(String name, String... kv) {
        MNode n = new MNode(name);
        for (int i = 0; i < kv.length; i += 2) {
            n.attrs.put(kv[i], kv[i + 1]);
        }
        return n;
    }

    public String get(String attr) {
        return attrs.get(attr);
    }

    public MNode set(String attr, String value) {
        if (value != null) {
            attrs.put(attr, value);
        }
        return this;
    }

    public MNode add(MNode child) {
        children.add(child);
        return this;
    }

    public MNode child(String childName) {
        MNode c = new MNode(childName);
        children.add(c);
        return c;
    }

    public MNode first(String childName) {
        for (MNode c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    public XmlElement freeze() {
        List<XmlNode> kids = new ArrayList<>(children.size());
        for (MNode c : children) {
            kids.add(c.freeze());
        }
        return new XmlElement(name, attrs, kids);
    }

    /** A mutable copy of an element; comments and text are not carried (configuration objects have none). */
    public static MNode thaw(XmlElement e) {
        MNode n = new MNode(e.name());
        n.attrs.putAll(e.attributes());
        for (XmlElement c : e.elements()) {
            n.children.add(thaw(c));
        }
        return n;
    }
}
