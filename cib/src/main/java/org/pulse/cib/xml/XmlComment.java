package org.pulse.cib.xml;

import java.util.Objects;

/** A comment, kept in place so an operator's notes in cib.xml survive a round trip. */
public record XmlComment(String text) implements XmlNode {
    public XmlComment {
        Objects.requireNonNull(text, "text");
    }
}
