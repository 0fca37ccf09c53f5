package org.pulse.cib.xml;

import java.util.Objects;

/** Character data inside an element. Whitespace-only text between elements is not kept. */
public record XmlText(String text) implements XmlNode {
    public XmlText {
        Objects.requireNonNull(text, "text");
    }
}
