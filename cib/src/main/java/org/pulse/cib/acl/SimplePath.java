package org.pulse.cib.acl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The XPaths operators write in ACLs, evaluated directly on the tree: location paths of {@code /}
 * and {@code //} steps, each an element name or {@code *} with predicates on attributes
 * ({@code @a}, {@code @a='v'}, {@code @a!='v'}) joined by {@code and} / {@code or}. Anything else
 * (functions, positions, other axes, parentheses) is not parsed here: {@link #parse} returns null
 * and the JDK's XPath engine evaluates it. The JDK engine costs ~0.3 s per expression on a CIB of
 * 10,000 resources (it wraps the whole DOM for each evaluation); this costs one walk.
 * The results equal the JDK's for every path parsed here (SimplePathTest compares them).
 */
final class SimplePath {
    /** One element of the tree being evaluated. */
    static final class Node {
        final org.pulse.cib.xml.XmlElement element;
        final List<Node> children = new ArrayList<>();

        Node(org.pulse.cib.xml.XmlElement element) {
            this.element = element;
        }
    }

    private record Test(String attribute, String op, String value) {
        boolean holds(org.pulse.cib.xml.XmlElement e) {
            String v = e.attr(attribute);
            if (op == null) {
                return v != null;
            }
            if (v == null) {
                return false; // a missing attribute is an empty node-set: every comparison is false
            }
            return op.equals("=") == v.equals(value);
        }
    }

    /** A step: descendant ({@code //}) or child, a name or null for *, and predicates (OR of ANDs). */
    private record Step(boolean descendant, String name, List<List<List<Test>>> predicates) {
        boolean matches(org.pulse.cib.xml.XmlElement e) {
            if (name != null && !name.equals(e.name())) {
                return false;
            }
            for (List<List<Test>> pred : predicates) {
                boolean any = false;
                for (List<Test> conj : pred) {
                    if (conj.stream().allMatch(t -> t.holds(e))) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Step> steps;

    private SimplePath(List<Step> steps) {
        this.steps = steps;
    }

    /** The path, or null when it uses anything beyond the subset (the JDK evaluates it then). */
    static SimplePath parse(String xpath) {
        try {
            Parser p = new Parser(xpath);
            List<Step> steps = p.path();
            return steps == null ? null : new SimplePath(steps);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The elements selected, from the document whose root element is {@code root}. */
    Set<Node> select(Node root) {
        // The document node's only child is the root element.
        Node document = new Node(null);
        document.children.add(root);
        List<Node> current = List.of(document);
        for (Step step : steps) {
            Set<Node> next = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Node> ordered = new ArrayList<>();
            for (Node context : current) {
                if (step.descendant()) {
                    descendants(context, step, next, ordered);
                } else {
                    for (Node c : context.children) {
                        if (step.matches(c.element) && next.add(c)) {
                            ordered.add(c);
                        }
                    }
                }
            }
            current = ordered;
        }
        Set<Node> out = Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(current);
        return out;
    }

    private static void descendants(Node context, Step step, Set<Node> seen, List<Node> ordered) {
        for (Node c : context.children) {
            if (step.matches(c.element) && seen.add(c)) {
                ordered.add(c);
            }
            descendants(c, step, seen, ordered);
        }
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        private void blanks() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean eat(String token) {
            blanks();
            if (s.startsWith(token, i)) {
                i += token.length();
                return true;
            }
            return false;
        }

        /** An NCName, or null. */
        private String name() {
            blanks();
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                boolean ok = Character.isLetter(c) || c == '_' || (i > start && (Character.isDigit(c) || c == '-'
                        || c == '.'));
                if (!ok) {
                    break;
                }
                i++;
            }
            return i > start ? s.substring(start, i) : null;
        }

        List<Step> path() {
            List<Step> steps = new ArrayList<>();
            blanks();
            if (i >= s.length() || s.charAt(i) != '/') {
                return null; // relative paths: the JDK's business
            }
            while (true) {
                blanks();
                if (i >= s.length()) {
                    break;
                }
                boolean descendant;
                if (s.startsWith("//", i)) {
                    descendant = true;
                    i += 2;
                } else if (s.charAt(i) == '/') {
                    descendant = false;
                    i += 1;
                } else {
                    return null;
                }
                String name;
                if (eat("*")) {
                    name = null;
                } else {
                    name = name();
                    if (name == null) {
                        return null;
                    }
                    blanks();
                    if (i < s.length() && (s.charAt(i) == ':' || s.charAt(i) == '(')) {
                        return null; // axes, prefixes, node tests and functions
                    }
                }
                List<List<List<Test>>> preds = new ArrayList<>();
                while (eat("[")) {
                    List<List<Test>> or = predicate();
                    if (or == null || !eat("]")) {
                        return null;
                    }
                    preds.add(or);
                }
                steps.add(new Step(descendant, name, preds));
            }
            return steps.isEmpty() ? null : steps;
        }

        private List<List<Test>> predicate() {
            List<List<Test>> or = new ArrayList<>();
            List<Test> and = new ArrayList<>();
            while (true) {
                Test t = test();
                if (t == null) {
                    return null;
                }
                and.add(t);
                if (keyword("and")) {
                    continue;
                }
                or.add(and);
                if (keyword("or")) {
                    and = new ArrayList<>();
                    continue;
                }
                return or;
            }
        }

        private boolean keyword(String word) {
            blanks();
            if (s.startsWith(word, i) && i + word.length() < s.length()
                    && !Character.isLetterOrDigit(s.charAt(i + word.length()))) {
                i += word.length();
                return true;
            }
            return false;
        }

        private Test test() {
            if (!eat("@")) {
                return null;
            }
            String attr = name();
            if (attr == null) {
                return null;
            }
            blanks();
            if (i < s.length() && s.charAt(i) == ':') {
                return null;
            }
            String op = eat("!=") ? "!=" : eat("=") ? "=" : null;
            if (op == null) {
                return new Test(attr, null, null);
            }
            blanks();
            if (i >= s.length()) {
                return null;
            }
            char q = s.charAt(i);
            if (q != '\'' && q != '"') {
                return null; // numbers, other attributes: the JDK compares those
            }
            int end = s.indexOf(q, i + 1);
            if (end < 0) {
                return null;
            }
            String value = s.substring(i + 1, end);
            i = end + 1;
            return new Test(attr, op, value);
        }
    }
}
