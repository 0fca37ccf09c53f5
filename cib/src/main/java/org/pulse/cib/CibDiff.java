package org.pulse.cib;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pulse.cib.xml.XmlComment;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * The change from one CIB to another, as crmd replicates it: the version it applies to
 * ({@link #from}), the version it gives ({@link #to}) and the changes, each addressed by the path
 * of the element it touches. Applying it to a CIB of another version is refused, so a node that
 * missed a diff notices and asks for the whole CIB (DESIGN.md §3).
 *
 * <p>Addressing: a path is a list of {@link Step}s from the root. A step names a child by element
 * name, its {@code id} (null for elements without one) and its occurrence among the siblings
 * with the same name and id (0 for the first; ids are unique among siblings in a valid CIB, so
 * it is almost always 0). Comments and text are steps named {@code #comment} and {@code #text}.
 * Such keys do not change when siblings are added, removed or moved, so the changes below a
 * parent can be addressed the same way before and after the parent's children change.
 *
 * <p>Order of the changes: the structural changes of one parent ({@link Delete}, {@link Move},
 * {@link Create}) are listed together and applied together: their paths name the children as
 * they were before the group, their indexes are positions in the children afterwards. Changes
 * inside a child follow the group that placed it. Only the elements that differ are visited and
 * only what differs is listed, so a status update in a 10,000-resource CIB gives a few changes.
 */
public record CibDiff(CibVersion from, CibVersion to, List<Change> changes) {
    public static final String COMMENT = "#comment";
    public static final String TEXT = "#text";

    public CibDiff {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        changes = List.copyOf(changes);
    }

    /** One step of a path: a child by name, id (or null) and occurrence among same-keyed siblings. */
    public record Step(String name, String id, int occurrence) {
        public Step {
            Objects.requireNonNull(name, "name");
            if (occurrence < 0) {
                throw new IllegalArgumentException("occurrence must be >= 0: " + occurrence);
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(name);
            if (id != null) {
                sb.append("[@id='").append(id).append("']");
            }
            if (occurrence > 0 || (id == null && !name.equals("cib"))) {
                sb.append('[').append(occurrence).append(']');
            }
            return sb.toString();
        }
    }

    /** One change; see the class comment for how paths and indexes are read. */
    public sealed interface Change permits Create, Delete, Move, ModifyAttributes {
        /** The path of the element whose children or attributes this change alters. */
        List<Step> target();
    }

    /** Inserts {@code node} as child number {@code index} (final position) of {@code parent}. */
    public record Create(List<Step> parent, int index, XmlNode node) implements Change {
        public Create {
            parent = List.copyOf(parent);
            Objects.requireNonNull(node, "node");
        }

        @Override
        public List<Step> target() {
            return parent;
        }
    }

    /** Removes the node at {@code path} with everything below it. */
    public record Delete(List<Step> path) implements Change {
        public Delete {
            path = List.copyOf(path);
        }

        @Override
        public List<Step> target() {
            return path.subList(0, path.size() - 1);
        }
    }

    /** Moves the node at {@code path} to child number {@code index} (final position) of its parent. */
    public record Move(List<Step> path, int index) implements Change {
        public Move {
            path = List.copyOf(path);
        }

        @Override
        public List<Step> target() {
            return path.subList(0, path.size() - 1);
        }
    }

    /**
     * Sets the attributes in {@code set} (existing ones keep their place, new ones go last) after
     * removing those in {@code removed}. When the new attribute order cannot be reached that way,
     * {@code removed} lists all the old attributes and {@code set} all the new ones in order.
     */
    public record ModifyAttributes(List<Step> path, Map<String, String> set, List<String> removed) implements Change {
        public ModifyAttributes {
            path = List.copyOf(path);
            set = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(set));
            removed = List.copyOf(removed);
        }

        @Override
        public List<Step> target() {
            return path;
        }
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** The diff that turns {@code a} into {@code b}. */
    public static CibDiff diff(Cib a, Cib b) {
        List<Change> out = new ArrayList<>();
        List<Step> rootPath = List.of(new Step(b.root().name(), null, 0));
        diffElements(a.root(), b.root(), rootPath, out);
        return new CibDiff(a.version(), b.version(), out);
    }

    // ---- diff

    private static void diffElements(XmlElement a, XmlElement b, List<Step> path, List<Change> out) {
        if (a == b || a.equals(b)) {
            return;
        }
        diffAttributes(a.attributes(), b.attributes(), path, out);
        List<XmlNode> ac = a.children();
        List<XmlNode> bc = b.children();
        if (ac.equals(bc)) {
            return;
        }
        List<Step> ak = keys(ac);
        List<Step> bk = keys(bc);
        Map<Step, Integer> aIndex = indexOf(ak);
        Map<Step, Integer> bIndex = indexOf(bk);
        // Pairs of children that are the same node in both (same key; for comments and text
        // also the same content, since they have no inside to modify).
        int[] aToB = new int[ac.size()];
        Arrays.fill(aToB, -1);
        boolean[] bMatched = new boolean[bc.size()];
        for (int i = 0; i < ac.size(); i++) {
            Integer j = bIndex.get(ak.get(i));
            if (j != null && (ac.get(i) instanceof XmlElement || ac.get(i).equals(bc.get(j)))) {
                aToB[i] = j;
                bMatched[j] = true;
            }
        }
        // Matched children that keep their relative order stay; the others move. The longest
        // increasing run of b-positions (in a's order) is the largest set that can stay.
        boolean[] stays = longestIncreasing(aToB);
        for (int i = 0; i < ac.size(); i++) {
            if (aToB[i] < 0) {
                out.add(new Delete(append(path, ak.get(i))));
            }
        }
        for (int i = 0; i < ac.size(); i++) {
            if (aToB[i] >= 0 && !stays[i]) {
                out.add(new Move(append(path, ak.get(i)), aToB[i]));
            }
        }
        for (int j = 0; j < bc.size(); j++) {
            if (!bMatched[j]) {
                out.add(new Create(path, j, bc.get(j)));
            }
        }
        for (int j = 0; j < bc.size(); j++) {
            if (bMatched[j] && bc.get(j) instanceof XmlElement be) {
                XmlElement ae = (XmlElement) ac.get(aIndex.get(bk.get(j)));
                diffElements(ae, be, append(path, bk.get(j)), out);
            }
        }
    }

    private static void diffAttributes(Map<String, String> a, Map<String, String> b, List<Step> path,
                                       List<Change> out) {
        if (a.equals(b) && List.copyOf(a.keySet()).equals(List.copyOf(b.keySet()))) {
            return;
        }
        Map<String, String> set = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        for (String k : a.keySet()) {
            if (!b.containsKey(k)) {
                removed.add(k);
            }
        }
        for (Map.Entry<String, String> e : b.entrySet()) {
            if (!e.getValue().equals(a.get(e.getKey()))) {
                set.put(e.getKey(), e.getValue());
            }
        }
        if (!applyAttributes(a, set, removed).keySet().stream().toList().equals(List.copyOf(b.keySet()))) {
            set = new LinkedHashMap<>(b);
            removed = new ArrayList<>(a.keySet());
        }
        out.add(new ModifyAttributes(path, set, removed));
    }

    private static Map<String, String> applyAttributes(Map<String, String> attrs, Map<String, String> set,
                                                       List<String> removed) {
        Map<String, String> m = new LinkedHashMap<>(attrs);
        removed.forEach(m::remove);
        m.putAll(set);
        return m;
    }

    /** For each position, whether it belongs to a longest strictly increasing run of values >= 0. */
    private static boolean[] longestIncreasing(int[] values) {
        int n = values.length;
        int[] tailIndex = new int[n];
        int[] previous = new int[n];
        int length = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] < 0) {
                continue;
            }
            int lo = 0;
            int hi = length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (values[tailIndex[mid]] < values[i]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            previous[i] = lo > 0 ? tailIndex[lo - 1] : -1;
            tailIndex[lo] = i;
            if (lo == length) {
                length++;
            }
        }
        boolean[] in = new boolean[n];
        for (int i = length > 0 ? tailIndex[length - 1] : -1; i >= 0; i = previous[i]) {
            in[i] = true;
        }
        return in;
    }

    /** The key of each child: name (or #comment/#text), id, occurrence among same name and id. */
    static List<Step> keys(List<XmlNode> children) {
        List<Step> keys = new ArrayList<>(children.size());
        Map<Step, Integer> seen = new HashMap<>();
        for (XmlNode n : children) {
            Step base = baseKey(n);
            int occurrence = seen.merge(base, 1, Integer::sum) - 1;
            keys.add(occurrence == 0 ? base : new Step(base.name(), base.id(), occurrence));
        }
        return keys;
    }

    private static Step baseKey(XmlNode n) {
        if (n instanceof XmlElement e) {
            return new Step(e.name(), e.id(), 0);
        }
        return new Step(n instanceof XmlComment ? COMMENT : TEXT, null, 0);
    }

    private static Map<Step, Integer> indexOf(List<Step> keys) {
        Map<Step, Integer> m = new HashMap<>(keys.size() * 2);
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), i);
        }
        return m;
    }

    private static List<Step> append(List<Step> path, Step step) {
        List<Step> p = new ArrayList<>(path.size() + 1);
        p.addAll(path);
        p.add(step);
        return List.copyOf(p);
    }

    // ---- patch

    /**
     * Applies this diff to {@code cib}, which must be at version {@link #from}; the result is at
     * version {@link #to}.
     *
     * @throws CibPatchException when the CIB has another version (nothing is applied; a node
     *     should then ask for the whole CIB), or when the diff names an element that is not there
     */
    public Cib apply(Cib cib) throws CibPatchException {
        if (!cib.version().equals(from)) {
            throw new CibPatchException("cannot apply the diff " + from + " -> " + to + " to "
                    + cib.source() + ": the CIB is at version " + cib.version() + ", the diff was made from "
                    + from + "; fetch the whole CIB from the DC instead of patching", cib.version(), from);
        }
        Draft root = new Draft(cib.root());
        int i = 0;
        while (i < changes.size()) {
            Change c = changes.get(i);
            try {
                if (c instanceof ModifyAttributes m) {
                    Draft target = resolve(root, m.path());
                    target.modifyAttributes(m.set(), m.removed());
                    i++;
                    continue;
                }
                // A group of structural changes of one parent, applied together.
                List<Step> parent = c.target();
                int end = i;
                while (end < changes.size() && !(changes.get(end) instanceof ModifyAttributes)
                        && changes.get(end).target().equals(parent)) {
                    end++;
                }
                resolve(root, parent).restructure(changes.subList(i, end));
                i = end;
            } catch (Misfit m) {
                throw new CibPatchException("cannot apply the diff " + from + " -> " + to + ": " + m.getMessage()
                        + " (change " + describe(c) + "); the diff does not fit this CIB: fetch the whole CIB",
                        cib.version(), from);
            }
        }
        Cib result;
        try {
            result = Cib.of(cib.source(), root.freeze());
        } catch (CibException e) {
            throw new CibPatchException("the diff " + from + " -> " + to + " does not give a CIB: "
                    + e.getMessage(), cib.version(), from);
        }
        // The diff's header is what counts: a diff re-based onto another num_updates (as crmd
        // does with an operator's configuration patch) still gives version `to`. For a diff
        // made by diff() the changes already say so and this changes nothing.
        return result.version().equals(to) ? result : result.withVersion(to);
    }

    /** Thrown while applying and turned into a {@link CibPatchException} naming the change. */
    private static final class Misfit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Misfit(String message) {
            super(message, null, false, false);
        }
    }

    private static Draft resolve(Draft root, List<Step> path) {
        if (path.isEmpty() || !path.get(0).name().equals(root.name)) {
            throw new Misfit("the path does not start at <" + root.name + ">");
        }
        Draft d = root;
        for (int depth = 1; depth < path.size(); depth++) {
            d = d.child(path.get(depth), path.subList(0, depth + 1));
        }
        return d;
    }

    /**
     * A copy-on-write working copy of an element while a diff is applied: only the elements a
     * change reaches are copied, each child list once, and children are found through a key
     * index, so a diff with many changes under one big parent (10,000 resources) stays linear.
     * {@link #freeze} gives the immutable tree back, sharing everything untouched.
     */
    private static final class Draft {
        final String name;
        final XmlElement original;
        Map<String, String> attributes;
        /** Null until a child is changed; then XmlNode or Draft entries. */
        List<Object> children;
        Map<Step, Integer> index;
        /** Set while a change is applied below the parent; an id change re-keys the parent's children. */
        Draft parent;

        Draft(XmlElement original) {
            this.original = original;
            this.name = original.name();
        }

        private List<Object> children() {
            if (children == null) {
                children = new ArrayList<>(original.children());
            }
            return children;
        }

        private Map<String, String> attributes() {
            return attributes != null ? attributes : original.attributes();
        }

        /** The children's keys as they are now (built again after a change of the children or an id). */
        private Map<Step, Integer> index() {
            if (index == null) {
                List<Object> kids = children();
                index = new HashMap<>(kids.size() * 2);
                Map<Step, Integer> seen = new HashMap<>();
                for (int i = 0; i < kids.size(); i++) {
                    Step base = keyOf(kids.get(i));
                    int occurrence = seen.merge(base, 1, Integer::sum) - 1;
                    index.put(occurrence == 0 ? base : new Step(base.name(), base.id(), occurrence), i);
                }
            }
            return index;
        }

        Draft child(Step step, List<Step> pathSoFar) {
            Integer at = index().get(step);
            Object node = at == null ? null : children.get(at);
            if (node instanceof Draft d) {
                d.parent = this;
                return d;
            }
            if (!(node instanceof XmlElement e)) {
                throw new Misfit("no element " + render(pathSoFar));
            }
            Draft d = new Draft(e);
            d.parent = this;
            children.set(at, d);
            return d;
        }

        void modifyAttributes(Map<String, String> set, List<String> removed) {
            String idBefore = attributes().get("id");
            attributes = applyAttributes(attributes(), set, removed);
            if (parent != null && !Objects.equals(idBefore, attributes.get("id"))) {
                parent.index = null;
            }
        }

        void restructure(List<Change> group) {
            List<Object> kids = children();
            Map<Step, Integer> index = index();
            boolean[] gone = new boolean[kids.size()];
            List<Map.Entry<Integer, Object>> inserts = new ArrayList<>();
            for (Change c : group) {
                if (c instanceof Create cr) {
                    inserts.add(Map.entry(cr.index(), cr.node()));
                    continue;
                }
                List<Step> path = c instanceof Delete d ? d.path() : ((Move) c).path();
                Integer at = index.get(path.get(path.size() - 1));
                if (at == null || gone[at]) {
                    throw new Misfit("no node " + render(path));
                }
                gone[at] = true;
                if (c instanceof Move mv) {
                    inserts.add(Map.entry(mv.index(), kids.get(at)));
                }
            }
            List<Object> result = new ArrayList<>(kids.size() + inserts.size());
            for (int i = 0; i < kids.size(); i++) {
                if (!gone[i]) {
                    result.add(kids.get(i));
                }
            }
            // Ascending final positions: everything before a position is in place when it is filled.
            inserts.sort(Map.Entry.comparingByKey());
            for (Map.Entry<Integer, Object> ins : inserts) {
                if (ins.getKey() < 0 || ins.getKey() > result.size()) {
                    throw new Misfit("position " + ins.getKey() + " is outside the " + result.size()
                            + " children of <" + name + ">");
                }
                result.add(ins.getKey(), ins.getValue());
            }
            children = result;
            this.index = null;
        }

        XmlElement freeze() {
            if (children == null && attributes == null) {
                return original;
            }
            List<XmlNode> kids;
            if (children == null) {
                kids = original.children();
            } else {
                kids = new ArrayList<>(children.size());
                for (Object o : children) {
                    kids.add(o instanceof Draft d ? d.freeze() : (XmlNode) o);
                }
            }
            return new XmlElement(name, attributes(), kids, original.sourceLine());
        }

        private static Step keyOf(Object o) {
            if (o instanceof Draft d) {
                return new Step(d.name, d.attributes().get("id"), 0);
            }
            return baseKey((XmlNode) o);
        }
    }

    static String render(List<Step> path) {
        StringBuilder sb = new StringBuilder();
        for (Step s : path) {
            sb.append('/').append(s);
        }
        return sb.toString();
    }

    private static String describe(Change c) {
        if (c instanceof Create cr) {
            return "create at " + render(cr.parent()) + " position " + cr.index();
        } else if (c instanceof Delete d) {
            return "delete " + render(d.path());
        } else if (c instanceof Move m) {
            return "move " + render(m.path()) + " to position " + m.index();
        }
        return "modify attributes of " + render(((ModifyAttributes) c).path());
    }

    /** One line per change, for logs and {@code crm} output. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("diff " + from + " -> " + to + " (" + changes.size() + " changes)");
        for (Change c : changes) {
            sb.append("\n  ").append(describe(c));
        }
        return sb.toString();
    }

    // ---- wire form

    /** The diff as one line of JSON; see {@link CibDiffJson} for the format. */
    public String toJson() {
        return CibDiffJson.write(this);
    }

    /**
     * Reads a diff written by {@link #toJson}.
     *
     * @throws CibException naming what is wrong with the text
     */
    public static CibDiff fromJson(String json) throws CibException {
        return CibDiffJson.read(json);
    }
}
