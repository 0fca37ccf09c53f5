package org.pulse.shell.parse;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pulse.shell.CrmException;

/**
 * crmsh's {@code alert ID PATH [attributes N=V...] [meta N=V...] [select nodes|fencing|resources|
 * attributes [{ NAME... }]...] [to RECIPIENT [attributes ...] [meta ...] | to { RECIPIENT ... }]...}
 * into Pacemaker's {@code <alert>}: attributes and meta after a recipient are the recipient's.
 */
final class AlertParser {
    private AlertParser() {
    }

    private static final Set<String> KEYWORDS = Set.of("attributes", "meta", "select", "to", "{", "}");
    private static final Set<String> KINDS = Set.of("nodes", "fencing", "resources", "attributes");

    static Parsed alert(Cursor c) throws CrmException {
        Token id = c.next("an alert id, e.g. 'alert file /usr/share/pacemaker/alerts/alert_file.sh to /var/log/alerts.log'");
        if (!Syntax.isValidId(id.text())) {
            throw c.unexpected(id, "an alert id");
        }
        MNode alert = MNode.of("alert", "id", id.text());
        Token path = c.next("the path of the alert agent, e.g. /usr/share/pacemaker/alerts/alert_file.sh");
        if (path.text().contains("=") || KEYWORDS.contains(path.text().toLowerCase(Locale.ROOT))) {
            throw c.unexpected(path, "the path of the alert agent");
        }
        alert.set("path", path.text());
        MNode owner = alert;
        boolean braced = false;
        int recipients = 0;
        while (c.more()) {
            String word = c.peekText().toLowerCase(Locale.ROOT);
            switch (word) {
                case "attributes", "meta" -> {
                    c.next(word);
                    String tag = word.equals("meta") ? "meta_attributes" : "instance_attributes";
                    MNode set = owner.first(tag);
                    if (set == null) {
                        set = owner.child(tag);
                    }
                    List<MNode> pairs = Syntax.nvpairs(c, KEYWORDS);
                    if (pairs.isEmpty()) {
                        throw c.missing("<name>=<value> after '" + word + "' (e.g. " + (word.equals("meta")
                                ? "timeout=10s" : "debug_exec_order=false") + ")");
                    }
                    pairs.forEach(set::add);
                }
                case "select" -> {
                    if (owner != alert) {
                        throw c.error("'select' belongs to the alert: give it before the first 'to'");
                    }
                    c.next(word);
                    select(c, alert);
                }
                case "to" -> {
                    if (braced) {
                        throw c.error("'}' missing before the next 'to'");
                    }
                    c.next(word);
                    if (c.peekIs("{")) {
                        c.next("{");
                        braced = true;
                    }
                    Token value = c.next("a recipient (its value: an address, a file, ...)");
                    if (value.text().contains("=") || KEYWORDS.contains(value.text().toLowerCase(Locale.ROOT))) {
                        throw c.unexpected(value, "a recipient");
                    }
                    recipients++;
                    owner = alert.child("recipient");
                    owner.set("id", id.text() + "-recipient" + (recipients == 1 ? "" : "-" + recipients));
                    owner.set("value", value.text());
                }
                case "}" -> {
                    if (!braced) {
                        throw c.unexpected(c.peek(), "'to', 'select', 'attributes' or 'meta'");
                    }
                    c.next("}");
                    braced = false;
                }
                default -> throw c.unexpected(c.peek(), "'attributes', 'meta', 'select' or 'to'");
            }
        }
        if (braced) {
            throw c.missing("'}' to close the recipient");
        }
        // Pacemaker's order: attribute sets, select, then recipients.
        alert.children.sort(java.util.Comparator.comparingInt(n -> switch (n.name) {
            case "meta_attributes", "instance_attributes" -> 0;
            case "select" -> 1;
            default -> 2;
        }));
        return new Parsed(alert);
    }

    private static void select(Cursor c, MNode alert) throws CrmException {
        if (alert.first("select") != null) {
            throw c.error("one 'select' per alert: list every kind after it");
        }
        MNode select = alert.child("select");
        while (c.more() && KINDS.contains(c.peekText().toLowerCase(Locale.ROOT))) {
            String kind = c.next("a kind").text().toLowerCase(Locale.ROOT);
            MNode k = select.child("select_" + kind);
            if (kind.equals("attributes") && c.peekIs("{")) {
                c.next("{");
                while (!c.peekIs("}")) {
                    Token name = c.next("an attribute name or '}'");
                    k.add(MNode.of("attribute", "id", alert.get("id") + "-" + name.text(), "name", name.text()));
                }
                c.next("}");
            }
        }
        if (select.children.isEmpty()) {
            throw c.missing("what to select: nodes, fencing, resources and/or attributes [{ NAME ... }]");
        }
    }
}
