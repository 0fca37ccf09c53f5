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
            "group", "clone", "ms", "master", "location", "colocation", "collocation", "order", "property",
            "rsc_defaults", "op_defaults", "node", "tag", "fencing_topology", "fencing-topology", "alert"),
            AclSyntax.COMMANDS.stream()).toList();

    public static boolean isObjectCommand(String word) {
        return OBJECT_COMMANDS.contains(word.toLowerCase(Locale.ROOT));
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
            case "property", "rsc_defaults", "op_defaults" -> SetParser.properties(c, keyword);
            case "node" -> SetParser.node(c);
            case "tag" -> SetParser.tag(c);
            case "fencing_topology", "fencing-topology" -> SetParser.fencing(c, nodes);
            case "alert" -> AlertParser.alert(c);
            case "role", "acl_target", "acl_group", "user" -> AclSyntax.parse(keyword, c);
            default -> throw new CrmException("configure: unknown command '" + tokens.get(0).text() + "'");
        };
    }
}
