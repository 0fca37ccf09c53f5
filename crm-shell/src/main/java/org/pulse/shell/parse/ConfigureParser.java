package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.pulse.shell.CrmException;

/** Turns one configure-level object command (primitive, location, property, ...) into XML without ids. */
public final class ConfigureParser {
    private ConfigureParser() {
    }

    static final List<String> OBJECT_COMMANDS = java.util.stream.Stream.concat(Stream.of("primitive", "rsc_template",
            "group", "clone", "ms", "master", "location", "colocation", "collocation", "order", "rsc_ticket", "property",
            "rsc_defaults", "op_defaults", "node", "tag", "fencing_topology", "fencing-topology", "alert", "xml"),
            AclSyntax.COMMANDS.stream()).toList();

    public static boolean isObjectCommand(String word) {
        return OBJECT_COMMANDS.contains(word.toLowerCase(Locale.ROOT));
    }

    /** Kinds an object of a file may need to exist before it: a group names primitives, a clone a group. */
    private static final List<String> DEPENDENCY_PHASES = List.of("node", "template", "primitive", "group", "clone",
            "master");

    /**
     * The order to add the objects of a file or an edit in, as indexes into {@code parsed}: nodes,
     * templates, primitives, groups, clones, then the rest as written. crmsh takes a file's objects in
     * any order, so a group may come before the primitives it names.
     */
    public static List<Integer> dependencyOrder(List<Parsed> parsed) {
        List<Integer> ordered = new ArrayList<>();
        for (String phase : DEPENDENCY_PHASES) {
            for (int i = 0; i < parsed.size(); i++) {
                if (parsed.get(i).node().name.equals(phase)) {
                    ordered.add(i);
                }
            }
        }
        for (int i = 0; i < parsed.size(); i++) {
            if (!DEPENDENCY_PHASES.contains(parsed.get(i).node().name)) {
                ordered.add(i);
            }
        }
        return ordered;
    }

    /** Elements crmsh's {@code xml} command may give, and the sets {@code show} writes in that form. */
    private static final List<String> XML_OBJECTS = List.of("primitive", "template", "group", "clone", "master",
            "bundle", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket", "tag", "alert",
            "cluster_property_set", "rsc_defaults", "op_defaults");

    /**
     * crmsh's {@code xml <element>}: an object given as CIB XML, for what crm syntax cannot say (a
     * rule nested in a rule); {@code show} prints such objects this way, so they load back whole.
     */
    private static Parsed xmlObject(Cursor c) throws CrmException {
        Token t = c.next("the object's XML (xml <rsc_location id=...>...</rsc_location>)");
        org.pulse.cib.xml.XmlElement e;
        try {
            e = org.pulse.cib.xml.XmlParser.parse("xml", t.text());
        } catch (org.pulse.cib.xml.XmlParseException ex) {
            throw c.at(t, "not well-formed XML: " + ex.getMessage());
        }
        c.expectEnd("the end of the XML");
        if (!XML_OBJECTS.contains(e.name())) {
            throw c.at(t, "<" + e.name() + "> is not a configuration object; give one of <"
                    + String.join(">, <", XML_OBJECTS) + ">");
        }
        boolean defaults = e.name().equals("rsc_defaults") || e.name().equals("op_defaults");
        if (defaults ? e.elements().size() != 1 : e.id() == null) {
            throw c.at(t, defaults ? "<" + e.name() + "> must hold exactly one attribute set"
                    : "<" + e.name() + "> has no id; give it one (id=\"...\")");
        }
        return new Parsed(MNode.thaw(e));
    }

    static Parsed parse(List<Token> tokens) throws CrmException {
        return parse(tokens, List.of());
    }

    /** {@code nodes}: the CIB's node names (fencing_topology without targets applies to each). */
    public static Parsed parse(List<Token> tokens, List<String> nodes) throws CrmException {
        String keyword = tokens.get(0).text().toLowerCase(Locale.ROOT);
        Cursor c = new Cursor("configure " + keyword, new ArrayList<>(tokens), 1);
        return switch (keyword) {
            case "primitive" -> ResourceParser.primitive(c, false);
            case "rsc_template" -> ResourceParser.primitive(c, true);
            case "group" -> ResourceParser.group(c);
            case "clone", "ms", "master" -> ResourceParser.clone(c, keyword);
            case "location" -> ConstraintParser.location(c);
            case "colocation", "collocation" -> ConstraintParser.colocation(c);
            case "order" -> ConstraintParser.order(c);
            case "rsc_ticket" -> ConstraintParser.ticket(c);
            case "property", "rsc_defaults", "op_defaults" -> SetParser.properties(c, keyword);
            case "node" -> SetParser.node(c);
            case "tag" -> SetParser.tag(c);
            case "fencing_topology", "fencing-topology" -> SetParser.fencing(c, nodes);
            case "alert" -> AlertParser.alert(c);
            case "xml" -> xmlObject(c);
            case "role", "acl_target", "acl_group", "user" -> AclSyntax.parse(keyword, c);
            default -> throw new CrmException("configure: unknown command '" + tokens.get(0).text() + "'");
        };
    }
}
