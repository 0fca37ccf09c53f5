package org.pulse.cib.xml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An immutable XML element: name, attributes in document order, children in document order.
 * Every "with" method returns a new element and shares the unchanged parts, so a CIB image
 * and its successor share most of their memory.
 *
 * <p>{@link #sourceLine()} is where the element started in the file it was read from (0 when
 * built in memory). It is there for error messages only and takes no part in equality.
 */
public final class XmlElement implements XmlNode {
    private final String name;
    private final AttributeMap attributes;
    private final List<XmlNode> children;
    private final int sourceLine;
    private int hash;

    public XmlElement(String name, Map<String, String> attributes, List<XmlNode> children, int sourceLine) {
        this.name = Objects.requireNonNull(name, "name");
        this.attributes = AttributeMap.copyOf(attributes);
        this.children = List.copyOf(children);
        this.sourceLine = sourceLine;
    }

    public XmlElement(String name, Map<String, String> attributes, List<XmlNode> children) {
        this(name, attributes, children, 0);
    }

    public static XmlElement of(String name, String... attributeNamesAndValues) {
        if (attributeNamesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        for (int i = 0; i < attributeNamesAndValues.length; i += 2) {
            attrs.put(attributeNamesAndValues[i], attributeNamesAndValues[i + 1]);
        }
        return new XmlElement(name, attrs, List.of(), 0);
    }

    public String name() {
        return name;
    }

    /** Attributes in document order; unmodifiable. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** The same attributes, for readers that walk them by position ({@link AttributeMap#nameAt}) rather than look each up. */
    public AttributeMap attributeMap() {
        return attributes;
    }

    public List<XmlNode> children() {
        return children;
    }

    public int sourceLine() {
        return sourceLine;
    }

    public String attr(String attributeName) {
        return attributes.get(attributeName);
    }

    public String attr(String attributeName, String fallback) {
        return attributes.getOrDefault(attributeName, fallback);
    }

    /** The element's {@code id} attribute, or null. */
    public String id() {
        return attributes.get("id");
    }

    /** Child elements only, in order. */
    public List<XmlElement> elements() {
        List<XmlElement> out = new ArrayList<>(children.size());
        for (XmlNode n : children) {
            if (n instanceof XmlElement e) {
                out.add(e);
            }
        }
        return out;
    }

    /** Child elements with this name, in order. */
    public List<XmlElement> elements(String childName) {
        // Asked for far more often than found (meta_attributes of an op...): no list unless needed.
        List<XmlElement> out = null;
        for (int i = 0, size = children.size(); i < size; i++) {
            if (children.get(i) instanceof XmlElement e && e.name.equals(childName)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(e);
            }
        }
        return out == null ? List.of() : out;
    }

    /** The first child element with this name. */
    public Optional<XmlElement> element(String childName) {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.name.equals(childName)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Concatenated text children (no descendants). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (XmlNode n : children) {
            if (n instanceof XmlText t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    public XmlElement withAttribute(String attributeName, String value) {
        Map<String, String> attrs = new LinkedHashMap<>(attributes);
        if (value == null) {
            attrs.remove(attributeName);
        } else {
            attrs.put(attributeName, value);
        }
        return new XmlElement(name, attrs, children, sourceLine);
    }

    public XmlElement withoutAttribute(String attributeName) {
        return withAttribute(attributeName, null);
    }

    public XmlElement withAttributes(Map<String, String> newAttributes) {
        return new XmlElement(name, newAttributes, children, sourceLine);
    }

    public XmlElement withChildren(List<? extends XmlNode> newChildren) {
        return new XmlElement(name, attributes, new ArrayList<>(newChildren), sourceLine);
    }

    public XmlElement withChildAppended(XmlNode child) {
        List<XmlNode> list = new ArrayList<>(children);
        list.add(child);
        return new XmlElement(name, attributes, list, sourceLine);
    }

    /** Replaces the first child element matching {@code which}; appends when none matches. */
    public XmlElement withChildReplaced(Predicate<XmlElement> which, XmlElement replacement) {
        List<XmlNode> list = new ArrayList<>(children);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof XmlElement e && which.test(e)) {
                list.set(i, replacement);
                return new XmlElement(name, attributes, list, sourceLine);
            }
        }
        list.add(replacement);
        return new XmlElement(name, attributes, list, sourceLine);
    }

    public XmlElement withoutChildren(Predicate<XmlElement> which) {
        List<XmlNode> list = new ArrayList<>(children.size());
        for (XmlNode n : children) {
            if (!(n instanceof XmlElement e && which.test(e))) {
                list.add(n);
            }
        }
        return new XmlElement(name, attributes, list, sourceLine);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof XmlElement other)) {
            return false;
        }
        return hashCode() == other.hashCode()
                && name.equals(other.name)
                && attributeOrderEquals(other)
                && children.equals(other.children);
    }

    private boolean attributeOrderEquals(XmlElement other) {
        return attributes.sameInOrder(other.attributes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Objects.hash(name, attributes, children);
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }

    @Override
    public String toString() {
        return XmlWriter.toXml(this);
    }
}
