package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.shell.CrmException;
import org.pulse.shell.parse.AclSyntax;
import org.pulse.shell.parse.IdAssigner;
import org.pulse.shell.parse.MNode;
import org.pulse.shell.parse.Parsed;
import org.pulse.shell.parse.Syntax;

/**
 * The CIB being edited by {@code configure}: an immutable {@code <cib>} tree and the edits
 * crmsh makes on it (add an object, delete, rename). Each edit returns a new Configuration
 * and adds the lines to print to {@code infos}; a refused edit throws and changes nothing.
 */
public final class Configuration {
    /** crmsh's object types by element name. */
    public static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("node", "node"), Map.entry("primitive", "primitive"), Map.entry("template", "rsc_template"),
            Map.entry("group", "group"), Map.entry("clone", "clone"), Map.entry("master", "ms"),
            Map.entry("bundle", "bundle"), Map.entry("rsc_location", "location"),
            Map.entry("rsc_colocation", "colocation"), Map.entry("rsc_order", "order"),
            Map.entry("rsc_ticket", "rsc_ticket"), Map.entry("cluster_property_set", "property"),
            Map.entry("tag", "tag"), Map.entry("fencing-topology", "fencing_topology"), Map.entry("alert", "alert"));
    public static final Set<String> RESOURCE_TAGS = Set.of("primitive", "template", "group", "clone", "master", "bundle");
    public static final Set<String> CONSTRAINT_TAGS = Set.of("rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket");

    private final XmlElement cib;

    public Configuration(XmlElement cib) {
        this.cib = cib;
    }

    public XmlElement cib() {
        return cib;
    }

    public XmlElement configuration() {
        return Tree.section(cib, "configuration");
    }

    private Configuration withConfiguration(XmlElement configuration) {
        return new Configuration(Tree.withSection(cib, "configuration", configuration));
    }

    private Configuration withSection(String name, XmlElement section) {
        return withConfiguration(Tree.withSection(configuration(), name, section));
    }

    /** An object of the configuration (what show lists and delete/rename name). */
    public record CibObject(String type, String id, XmlElement element) {
    }

    /** Every object in document order: nodes, resources (nested ones too), constraints, sets, tags. */
    public List<CibObject> objects() {
        List<CibObject> out = new ArrayList<>();
        XmlElement conf = configuration();
        for (XmlElement section : conf.elements()) {
            switch (section.name()) {
                case "crm_config" -> section.elements("cluster_property_set")
                        .forEach(s -> out.add(new CibObject("property", s.id(), s)));
                case "nodes" -> section.elements("node").forEach(n -> out.add(new CibObject("node", n.id(), n)));
                case "resources" -> collectResources(section, out);
                case "constraints" -> section.elements().stream().filter(e -> CONSTRAINT_TAGS.contains(e.name()))
                        .forEach(e -> out.add(new CibObject(TYPES.get(e.name()), e.id(), e)));
                case "rsc_defaults", "op_defaults" -> section.elements("meta_attributes")
                        .forEach(s -> out.add(new CibObject(section.name(), s.id(), s)));
                case "tags" -> section.elements("tag").forEach(t -> out.add(new CibObject("tag", t.id(), t)));
                case "alerts" -> section.elements("alert").forEach(a -> out.add(new CibObject("alert", a.id(), a)));
                case "fencing-topology" -> {
                    // an empty <fencing-topology/> (left by load replace or a CIB tool) is no object:
                    // showing a bare "fencing_topology" would not load back
                    if (!section.elements().isEmpty()) {
                        out.add(new CibObject("fencing_topology", "fencing_topology", section));
                    }
                }
                case "acls" -> section.elements().stream().filter(e -> AclSyntax.TYPES.containsKey(e.name()))
                        .forEach(e -> out.add(new CibObject(AclSyntax.TYPES.get(e.name()), e.id(), e)));
                default -> {
                    // anything else: kept and written back, not edited here
                }
            }
        }
        return out;
    }

    private static void collectResources(XmlElement parent, List<CibObject> out) {
        for (XmlElement e : parent.elements()) {
            if (RESOURCE_TAGS.contains(e.name())) {
                out.add(new CibObject(TYPES.get(e.name()), e.id(), e));
                collectResources(e, out);
            }
        }
    }

    public Optional<CibObject> find(String id) {
        // A remote node's nodes entry (its attributes) has the id of its connection resource: Pacemaker names both
        // after the node, and node ids are not XML IDs. Every command that names an object by id means the
        // resource (cleanup, locate, show, delete); the node level finds nodes by name itself.
        Optional<CibObject> notNode = objects().stream().filter(o -> id.equals(o.id()) && !o.element().name().equals("node"))
                .findFirst();
        return notNode.isPresent() ? notNode : objects().stream().filter(o -> id.equals(o.id())).findFirst();
    }

    /** Primitive, group, clone ... ids, in document order. */
    public List<String> resourceIds() {
        return objects().stream().filter(o -> RESOURCE_TAGS.contains(o.element().name())
                && !o.element().name().equals("template")).map(CibObject::id).toList();
    }

    public List<String> nodeNames() {
        return configuration().element("nodes").map(n -> n.elements("node").stream()
                .map(e -> e.attr("uname", e.id())).toList()).orElse(List.of());
    }

    /** The id of the group/clone holding {@code id}, or null at top level. */
    String parentOf(String id) {
        XmlElement resources = Tree.section(configuration(), "resources");
        return parentOf(resources, id, null);
    }

    private static String parentOf(XmlElement e, String id, String parent) {
        for (XmlElement c : e.elements()) {
            if (RESOURCE_TAGS.contains(c.name())) {
                if (id.equals(c.id())) {
                    return parent;
                }
                String p = parentOf(c, id, c.id());
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    // ---- add ----

    public Configuration add(Parsed parsed, List<String> infos) throws CrmException {
        MNode node = parsed.node();
        switch (node.name) {
            case "cluster_property_set" -> {
                return mergeSet("crm_config", null, node, "cib-bootstrap-options");
            }
            case "rsc_defaults" -> {
                return mergeSet("rsc_defaults", "rsc_defaults", node.children.get(0), "rsc-options");
            }
            case "op_defaults" -> {
                return mergeSet("op_defaults", "op_defaults", node.children.get(0), "op-options");
            }
            case "node" -> {
                return addNode(node);
            }
            default -> {
                // objects with their own id
            }
        }
        if (node.name.equals("fencing-topology")) {
            if (configuration().element("fencing-topology").filter(t -> !t.elements().isEmpty()).isPresent()) {
                throw new CrmException("a fencing_topology exists; change it with 'edit fencing_topology' or "
                        + "'delete fencing_topology' first");
            }
            XmlElement conf = configuration().withoutChildren(e -> e.name().equals("fencing-topology"));
            Set<String> used = Tree.ids(conf);
            new IdAssigner(used).assign(node);
            return withConfiguration(conf.withChildAppended(node.freeze()));
        }
        if (AclSyntax.TYPES.containsKey(node.name)) {
            return addAcl(node);
        }
        String id = node.get("id");
        Optional<CibObject> existing = find(id);
        if (existing.isPresent()) {
            throw new CrmException("cannot create " + TYPES.getOrDefault(node.name, node.name) + " with id '" + id
                    + "': " + existing.get().type() + " " + id + " already exists; choose another id, or change it "
                    + "with 'edit " + id + "'");
        }
        Set<String> used = Tree.ids(configuration());
        if (used.contains(id)) {
            throw new CrmException("cannot create " + TYPES.getOrDefault(node.name, node.name) + " with id '" + id
                    + "': the id is already used inside another object; choose another id");
        }
        if (RESOURCE_TAGS.contains(node.name)) {
            return addResource(parsed, used);
        }
        new IdAssigner(used).assign(node);
        if (CONSTRAINT_TAGS.contains(node.name)) {
            XmlElement constraints = Tree.section(configuration(), "constraints");
            return withSection("constraints", constraints.withChildAppended(node.freeze()));
        }
        if (node.name.equals("alert")) {
            XmlElement alerts = Tree.section(configuration(), "alerts");
            return withSection("alerts", alerts.withChildAppended(node.freeze()));
        }
        if (node.name.equals("tag")) {
            for (MNode ref : node.children) {
                if (find(ref.get("id")).isEmpty()) {
                    throw new CrmException("tag " + id + " refers to missing object " + ref.get("id")
                            + "; tag existing objects only");
                }
            }
            XmlElement tags = Tree.section(configuration(), "tags");
            return withSection("tags", tags.withChildAppended(node.freeze()));
        }
        throw new CrmException("cannot add a " + node.name + " here");
    }

    /**
     * A role, acl_target or acl_group into the acls section. Targets and groups name system users
     * and groups, so their ids only clash with their own kind (as the validator treats them).
     */
    private Configuration addAcl(MNode node) throws CrmException {
        String id = node.get("id");
        String type = AclSyntax.TYPES.get(node.name);
        XmlElement acls = Tree.section(configuration(), "acls");
        if (acls.elements(node.name).stream().anyMatch(e -> id.equals(e.id()))) {
            throw new CrmException("cannot create " + type + " with id '" + id + "': it already exists; change it"
                    + " with 'edit " + id + "' or delete it first");
        }
        AclSyntax.checkReferences(node, acls);
        if (node.name.equals("acl_role")) {
            Set<String> used = Tree.ids(configuration());
            if (used.contains(id) && find(id).filter(o -> !o.element().name().startsWith("acl_")).isPresent()) {
                throw new CrmException("cannot create role with id '" + id + "': the id is already used; choose"
                        + " another id");
            }
            for (MNode p : node.children) {
                String pid = p.get("id");
                for (int n = 1; used.contains(p.get("id")); n++) {
                    p.attrs.put("id", pid + "-" + n);
                }
                used.add(p.get("id"));
            }
        }
        return withSection("acls", acls.withChildAppended(node.freeze()));
    }

    private Configuration addResource(Parsed parsed, Set<String> used) throws CrmException {
        MNode node = parsed.node();
        String id = node.get("id");
        XmlElement resources = Tree.section(configuration(), "resources");
        List<XmlElement> children = new ArrayList<>();
        for (String childId : parsed.childIds()) {
            Optional<CibObject> child = find(childId);
            if (child.isEmpty()) {
                throw new CrmException(id + " refers to missing object " + childId
                        + "; create it first (primitive " + childId + " ...)");
            }
            String kind = child.get().element().name();
            String parent = parentOf(childId);
            if (node.name.equals("group") && !kind.equals("primitive")) {
                throw new CrmException("cannot create group " + id + ": " + childId + " is a " + child.get().type()
                        + "; a group holds primitives only");
            }
            if (!node.name.equals("group") && !(kind.equals("primitive") || kind.equals("group"))) {
                throw new CrmException("cannot create " + TYPES.get(node.name) + " " + id + ": " + childId + " is a "
                        + child.get().type() + "; a clone holds one primitive or group");
            }
            if (parent != null) {
                throw new CrmException("cannot create " + TYPES.get(node.name) + " " + id + ": " + kind + " "
                        + childId + " is already in " + find(parent).map(CibObject::type).orElse("") + " " + parent);
            }
            children.add(child.get().element());
        }
        if (node.name.equals("primitive") && node.get("template") != null) {
            Optional<CibObject> t = find(node.get("template"));
            if (t.isEmpty() || !t.get().element().name().equals("template")) {
                throw new CrmException("primitive " + id + " refers to template '" + node.get("template")
                        + "', which does not exist; create it with rsc_template first");
            }
        }
        new IdAssigner(used).assign(node);
        XmlElement built = node.freeze();
        if (!children.isEmpty()) {
            List<XmlNode> kids = new ArrayList<>(built.children());
            kids.addAll(children);
            built = built.withChildren(kids);
            Set<String> moved = new HashSet<>(parsed.childIds());
            resources = resources.withoutChildren(e -> moved.contains(e.id()) && RESOURCE_TAGS.contains(e.name()));
        }
        return withSection("resources", resources.withChildAppended(built));
    }

    private Configuration addNode(MNode node) throws CrmException {
        XmlElement nodes = Tree.section(configuration(), "nodes");
        String uname = node.get("uname");
        Optional<XmlElement> existing = nodes.elements("node").stream()
                .filter(n -> uname.equals(n.attr("uname")) || uname.equals(n.id())).findFirst();
        Set<String> used = Tree.ids(configuration());
        if (existing.isEmpty()) {
            if (node.get("id") != null && used.contains(node.get("id"))) {
                throw new CrmException("cannot create node " + uname + " with id '" + node.get("id")
                        + "': the id is in use; choose another");
            }
            // crmsh writes uname before id
            MNode ordered = MNode.of("node", "uname", uname);
            ordered.set("id", node.get("id"));
            node.attrs.forEach((k, v) -> ordered.attrs.putIfAbsent(k, v));
            ordered.children.addAll(node.children);
            new IdAssigner(used).assign(ordered);
            return withSection("nodes", nodes.withChildAppended(ordered.freeze()));
        }
        // An existing node: its attribute sets take the new values (crmsh merges them).
        XmlElement target = existing.get();
        for (MNode set : node.children) {
            target = mergeInto(target, set, used);
        }
        XmlElement old = existing.get();
        XmlElement updated = target;
        return withSection("nodes", nodes.withChildReplaced(e -> e == old, updated));
    }

    /** Merges name=value pairs of {@code set} into the first child of the same tag in {@code owner}, or appends the set. */
    private static XmlElement mergeInto(XmlElement owner, MNode set, Set<String> used) {
        Optional<XmlElement> have = owner.element(set.name);
        if (have.isEmpty()) {
            MNode copy = set;
            IdAssigner ids = new IdAssigner(used);
            copy.set("id", copy.get("id") == null ? ids.fresh(copy, owner.id()) : copy.get("id"));
            for (MNode nv : copy.children) {
                if (nv.get("id") == null) {
                    nv.set("id", ids.fresh(nv, copy.get("id")));
                }
            }
            return owner.withChildAppended(copy.freeze());
        }
        XmlElement target = mergePairs(have.get(), set, used);
        XmlElement old = have.get();
        return owner.withChildReplaced(e -> e == old, target);
    }

    private static XmlElement mergePairs(XmlElement target, MNode set, Set<String> used) {
        IdAssigner ids = new IdAssigner(used);
        for (MNode nv : set.children) {
            if (!nv.name.equals("nvpair")) {
                continue;
            }
            String name = nv.get("name");
            Optional<XmlElement> same = target.elements("nvpair").stream().filter(p -> name.equals(p.attr("name")))
                    .findFirst();
            if (same.isPresent()) {
                XmlElement old = same.get();
                target = target.withChildReplaced(e -> e == old, old.withAttribute("value", nv.get("value")));
            } else {
                if (nv.get("id") == null) {
                    nv.set("id", ids.fresh(nv, target.id()));
                }
                target = target.withChildAppended(nv.freeze());
            }
        }
        return target;
    }

    /** property / rsc_defaults / op_defaults: into the set with the given (or default) id, made when missing. */
    private Configuration mergeSet(String sectionName, String wrapper, MNode set, String defaultId) {
        if (set.get("id") == null) {
            set.set("id", defaultId);
        }
        String setId = set.get("id");
        XmlElement section = Tree.section(configuration(), sectionName);
        Set<String> used = Tree.ids(configuration());
        String setTag = wrapper == null ? "cluster_property_set" : "meta_attributes";
        Optional<XmlElement> have = section.elements(setTag).stream().filter(e -> setId.equals(e.id())).findFirst();
        if (have.isPresent()) {
            XmlElement old = have.get();
            XmlElement merged = mergePairs(old, set, used);
            return withSection(sectionName, section.withChildReplaced(e -> e == old, merged));
        }
        used.add(setId);
        new IdAssigner(used).assign(set);
        return withSection(sectionName, section.withChildAppended(set.freeze()));
    }

    // ---- delete ----

    public Configuration delete(List<String> ids, List<String> infos) throws CrmException {
        for (String id : ids) {
            if (find(id).isEmpty()) {
                throw new CrmException("object " + id + " does not exist; 'show' lists the objects");
            }
        }
        // As crmsh: a template takes the primitives made from it along (they could not run without it),
        // which go first, their constraints with them
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        for (String id : ids) {
            for (String user : templateUsers(id)) {
                if (!ids.contains(user) && all.add(user)) {
                    infos.add("INFO: hanging primitive:" + user + " deleted");
                }
            }
        }
        all.addAll(ids);
        Configuration c = this;
        // an id named twice, or one that went with an earlier one (an emptied group), is already gone
        for (String id : all) {
            if (c.find(id).isPresent()) {
                c = c.deleteOne(id, infos);
            }
        }
        return c;
    }

    /** The primitives made from template {@code id} ({@code primitive X @id}); none when it is no template. */
    public List<String> templateUsers(String id) {
        boolean template = find(id).map(o -> o.element().name().equals("template")).orElse(false);
        if (!template) {
            return List.of();
        }
        return Tree.descendants(Tree.section(configuration(), "resources"), "primitive").stream()
                .filter(p -> id.equals(p.attr("template"))).map(XmlElement::id).toList();
    }

    /** Removes an object to put a new version in its place: references to it stay. */
    public Configuration removeForReplace(String id) {
        return find(id).isEmpty() ? this : deleteOne(id, new ArrayList<>(), false);
    }

    private Configuration deleteOne(String id, List<String> infos) {
        return deleteOne(id, infos, true);
    }

    private Configuration deleteOne(String id, List<String> infos, boolean dropReferences) {
        if (id.equals("fencing_topology")) {
            return withConfiguration(configuration().withoutChildren(e -> e.name().equals("fencing-topology")));
        }
        CibObject obj = find(id).orElseThrow();
        XmlElement gone = obj.element();
        XmlElement conf = configuration();
        boolean resource = RESOURCE_TAGS.contains(gone.name());
        // A deleted group or clone leaves its children at top level, as crmsh does.
        conf = Tree.transform(conf, e -> {
            if (e.name().equals("resources") && resource && (gone.name().equals("group")
                    || gone.name().equals("clone") || gone.name().equals("master"))) {
                List<XmlNode> kids = new ArrayList<>();
                for (XmlNode n : e.children()) {
                    if (n instanceof XmlElement x && id.equals(x.id()) && x.name().equals(gone.name())) {
                        x.elements().stream().filter(k -> RESOURCE_TAGS.contains(k.name())).forEach(kids::add);
                    } else {
                        kids.add(n);
                    }
                }
                return e.withChildren(kids);
            }
            return e;
        });
        XmlElement finalConf = conf;
        conf = Tree.transform(finalConf, e -> {
            if (id.equals(e.id()) && e.name().equals(gone.name())) {
                return null;
            }
            return e;
        });
        if (dropReferences && (resource || gone.name().equals("node"))) {
            conf = dropReferences(conf, id, infos);
        }
        return withConfiguration(conf);
    }

    public Configuration dropReferencesTo(String id, List<String> infos) {
        return withConfiguration(dropReferences(configuration(), id, infos));
    }

    /** Constraints and tags that named a deleted resource: emptied ones go, others are updated (crmsh prints both). */
    private static XmlElement dropReferences(XmlElement conf, String id, List<String> infos) {
        return Tree.transform(conf, e -> {
            if ((e.name().equals("group") || e.name().equals("clone") || e.name().equals("master"))
                    && e.elements().stream().noneMatch(k -> RESOURCE_TAGS.contains(k.name()))) {
                infos.add("INFO: " + TYPES.get(e.name()) + " " + e.id() + " is empty and was deleted");
                return null;
            }
            if (CONSTRAINT_TAGS.contains(e.name())) {
                for (String a : List.of("rsc", "with-rsc", "first", "then")) {
                    if (id.equals(e.attr(a))) {
                        infos.add("INFO: hanging " + TYPES.get(e.name()) + ":" + e.id() + " deleted");
                        return null;
                    }
                }
                List<XmlElement> sets = e.elements("resource_set");
                if (!sets.isEmpty() && Tree.descendants(e, "resource_ref").stream().anyMatch(r -> id.equals(r.id()))) {
                    XmlElement pruned = e.withoutChildren(s -> s.name().equals("resource_set")
                            && s.elements("resource_ref").stream().allMatch(r -> id.equals(r.id())));
                    List<XmlNode> kids = new ArrayList<>();
                    for (XmlNode n : pruned.children()) {
                        if (n instanceof XmlElement s && s.name().equals("resource_set")) {
                            kids.add(s.withoutChildren(r -> r.name().equals("resource_ref") && id.equals(r.id())));
                        } else {
                            kids.add(n);
                        }
                    }
                    pruned = pruned.withChildren(kids);
                    int refs = Tree.descendants(pruned, "resource_ref").size();
                    if (refs == 0 || (!e.name().equals("rsc_location") && refs < 2)) {
                        infos.add("INFO: hanging " + TYPES.get(e.name()) + ":" + e.id() + " deleted");
                        return null;
                    }
                    infos.add("INFO: constraint " + TYPES.get(e.name()) + ":" + e.id() + " updated");
                    return pruned;
                }
            }
            if (e.name().equals("tag") && e.elements("obj_ref").stream().anyMatch(r -> id.equals(r.id()))) {
                XmlElement pruned = e.withoutChildren(r -> r.name().equals("obj_ref") && id.equals(r.id()));
                if (pruned.elements("obj_ref").isEmpty()) {
                    infos.add("INFO: hanging tag:" + e.id() + " deleted");
                    return null;
                }
                return pruned;
            }
            return e;
        });
    }

    // ---- rename ----

    public Configuration rename(String oldId, String newId, List<String> infos) throws CrmException {
        CibObject obj = find(oldId).orElseThrow(() -> new CrmException("object " + oldId
                + " does not exist; 'show' lists the objects"));
        if (!Syntax.isValidId(newId)) {
            throw new CrmException("'" + newId + "' is not a valid id; an id starts with a letter or '_' and has "
                    + "only letters, digits, '_', '.' and '-'");
        }
        if (Tree.ids(configuration()).contains(newId)) {
            throw new CrmException("cannot rename " + oldId + " to " + newId + ": the id " + newId
                    + " is already in use");
        }
        String tag = obj.element().name();
        XmlElement conf = Tree.transform(configuration(), e -> {
            if (oldId.equals(e.id()) && e.name().equals(tag)) {
                return e.withAttribute("id", newId);
            }
            if (CONSTRAINT_TAGS.contains(e.name())) {
                XmlElement r = e;
                for (String a : List.of("rsc", "with-rsc", "first", "then")) {
                    if (oldId.equals(r.attr(a))) {
                        r = r.withAttribute(a, newId);
                    }
                }
                if (r != e) {
                    infos.add("INFO: modified " + TYPES.get(e.name()) + ":" + e.id() + " from " + oldId + " to " + newId);
                }
                return r;
            }
            if ((e.name().equals("resource_ref") || e.name().equals("obj_ref")) && oldId.equals(e.id())) {
                return e.withAttribute("id", newId);
            }
            if (e.name().equals("primitive") && oldId.equals(e.attr("template"))) {
                return e.withAttribute("template", newId);
            }
            if (e.name().equals("fencing-level") && e.attr("devices") != null) {
                // a renamed fence device keeps its place in the topology (else the commit fails on a
                // level naming a device that no longer exists)
                List<String> devices = new ArrayList<>(List.of(e.attr("devices").split(",", -1)));
                if (devices.contains(oldId)) {
                    devices.replaceAll(d -> d.equals(oldId) ? newId : d);
                    infos.add("INFO: modified fencing_topology level " + e.id() + " from " + oldId + " to " + newId);
                    return e.withAttribute("devices", String.join(",", devices));
                }
            }
            return e;
        });
        return withConfiguration(conf);
    }

    /** configure modgroup GROUP add|remove RSC [before|after REF] (crmsh): see {@link GroupMembers}. */
    public Configuration modgroup(String group, String action, String rsc, String where, String ref) throws CrmException {
        return withConfiguration(GroupMembers.modify(this, group, action, rsc, where, ref));
    }

    /** configure set ID.[OP.][INTERVAL.]NAME VALUE (crmsh 4.x): see {@link AttributePath}. */
    public Configuration setAttribute(String path, String value) throws CrmException {
        return withConfiguration(AttributePath.set(this, path, value));
    }

    // ---- load update ----

    /**
     * {@code load update} of an object already built: it takes the place of the object with its id
     * (a primitive inside a group stays inside it), or is appended to its section when new. The
     * resources it holds are taken out of wherever else they were, as adding a group does; a group
     * or clone left empty by that goes, with an INFO line.
     */
    public Configuration upsert(String sectionName, XmlElement obj, List<String> infos) {
        XmlElement conf = configuration();
        String id = obj.id();
        if (sectionName.equals("resources")) {
            Set<String> nested = new HashSet<>();
            collectNestedResourceIds(obj, nested);
            XmlElement resources = Tree.section(conf, "resources");
            if (!nested.isEmpty()) {
                resources = Tree.transform(resources, e -> {
                    if (RESOURCE_TAGS.contains(e.name()) && nested.contains(e.id())) {
                        return null;
                    }
                    if ((e.name().equals("group") || e.name().equals("clone") || e.name().equals("master"))
                            && !id.equals(e.id()) && e.elements().stream().noneMatch(k -> RESOURCE_TAGS.contains(k.name()))) {
                        infos.add("INFO: " + TYPES.get(e.name()) + " " + e.id() + " is empty and was deleted");
                        return null;
                    }
                    return e;
                });
            }
            boolean[] placed = {false};
            resources = Tree.transform(resources, e -> {
                if (!placed[0] && RESOURCE_TAGS.contains(e.name()) && id.equals(e.id())) {
                    placed[0] = true;
                    return obj;
                }
                return e;
            });
            if (!placed[0]) {
                resources = resources.withChildAppended(obj);
            }
            return withSection("resources", resources);
        }
        XmlElement section = Tree.section(conf, sectionName);
        boolean present = id != null && section.elements().stream()
                .anyMatch(e -> e.name().equals(obj.name()) && id.equals(e.id()));
        XmlElement updated = present
                ? section.withChildReplaced(e -> e.name().equals(obj.name()) && id.equals(e.id()), obj)
                : section.withChildAppended(obj);
        return withSection(sectionName, updated);
    }

    private static void collectNestedResourceIds(XmlElement obj, Set<String> out) {
        for (XmlElement c : obj.elements()) {
            if (RESOURCE_TAGS.contains(c.name())) {
                if (c.id() != null) {
                    out.add(c.id());
                }
                collectNestedResourceIds(c, out);
            }
        }
    }

    /**
     * {@code load update} of CIB XML: the file's objects are matched by id with the configuration's.
     * A matched object is updated in place, a new one is added at the end of its section, and
     * nothing the file does not name is dropped. Resources, constraints, tags, alerts, fencing
     * levels and ACL entries are taken whole from the file (as crm syntax's load update does);
     * property, rsc_defaults and op_defaults sets and nodes are merged name by name, so a file that
     * sets one property leaves the others alone. {@code infos} gets a line per group or clone left
     * empty (and so deleted) because the file moved its resources into another one.
     */
    public Configuration mergeXml(XmlElement fileConfiguration, List<String> infos) {
        Configuration next = this;
        for (XmlElement section : fileConfiguration.elements()) {
            switch (section.name()) {
                case "crm_config", "rsc_defaults", "op_defaults" -> {
                    for (XmlElement set : section.elements()) {
                        next = next.mergeSetElement(section.name(), set);
                    }
                }
                case "nodes" -> {
                    for (XmlElement node : section.elements()) {
                        next = next.mergeNodeElement(node);
                    }
                }
                case "resources" -> {
                    for (XmlElement r : section.elements()) {
                        next = next.upsert("resources", r, infos);
                    }
                }
                default -> {
                    if (next.configuration().element(section.name()).isEmpty()) {
                        next = next.withSection(section.name(), section);
                    } else {
                        for (XmlElement o : section.elements()) {
                            next = next.upsert(section.name(), o, infos);
                        }
                    }
                }
            }
        }
        return next;
    }

    /** A property/defaults set from XML: the set with its id takes the file's pairs by name; a new set is added. */
    private Configuration mergeSetElement(String sectionName, XmlElement set) {
        XmlElement section = Tree.section(configuration(), sectionName);
        Optional<XmlElement> have = section.elements(set.name()).stream()
                .filter(e -> set.id() != null && set.id().equals(e.id())).findFirst();
        if (have.isEmpty()) {
            return withSection(sectionName, section.withChildAppended(set));
        }
        XmlElement old = have.get();
        return withSection(sectionName, section.withChildReplaced(e -> e == old, mergeSetPairs(old, set)));
    }

    /** nvpairs by name (the old pair keeps its id), other children (rules) by id; attributes overlaid. */
    private static XmlElement mergeSetPairs(XmlElement old, XmlElement set) {
        Map<String, String> attrs = new java.util.LinkedHashMap<>(old.attributes());
        attrs.putAll(set.attributes());
        XmlElement merged = old.withAttributes(attrs);
        for (XmlElement c : set.elements()) {
            if (c.name().equals("nvpair") && c.attr("name") != null) {
                Optional<XmlElement> same = merged.elements("nvpair").stream()
                        .filter(p -> c.attr("name").equals(p.attr("name"))).findFirst();
                if (same.isPresent()) {
                    XmlElement was = same.get();
                    XmlElement now = c.attr("value") == null ? was.withoutAttribute("value")
                            : was.withAttribute("value", c.attr("value"));
                    merged = merged.withChildReplaced(e -> e == was, now);
                    continue;
                }
            }
            if (c.id() != null && merged.elements().stream().anyMatch(e -> c.id().equals(e.id()))) {
                merged = merged.withChildReplaced(e -> c.id().equals(e.id()), c);
            } else {
                merged = merged.withChildAppended(c);
            }
        }
        return merged;
    }

    /** A node from XML, matched by id or uname: its attributes overlaid and its sets merged pair by pair. */
    private Configuration mergeNodeElement(XmlElement node) {
        XmlElement nodes = Tree.section(configuration(), "nodes");
        Optional<XmlElement> have = nodes.elements("node").stream()
                .filter(n -> (node.id() != null && node.id().equals(n.id()))
                        || (node.attr("uname") != null && node.attr("uname").equals(n.attr("uname"))))
                .findFirst();
        if (have.isEmpty()) {
            return withSection("nodes", nodes.withChildAppended(node));
        }
        XmlElement old = have.get();
        Map<String, String> attrs = new java.util.LinkedHashMap<>(old.attributes());
        node.attributes().forEach((k, v) -> {
            if (!k.equals("id")) {
                attrs.put(k, v);
            }
        });
        XmlElement merged = old.withAttributes(attrs);
        for (XmlElement set : node.elements()) {
            Optional<XmlElement> same = merged.elements(set.name()).stream()
                    .filter(e -> set.id() == null || set.id().equals(e.id())).findFirst();
            if (same.isPresent()) {
                XmlElement was = same.get();
                merged = merged.withChildReplaced(e -> e == was, mergeSetPairs(was, set));
            } else {
                merged = merged.withChildAppended(set);
            }
        }
        XmlElement result = merged;
        return withSection("nodes", nodes.withChildReplaced(e -> e == old, result));
    }

    /** Replaces the whole configuration section (edit, load replace). */
    public Configuration withConfigurationElement(XmlElement configuration) {
        return withConfiguration(configuration);
    }
}
