package org.pulse.cib.acl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * Pacemaker's access control lists over a CIB, as pure functions: what a user may read (a filtered
 * copy) and whether a change from one CIB to the next touches only what the user may write.
 *
 * <p>Semantics (Pacemaker Explained, "Access Control Lists"):
 * <ul>
 *   <li>ACLs apply only when the cluster property {@code enable-acl} is true; root and hacluster
 *       are always exempt ({@link #restricted}).</li>
 *   <li>A user's permissions are those of every {@code acl_role} referenced by its
 *       {@code acl_target} (id, or {@code name} when given; legacy {@code acl_user}) and by each
 *       {@code acl_group} naming one of its groups, plus legacy read/write/deny elements held
 *       directly by the target.</li>
 *   <li>A permission selects elements by {@code xpath}, {@code reference} (an id) or
 *       {@code object-type} (optionally only those carrying {@code attribute}); all three become
 *       one XPath, as Pacemaker builds them. It applies to the selected element's whole subtree.</li>
 *   <li>The nearest element (self, then ancestors) that any permission selected decides; among
 *       permissions selecting that same element, deny beats write beats read. Nothing selected on
 *       the way to the root: denied (default deny).</li>
 *   <li>Write implies read. Creating an element needs write on it, except "scaffolding" (an element
 *       with no attribute but id) which may be created to hold writable children. Changing an
 *       attribute, the children's order or text, or removing an element needs write there.</li>
 * </ul>
 *
 * <p>Where this is stricter than Pacemaker, for safety, it says so: removing an element needs write
 * on every element of the removed subtree (Pacemaker checks the removed element only, so a deny
 * below a writable parent could be deleted with the parent); a deny permission whose XPath cannot
 * be evaluated denies the subject everything (Pacemaker would match nothing, granting more).
 */
public final class CibAcl {
    /** Root attributes the cluster maintains itself on every write; they never need permission. */
    private static final Set<String> MAINTAINED_ROOT_ATTRIBUTES = Set.of("epoch", "num_updates", "cib-last-written",
            "update-origin", "update-client", "update-user", "have-quorum", "dc-uuid");
    /** Root attributes a filtered copy keeps even when the root is not readable: tools need the version. */
    private static final List<String> VERSION_ATTRIBUTES = List.of("admin_epoch", "epoch", "num_updates",
            "validate-with", "crm_feature_set");

    private CibAcl() {
    }

    /** root and hacluster: full access always. */
    public static boolean exemptUser(String user) {
        return "root".equals(user) || "hacluster".equals(user);
    }

    /** True when the CIB's crm_config sets enable-acl to a true value (true, yes, on, y, 1). */
    public static boolean enabled(XmlElement cibRoot) {
        String value = null;
        for (XmlElement conf : cibRoot.elements("configuration")) {
            for (XmlElement crm : conf.elements("crm_config")) {
                for (XmlElement set : crm.elements("cluster_property_set")) {
                    for (XmlElement nv : set.elements("nvpair")) {
                        if ("enable-acl".equals(nv.attr("name"))) {
                            value = nv.attr("value");
                        }
                    }
                }
            }
        }
        return value != null && Set.of("true", "yes", "on", "y", "1").contains(value.trim().toLowerCase(Locale.ROOT));
    }

    /** Whether ACLs limit this subject on this CIB: not exempt, and enable-acl=true. */
    public static boolean restricted(XmlElement cibRoot, AclSubject who) {
        return !who.exempt() && enabled(cibRoot);
    }

    /**
     * The permissions that apply to the subject, in CIB order (order does not change the outcome).
     * Permissions without a selector, or of an unknown kind, are left out (see {@link #problems}).
     */
    public static List<AclPermission> permissionsFor(XmlElement cibRoot, AclSubject who) {
        return collect(cibRoot, who, new ArrayList<>());
    }

    /** What is wrong with the ACL definitions that apply to this subject, one sentence each. */
    public static List<String> problems(XmlElement cibRoot, AclSubject who) {
        List<String> out = new ArrayList<>();
        collect(cibRoot, who, out);
        Evaluation ev = new Evaluation(cibRoot, permissionsFor(cibRoot, who));
        out.addAll(ev.problems);
        return out;
    }

    /**
     * The CIB as the subject may read it. Unrestricted subjects get it unchanged. Otherwise an
     * element the subject may read is kept with its attributes (minus anything denied below it);
     * an element it may not read is kept only as scaffolding (its id alone) when something below it
     * is readable, and removed otherwise, as Pacemaker filters query results. The root keeps its
     * version attributes so the copy still reads as a CIB.
     */
    public static XmlElement filterForRead(XmlElement cibRoot, AclSubject who) {
        Objects.requireNonNull(cibRoot, "cibRoot");
        if (!restricted(cibRoot, who)) {
            return cibRoot;
        }
        Evaluation ev = new Evaluation(cibRoot, permissionsFor(cibRoot, who));
        XmlElement filtered = ev.filter(cibRoot, ev.rootNode, Eff.NONE);
        if (filtered == null) {
            filtered = new XmlElement(cibRoot.name(), Map.of(), List.of());
        }
        if (ev.effective(ev.rootNode, Eff.NONE).readable()) {
            return filtered;
        }
        return withSkeleton(withVersion(filtered, cibRoot), cibRoot);
    }

    /**
     * The CIB's fixed frame (configuration, its sections, status) as empty scaffolding where the
     * filter removed it: every CIB has them, so they reveal nothing, and a change made to the
     * filtered copy then adds to the existing sections instead of creating second ones. (Pacemaker
     * removes them too; its clients do not write diffs of the filtered copy.)
     */
    private static XmlElement withSkeleton(XmlElement filtered, XmlElement original) {
        List<XmlNode> top = new ArrayList<>();
        for (XmlElement section : original.elements()) {
            if (!section.name().equals("configuration") && !section.name().equals("status")) {
                continue;
            }
            XmlElement kept = filtered.element(section.name()).orElse(null);
            if (kept == null) {
                kept = new XmlElement(section.name(), Map.of(), List.of());
            }
            if (section.name().equals("configuration")) {
                List<XmlNode> parts = new ArrayList<>();
                for (XmlElement part : section.elements()) {
                    XmlElement k = kept.element(part.name()).orElse(null);
                    parts.add(k != null ? k : new XmlElement(part.name(), Map.of(), List.of()));
                }
                kept = kept.withChildren(parts);
            }
            top.add(kept);
        }
        return filtered.withChildren(top);
    }

    private static XmlElement withVersion(XmlElement scaffold, XmlElement original) {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String a : VERSION_ATTRIBUTES) {
            if (original.attr(a) != null) {
                attrs.put(a, original.attr(a));
            }
        }
        attrs.putAll(scaffold.attributes());
        return scaffold.withAttributes(attrs);
    }

    /**
     * Whether the change from {@code before} to {@code after} touches only what the subject may
     * write. The ACL definitions and enable-acl are those of {@code before} (a change cannot grant
     * itself rights). Removals and attribute changes are judged on {@code before}, creations on
     * {@code after} (a created element is selected by the XPaths as it will be), as Pacemaker
     * judges them. Empty when allowed; otherwise the first refusal, naming the element and rule.
     */
    public static Optional<AclDenial> checkWrite(XmlElement before, XmlElement after, AclSubject who) {
        if (!restricted(before, who)) {
            return Optional.empty();
        }
        List<AclPermission> perms = permissionsFor(before, who);
        Evaluation old = new Evaluation(before, perms);
        Evaluation now = new Evaluation(after, perms);
        WriteCheck check = new WriteCheck(who.user(), old, now);
        check.compare(before, old.rootNode, Eff.NONE, after, now.rootNode, Eff.NONE, "/" + before.name(), true);
        return Optional.ofNullable(check.denial);
    }

    // ---- collecting permissions

    private static List<AclPermission> collect(XmlElement cibRoot, AclSubject who, List<String> problems) {
        XmlElement acls = cibRoot.element("configuration").flatMap(c -> c.element("acls")).orElse(null);
        if (acls == null) {
            return List.of();
        }
        Map<String, XmlElement> roles = new HashMap<>();
        for (XmlElement e : acls.elements("acl_role")) {
            if (e.id() != null) {
                roles.putIfAbsent(e.id(), e);
            }
        }
        List<AclPermission> out = new ArrayList<>();
        Set<String> rolesTaken = new LinkedHashSet<>();
        for (XmlElement holder : acls.elements()) {
            boolean applies = switch (holder.name()) {
                case "acl_target" -> who.user().equals(holder.attr("name", holder.id()));
                case "acl_user" -> who.user().equals(holder.id());
                case "acl_group" -> who.groups().contains(holder.attr("name", holder.id()));
                default -> false;
            };
            if (!applies) {
                continue;
            }
            for (XmlElement c : holder.elements()) {
                switch (c.name()) {
                    case "role", "role_ref" -> {
                        String roleId = c.id();
                        XmlElement role = roleId == null ? null : roles.get(roleId);
                        if (role == null) {
                            problems.add(holder.name() + " '" + holder.id() + "' refers to role '" + roleId
                                    + "', which acls does not define; it grants nothing");
                        } else if (rolesTaken.add(roleId)) {
                            for (XmlElement p : role.elements()) {
                                permission(p, roleId, problems).ifPresent(out::add);
                            }
                        }
                    }
                    case "read", "write", "deny" -> permission(c, holder.id(), problems).ifPresent(out::add);
                    default -> {
                        // other children (descriptions, ...) grant nothing
                    }
                }
            }
        }
        return out;
    }

    private static Optional<AclPermission> permission(XmlElement p, String owner, List<String> problems) {
        String kindWord = p.name().equals("acl_permission") ? p.attr("kind") : p.name();
        if (!Set.of("acl_permission", "read", "write", "deny").contains(p.name())) {
            return Optional.empty();
        }
        AclPermission.Kind kind;
        try {
            kind = AclPermission.Kind.valueOf(String.valueOf(kindWord).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("acl_permission '" + p.id() + "' of '" + owner + "' has kind '" + kindWord
                    + "'; it must be read, write or deny; it is ignored");
            return Optional.empty();
        }
        String xpath = p.attr("xpath");
        String ref = p.attr("reference", p.attr("ref"));
        String type = p.attr("object-type", p.attr("tag"));
        String attribute = p.attr("attribute");
        String id = p.id() == null ? "" : p.id();
        if (xpath != null) {
            return Optional.of(new AclPermission(id, kind, "xpath " + xpath, xpath, owner));
        }
        if (ref == null && type == null) {
            problems.add("acl_permission '" + id + "' of '" + owner + "' selects nothing: give xpath, reference or"
                    + " object-type; it is ignored");
            if (kind == AclPermission.Kind.DENY) {
                // Fail closed: an unusable deny must not grant more than the operator meant.
                return Optional.of(new AclPermission(id, kind, "an unusable selector", "/", owner));
            }
            return Optional.empty();
        }
        // Pacemaker's own construction: //TYPE (or //*) with predicates on id and attribute.
        StringBuilder x = new StringBuilder("//").append(type == null ? "*" : type);
        StringBuilder sel = new StringBuilder();
        List<String> preds = new ArrayList<>();
        if (ref != null) {
            preds.add("@id=" + literal(ref));
            sel.append("reference ").append(ref);
        }
        if (type != null) {
            sel.append(sel.length() > 0 ? ", " : "").append("object-type ").append(type);
        }
        if (attribute != null) {
            preds.add("@" + attribute);
            sel.append(" attribute ").append(attribute);
        }
        if (!preds.isEmpty()) {
            x.append('[').append(String.join(" and ", preds)).append(']');
        }
        return Optional.of(new AclPermission(id, kind, sel.toString(), x.toString(), owner));
    }

    /** An XPath string literal for any text (ids may hold quotes). */
    static String literal(String s) {
        if (!s.contains("'")) {
            return "'" + s + "'";
        }
        if (!s.contains("\"")) {
            return "\"" + s + "\"";
        }
        StringBuilder b = new StringBuilder("concat(");
        String[] parts = s.split("'", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append(", \"'\", ");
            }
            b.append('\'').append(parts[i]).append('\'');
        }
        return b.append(')').toString();
    }

    /** The effective access at an element: the kind that decided and the permission behind it. */
    record Eff(AclPermission.Kind kind, AclPermission rule) {
        static final Eff NONE = new Eff(null, null);

        boolean readable() {
            return kind == AclPermission.Kind.READ || kind == AclPermission.Kind.WRITE;
        }

        boolean writable() {
            return kind == AclPermission.Kind.WRITE;
        }
    }

    /** Walks a before/after pair of trees and keeps the first refusal. */
    private static final class WriteCheck {
        private final String user;
        private final Evaluation old;
        private final Evaluation now;
        AclDenial denial;

        WriteCheck(String user, Evaluation old, Evaluation now) {
            this.user = user;
            this.old = old;
            this.now = now;
        }

        private void deny(String path, String attribute, String action, Eff eff) {
            if (denial == null) {
                denial = new AclDenial(user, path, attribute, action, eff.rule());
            }
        }

        void compare(XmlElement b, SimplePath.Node db, Eff inheritedB, XmlElement a, SimplePath.Node da,
                Eff inheritedA, String path, boolean root) {
            if (denial != null) {
                return;
            }
            Eff effB = old.effective(db, inheritedB);
            Eff effA = now.effective(da, inheritedA);
            Set<String> names = new LinkedHashSet<>(b.attributes().keySet());
            names.addAll(a.attributes().keySet());
            for (String n : names) {
                if (root && MAINTAINED_ROOT_ATTRIBUTES.contains(n)) {
                    continue;
                }
                if (!Objects.equals(b.attr(n), a.attr(n)) && !effB.writable()) {
                    deny(path, n, a.attr(n) == null ? "remove an attribute of" : "change", effB);
                    return;
                }
            }
            Map<Key, Integer> beforeIdx = keys(b);
            Map<Key, Integer> afterIdx = keys(a);
            List<XmlElement> bEls = b.elements();
            List<XmlElement> aEls = a.elements();
            List<SimplePath.Node> bDom = Evaluation.children(db);
            List<SimplePath.Node> aDom = Evaluation.children(da);
            List<Key> keptOrderBefore = new ArrayList<>();
            for (Map.Entry<Key, Integer> e : beforeIdx.entrySet()) {
                int i = e.getValue();
                if (!afterIdx.containsKey(e.getKey())) {
                    removed(bEls.get(i), bDom.get(i), effB, path + "/" + e.getKey());
                    if (denial != null) {
                        return;
                    }
                } else {
                    keptOrderBefore.add(e.getKey());
                }
            }
            List<Key> keptOrderAfter = new ArrayList<>();
            for (Map.Entry<Key, Integer> e : afterIdx.entrySet()) {
                int i = e.getValue();
                if (!beforeIdx.containsKey(e.getKey())) {
                    created(aEls.get(i), aDom.get(i), effA, path + "/" + e.getKey());
                    if (denial != null) {
                        return;
                    }
                } else {
                    keptOrderAfter.add(e.getKey());
                }
            }
            if (!keptOrderBefore.equals(keptOrderAfter) && !effB.writable()) {
                deny(path, null, "reorder the children of", effB);
                return;
            }
            if (!nonElements(b).equals(nonElements(a)) && !effB.writable()) {
                deny(path, null, "change the text or comments of", effB);
                return;
            }
            for (Key k : keptOrderBefore) {
                int i = beforeIdx.get(k);
                int j = afterIdx.get(k);
                if (!bEls.get(i).equals(aEls.get(j))) {
                    compare(bEls.get(i), bDom.get(i), effB, aEls.get(j), aDom.get(j), effA, path + "/" + k, false);
                    if (denial != null) {
                        return;
                    }
                }
            }
        }

        private void removed(XmlElement e, SimplePath.Node d, Eff inherited, String path) {
            Eff eff = old.effective(d, inherited);
            if (!eff.writable()) {
                deny(path, null, "remove", eff);
                return;
            }
            Map<Key, Integer> idx = keys(e);
            List<XmlElement> els = e.elements();
            List<SimplePath.Node> dom = Evaluation.children(d);
            for (Map.Entry<Key, Integer> c : idx.entrySet()) {
                removed(els.get(c.getValue()), dom.get(c.getValue()), eff, path + "/" + c.getKey());
                if (denial != null) {
                    return;
                }
            }
        }

        private void created(XmlElement e, SimplePath.Node d, Eff inherited, String path) {
            Eff eff = now.effective(d, inherited);
            boolean scaffolding = e.attributes().keySet().stream().allMatch("id"::equals)
                    && nonElements(e).isEmpty();
            if (!eff.writable() && !scaffolding) {
                deny(path, null, "create", eff);
                return;
            }
            Map<Key, Integer> idx = keys(e);
            List<XmlElement> els = e.elements();
            List<SimplePath.Node> dom = Evaluation.children(d);
            for (Map.Entry<Key, Integer> c : idx.entrySet()) {
                created(els.get(c.getValue()), dom.get(c.getValue()), eff, path + "/" + c.getKey());
                if (denial != null) {
                    return;
                }
            }
        }
    }

    /** A child's identity across two versions of its parent: name, id, occurrence (as CibDiff keys them). */
    record Key(String name, String id, int occurrence) {
        @Override
        public String toString() {
            return name + (id == null ? "" : "[@id=" + literal(id) + "]") + (occurrence > 0 ? "[" + (occurrence + 1)
                    + "]" : "");
        }
    }

    /** Child keys in document order, each with its index among the element children. */
    static Map<Key, Integer> keys(XmlElement e) {
        Map<Key, Integer> out = new LinkedHashMap<>();
        Map<List<String>, Integer> seen = new HashMap<>();
        List<XmlElement> els = e.elements();
        for (int i = 0; i < els.size(); i++) {
            XmlElement c = els.get(i);
            List<String> nameId = java.util.Arrays.asList(c.name(), c.id());
            int occurrence = seen.merge(nameId, 1, Integer::sum) - 1;
            out.put(new Key(c.name(), c.id(), occurrence), i);
        }
        return out;
    }

    private static List<XmlNode> nonElements(XmlElement e) {
        List<XmlNode> out = new ArrayList<>();
        for (XmlNode n : e.children()) {
            if (!(n instanceof XmlElement)) {
                out.add(n);
            }
        }
        return out;
    }
}
