package org.pulse.cib.xml;

/**
 * A node of an immutable XML tree. The CIB keeps every node it reads, including the ones
 * Pulse does not understand, so that writing a document back gives the same document.
 */
public sealed interface XmlNode permits XmlElement, XmlText, XmlComment {
}
