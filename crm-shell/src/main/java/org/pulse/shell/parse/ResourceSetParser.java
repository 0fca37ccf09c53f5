package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import org.pulse.shell.CrmException;

/**
 * Resource sets as crmsh reads them: {@code a ( b c:start ) [ d e ] f}. Parentheses make a
 * set with sequential=false, brackets also require-all=false; a change of role/action starts
 * a new set.
 */
public final class ResourceSetParser {
    private final Cursor cursor;
    private final String qualifier;
    private final List<MNode> sets = new ArrayList<>();
    private MNode current;
    private String previousQualifier = "";
    private boolean qualified;
    private String opened = "";
    private boolean sequential = true;
    private boolean requireAll = true;

    ResourceSetParser(Cursor cursor, String qualifier) {
        this.cursor = cursor;
        this.qualifier = qualifier;
        reset();
    }

    private void reset() {
        current = new MNode("resource_set");
        previousQualifier = "";
        qualified = false;
    }

    private void save() {
        if (current.children.isEmpty()) {
            return;
        }
        if (!requireAll) {
            current.set("require-all", "false");
        }
        if (!sequential) {
            current.set("sequential", "false");
        }
        if (qualified) {
            current.set(qualifier, previousQualifier);
        }
        sets.add(current);
        reset();
    }

    List<MNode> parse(List<Token> raw) throws CrmException {
        List<Token> tokens = new ArrayList<>();
        for (Token t : raw) {
            String s = t.text();
            if (s.length() > 1 && (s.charAt(0) == '(' || s.charAt(0) == '[')) {
                tokens.add(new Token(s.substring(0, 1), t.column()));
                tokens.add(new Token(s.substring(1), t.column() + 1));
            } else if (s.length() > 1 && (s.endsWith(")") || s.endsWith("]"))) {
                tokens.add(new Token(s.substring(0, s.length() - 1), t.column()));
                tokens.add(new Token(s.substring(s.length() - 1), t.column() + s.length() - 1));
            } else {
                tokens.add(t);
            }
        }
        Token last = null;
        for (Token t : tokens) {
            last = t;
            String p = t.text();
            if (p.equals("_rsc_set_")) {
                continue;
            }
            if (p.equals("(") || p.equals("[")) {
                save();
                if (!opened.isEmpty()) {
                    throw cursor.at(t, "resource sets cannot be nested; close the open '" + opened + "' first");
                }
                sequential = false;
                requireAll = !p.equals("[");
                opened = p;
                continue;
            }
            if (p.equals(")") || p.equals("]")) {
                if (current.children.isEmpty()) {
                    throw cursor.at(t, "empty resource set; put at least one resource between the brackets");
                }
                if (opened.isEmpty()) {
                    throw cursor.at(t, "closing bracket without an opening one");
                }
                if (!(opened.equals("(") ? ")" : "]").equals(p)) {
                    throw cursor.at(t, "'" + opened + "' is closed with '" + p + "'; close it with '"
                            + (opened.equals("(") ? ")" : "]") + "'");
                }
                save();
                sequential = true;
                requireAll = true;
                opened = "";
                continue;
            }
            if (p.contains("=")) {
                String[] kv = p.split("=", -1);
                if (kv.length != 2 || !(kv[0].equals("sequential") || kv[0].equals("require-all"))) {
                    throw cursor.unexpected(t, "a resource, '(', '[', sequential=<bool> or require-all=<bool>");
                }
                Boolean b = bool(kv[1]);
                if (b == null) {
                    throw cursor.at(t, "'" + kv[1] + "' is not a boolean; use true or false");
                }
                if (kv[0].equals("sequential")) {
                    sequential = b;
                } else {
                    requireAll = b;
                }
                continue;
            }
            String[] parts = p.split(":", -1);
            if (parts.length > 2 || parts[0].isEmpty() || p.endsWith(":")) {
                throw cursor.unexpected(t, "<resource>[:<" + qualifier + ">]");
            }
            String q = "";
            if (parts.length == 2) {
                q = qualifier.equals("action") ? Syntax.canonize(parts[1], Syntax.ACTIONS)
                        : Syntax.canonize(parts[1], Syntax.ROLES);
                if (q == null) {
                    throw cursor.at(t, "unknown " + qualifier + " '" + parts[1] + "'; use one of "
                            + String.join(", ", qualifier.equals("action") ? Syntax.ACTIONS : Syntax.ROLES));
                }
            }
            if (!q.equals(previousQualifier)) {
                save();
                previousQualifier = q;
            }
            qualified = !q.isEmpty();
            current.add(MNode.of("resource_ref", "id", parts[0]));
        }
        if (!opened.isEmpty()) {
            throw cursor.at(last, "the resource set opened with '" + opened + "' is not closed");
        }
        save();
        return sets;
    }

    public static Boolean bool(String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1", "y" -> Boolean.TRUE;
            case "false", "no", "off", "0", "n" -> Boolean.FALSE;
            default -> null;
        };
    }
}
