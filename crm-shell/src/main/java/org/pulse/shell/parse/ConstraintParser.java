package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.pulse.shell.CrmException;

/** {@code location}, {@code colocation} and {@code order}, with resource sets as crmsh reads them. */
final class ConstraintParser {
    private ConstraintParser() {
    }

    private static final Pattern PATTERN_RSC = Pattern.compile("/(.+)/");
    private static final Pattern ATTR = Pattern.compile("\\$?([^=]+)=(.*)");
    private static final Pattern NODE_ATTRIBUTE = Pattern.compile("node-attribute=(.+)");
    private static final Pattern SYMMETRICAL = Pattern.compile("symmetrical=(true|false|yes|no|on|off)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LOSS_POLICY = Pattern.compile("loss-policy=(.*)");
    private static final List<String> LOSS_POLICIES = List.of("stop", "demote", "fence", "freeze");
    private static final Pattern KIND = Pattern.compile("(Optional|Mandatory|Serialize):", Pattern.CASE_INSENSITIVE);

    static Parsed location(Cursor c) throws CrmException {
        MNode out = new MNode("rsc_location");
        out.set("id", Syntax.objectId(c, "a constraint id"));
        if (c.tryMatch(PATTERN_RSC)) {
            out.set("rsc-pattern", c.group(1));
        } else if (c.tryWord("{")) {
            List<Token> set = new ArrayList<>();
            while (c.more() && !c.peekIs("}")) {
                set.add(c.next("}"));
            }
            if (!c.tryWord("}")) {
                throw c.missing("'}' to close the resource set");
            }
            if (set.isEmpty()) {
                throw c.error("empty resource set '{ }'; name at least one resource");
            }
            for (MNode s : new ResourceSetParser(c, "role").parse(set)) {
                out.add(s);
            }
        } else {
            Token rsc = c.next("the resource the constraint is about");
            if (rsc.text().endsWith(":") || rsc.text().contains("=")) {
                throw c.unexpected(rsc, "the resource the constraint is about, then <score>: <node> or rule ...");
            }
            out.set("rsc", rsc.text());
        }
        while (c.tryMatch(ATTR)) {
            String name = c.group(1);
            String value = c.group(2);
            if (name.equals("role")) {
                value = Syntax.role(c, c.previous(), value);
            } else if (!name.equals("resource-discovery")) {
                throw c.unexpected(c.previous(), "role=<role>, resource-discovery=always|never|exclusive, "
                        + "<score>: <node> or rule");
            }
            out.set(name, value);
        }
        if (c.tryMatch(Syntax.SCORE)) {
            Token scoreTok = c.previous();
            String[] s = Syntax.score(c.group(1), true);
            out.set(s[0], s[1]);
            Token node = c.next("a node name after '" + scoreTok.text() + "'");
            if (node.text().contains("=") || node.text().endsWith(":")) {
                throw c.unexpected(node, "a node name after '" + scoreTok.text() + "'");
            }
            out.set("node", node.text());
            if (!out.attrs.containsKey("role") && c.tryMatch(Syntax.ROLE)) {
                out.set("role", Syntax.role(c, c.previous(), c.group(1)));
            }
            if (c.more()) {
                throw c.unexpected(c.peek(), "nothing more: a location with a score names one node "
                        + "(use one constraint per node, or a rule)");
            }
        } else {
            if (!c.peekIs("rule")) {
                if (c.more()) {
                    throw c.unexpected(c.peek(), "<score>: <node> (e.g. 100: node1) or rule ...");
                }
                throw c.missing("<score>: <node> (e.g. 100: node1) or rule ...");
            }
            for (MNode r : Syntax.rules(c)) {
                out.add(r);
            }
            c.expectEnd("another rule, or the end of the command");
        }
        return new Parsed(out);
    }

    static Parsed colocation(Cursor c) throws CrmException {
        MNode out = new MNode("rsc_colocation");
        out.set("id", Syntax.objectId(c, "a constraint id"));
        if (!c.tryMatch(Syntax.SCORE)) {
            if (c.more()) {
                throw c.unexpected(c.peek(), "<score>: (e.g. inf: or -100:) before the resources");
            }
            throw c.missing("<score>: (e.g. inf:) and the resources");
        }
        String[] s = Syntax.score(c.group(1), true);
        out.set(s[0], s[1]);
        if (c.takeLastIf(NODE_ATTRIBUTE) != null) {
            out.set("node-attribute", c.group(1).toLowerCase(Locale.ROOT));
        }
        resources(c, out, "role");
        return new Parsed(out);
    }

    static Parsed order(Cursor c) throws CrmException {
        MNode out = new MNode("rsc_order");
        out.set("id", Syntax.objectId(c, "a constraint id"));
        if (c.tryMatch(KIND)) {
            out.set("kind", Syntax.canonize(c.group(1), Syntax.ORDER_KINDS));
        } else if (c.tryMatch(Syntax.SCORE)) {
            String[] s = Syntax.score(c.group(1), false);
            if (s == null) {
                throw c.at(c.previous(), "not an order kind; use Mandatory:, Optional: or Serialize: "
                        + "(or a score such as inf: or 0:)");
            }
            out.set("kind", s[1].equals("0") ? "Optional" : "Mandatory");
        }
        if (c.takeLastIf(SYMMETRICAL) != null) {
            String v = c.group(1).toLowerCase(Locale.ROOT);
            out.set("symmetrical", v.equals("true") || v.equals("yes") || v.equals("on") ? "true" : "false");
        }
        resources(c, out, "action");
        return new Parsed(out);
    }

    /**
     * crmsh's {@code rsc_ticket ID TICKET: RSC[:ROLE] ... [loss-policy=stop|demote|fence|freeze]}: one
     * resource becomes {@code rsc} (and {@code rsc-role}), several a resource set, as crmsh writes them.
     */
    static Parsed ticket(Cursor c) throws CrmException {
        MNode out = new MNode("rsc_ticket");
        out.set("id", Syntax.objectId(c, "a constraint id"));
        if (!c.tryMatch(Syntax.SCORE)) {
            if (c.more()) {
                throw c.unexpected(c.peek(), "<ticket>: (the ticket's name and a colon, e.g. ticketA:) before the resources");
            }
            throw c.missing("<ticket>: and the resources");
        }
        Token ticketTok = c.previous();
        String ticket = c.group(1);
        if (!Syntax.isValidId(ticket)) {
            throw c.at(ticketTok, "'" + ticket + "' is not a valid ticket name; a name starts with a letter or '_' and has "
                    + "only letters, digits, '_', '.' and '-'");
        }
        out.set("ticket", ticket);
        Token loss = c.takeLastIf(LOSS_POLICY);
        if (loss != null) {
            String policy = c.group(1);
            if (!LOSS_POLICIES.contains(policy)) {
                throw c.at(loss, "unknown loss-policy '" + policy + "'; use one of " + String.join(", ", LOSS_POLICIES));
            }
            out.set("loss-policy", policy);
        }
        if (!c.more()) {
            throw c.missing("<rsc>[:<role>] (the resources that need ticket " + ticket + ")");
        }
        if (c.remaining() == 1 && !c.peekText().startsWith("(") && !c.peekText().startsWith("[")) {
            Token t = c.next("a resource");
            String[] parts = t.text().split(":", -1);
            if (parts.length > 2 || parts[0].isEmpty() || t.text().contains("=")) {
                throw c.unexpected(t, "<rsc>[:<role>]");
            }
            out.set("rsc", parts[0]);
            if (parts.length == 2) {
                out.set("rsc-role", Syntax.role(c, t, parts[1]));
            }
            return new Parsed(out);
        }
        for (MNode s : new ResourceSetParser(c, "role").parse(c.rest())) {
            out.add(s);
        }
        return new Parsed(out);
    }

    /** Two plain resources become attributes; anything else is a list of resource sets. */
    private static void resources(Cursor c, MNode out, String qualifier) throws CrmException {
        boolean order = qualifier.equals("action");
        if (c.remaining() < 2) {
            if (c.more()) {
                throw c.error("'" + c.peekText() + "' at column " + c.peek().column() + " is alone; a "
                        + (order ? "order" : "colocation") + " needs two resources or a resource set");
            }
            throw c.missing(order ? "<first>[:<action>] <then>[:<action>]" : "<rsc>[:<role>] <with-rsc>[:<role>]");
        }
        if (c.remaining() == 2 && !c.peekIs("(", "[") && !c.peekText().startsWith("(") && !c.peekText().startsWith("[")) {
            String[] names = order ? new String[] {"first", "then"} : new String[] {"rsc", "with-rsc"};
            for (String n : names) {
                Token t = c.next("a resource");
                String[] parts = t.text().split(":", -1);
                if (parts.length > 2 || parts[0].isEmpty() || t.text().contains("=")) {
                    throw c.unexpected(t, order ? "<resource>[:<action>]" : "<resource>[:<role>]");
                }
                out.set(n, parts[0]);
                if (parts.length == 2) {
                    String q = parts[1];
                    if (q.chars().allMatch(Character::isDigit) && !q.isEmpty()) {
                        out.set(n + "-instance", q);
                    } else {
                        String canon = order ? Syntax.canonize(q, Syntax.ACTIONS) : Syntax.canonize(q, Syntax.ROLES);
                        if (canon == null) {
                            throw c.at(t, "unknown " + qualifier + " '" + q + "'; use one of "
                                    + String.join(", ", order ? Syntax.ACTIONS : Syntax.ROLES));
                        }
                        out.set(n + "-" + qualifier, canon);
                    }
                }
            }
            return;
        }
        for (MNode s : new ResourceSetParser(c, qualifier).parse(c.rest())) {
            out.add(s);
        }
    }
}
