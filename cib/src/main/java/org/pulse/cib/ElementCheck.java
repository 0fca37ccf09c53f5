package org.pulse.cib;

import org.pulse.cib.xml.XmlElement;

/**
 * One element's checks: {@code here} is the id problems are reported under (the element's own or
 * the nearest enclosing one), {@code parent} the element it sits in (null at the configuration).
 */
@FunctionalInterface
interface ElementCheck {
    void check(CheckContext c, XmlElement e, String here, XmlElement parent);
}
