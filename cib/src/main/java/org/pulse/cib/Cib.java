package org.pulse.cib;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.cib.xml.XmlWriter;

/**
 * An immutable CIB document: the {@code <cib>} element with everything in it, including what
 * Pulse does not understand (kept in place and in order). Every "with" method returns a new
 * Cib that shares the unchanged sub-trees with this one, so keeping the previous image for a
 * diff costs little.
 *
 * <p>The version is read from the root's {@code admin_epoch}, {@code epoch} and
 * {@code num_updates} (a missing one counts as 0). {@link #source()} names where the document
 * came from, for error messages only; it takes no part in equality.
 */
public final class Cib {
    public static final String ADMIN_EPOCH = "admin_epoch";
    public static final String EPOCH = "epoch";
    public static final String NUM_UPDATES = "num_updates";
    /** The schema a new CIB declares; the newest Pacemaker 2.1/3.x schema of the generator's CIBs. */
    public static final String DEFAULT_VALIDATE_WITH = "pacemaker-3.9";

    private final XmlElement root;
    private final CibVersion version;
    private final String source;
    // Read on first use and kept: the tree is immutable, so both follow from it (benign race: two
    // threads may each build one, equal, and either is kept).
    private volatile org.pulse.cib.model.CibModel model;
    private volatile org.pulse.cib.model.StatusView statusView;

    private Cib(XmlElement root, CibVersion version, String source) {
        this.root = root;
        this.version = version;
        this.source = source;
    }

    /**
     * Wraps a tree whose root is {@code <cib>}.
     *
     * @throws IllegalArgumentException when the root is not {@code cib} or a version attribute is
     *     not a whole number (use {@link #parse} for text from outside, which reports these as
     *     a {@link CibException} with the place)
     */
    public static Cib of(XmlElement root) {
        try {
            return of("<memory>", root);
        } catch (CibException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static Cib of(String source, XmlElement root) throws CibException {
        Objects.requireNonNull(root, "root");
        if (!root.name().equals("cib")) {
            throw new CibException("not a CIB", List.of(CibProblem.error(source, root.sourceLine(), root.id(),
                    "the root element is <" + root.name() + ">, a CIB's root is <cib>",
                    "give the file a <cib> root with <configuration> and <status> inside")));
        }
        return new Cib(root, readVersion(source, root), source);
    }

    /** An empty CIB (version 0.0.0) with the four sections Pacemaker creates. */
    public static Cib empty() {
        XmlElement configuration = new XmlElement("configuration", Map.of(), List.of(
                XmlElement.of("crm_config"), XmlElement.of("nodes"), XmlElement.of("resources"),
                XmlElement.of("constraints")));
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("validate-with", DEFAULT_VALIDATE_WITH);
        attrs.put(ADMIN_EPOCH, "0");
        attrs.put(EPOCH, "0");
        attrs.put(NUM_UPDATES, "0");
        return of(new XmlElement("cib", attrs, List.of(configuration, XmlElement.of("status"))));
    }

    /**
     * Reads a CIB from XML text. {@code source} names it in errors (a file path, "stdin", a node).
     * Only well-formedness, the root and the version are checked here; {@link CibValidator}
     * checks the content.
     */
    public static Cib parse(String source, String xml) throws CibException {
        XmlElement root;
        try {
            root = XmlParser.parse(source, xml);
        } catch (XmlParseException e) {
            throw new CibException("cannot read " + source, List.of(new CibProblem(CibProblem.Severity.ERROR,
                    source, e.line(), e.column(), null, problemOf(e),
                    problemOf(e).contains("; ") ? "" : "fix the XML at line " + e.line() + ", column " + e.column())));
        }
        return of(source, root);
    }

    /**
     * Reads a CIB file (UTF-8). A missing or unreadable file is a {@link CibException} that names
     * it, like a malformed one. Checks only what {@link #parse} checks.
     */
    public static Cib read(Path file) throws CibException {
        String xml;
        try {
            xml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CibException("cannot read " + file + ": no such file; give the path of a CIB (cib.xml)");
        } catch (MalformedInputException e) {
            throw new CibException("cannot read " + file + ": it is not UTF-8 text; a CIB is an XML file in UTF-8");
        } catch (IOException e) {
            throw new CibException("cannot read " + file + ": " + e.getMessage() + "; check the path and its permissions", e);
        }
        return parse(file.toString(), xml);
    }

    private static String problemOf(XmlParseException e) {
        String msg = e.getMessage();
        String prefix = e.source() + ":" + e.line() + ":" + e.column() + ": ";
        return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
    }

    private static CibVersion readVersion(String source, XmlElement root) throws CibException {
        long[] parts = new long[3];
        String[] names = {ADMIN_EPOCH, EPOCH, NUM_UPDATES};
        for (int i = 0; i < 3; i++) {
            String v = root.attr(names[i]);
            if (v == null) {
                continue;
            }
            try {
                parts[i] = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                parts[i] = -1;
            }
            if (parts[i] < 0) {
                throw new CibException("bad CIB version", List.of(CibProblem.error(source, root.sourceLine(), null,
                        names[i] + "=\"" + v + "\" on <cib> is not a whole number >= 0",
                        "set it to a number such as " + names[i] + "=\"1\"")));
            }
        }
        return new CibVersion(parts[0], parts[1], parts[2]);
    }

    public XmlElement root() {
        return root;
    }

    public CibVersion version() {
        return version;
    }

    /** Where this CIB was read from, for messages ("&lt;memory&gt;" when built in memory). */
    public String source() {
        return source;
    }

    /** The same document named after another source (e.g. after it was stored in a file). */
    public Cib withSource(String newSource) {
        return new Cib(root, version, newSource);
    }

    public String validateWith() {
        return root.attr("validate-with");
    }

    /** The {@code <configuration>} element; an empty one when the document has none. */
    public XmlElement configuration() {
        return root.element("configuration").orElseGet(() -> XmlElement.of("configuration"));
    }

    /** The {@code <status>} element; an empty one when the document has none. */
    public XmlElement status() {
        return root.element("status").orElseGet(() -> XmlElement.of("status"));
    }

    /** A section of the configuration by name ("resources", "constraints", "crm_config", ...). */
    public Optional<XmlElement> configurationSection(String name) {
        return root.element("configuration").flatMap(c -> c.element(name));
    }

    /** The first element of the configuration with this id (ids are unique there in a valid CIB). */
    public Optional<XmlElement> findById(String id) {
        return Optional.ofNullable(find(configuration(), id));
    }

    private static XmlElement find(XmlElement e, String id) {
        if (id.equals(e.id())) {
            return e;
        }
        for (XmlNode n : e.children()) {
            if (n instanceof XmlElement c) {
                XmlElement hit = find(c, id);
                if (hit != null) {
                    return hit;
                }
            }
        }
        return null;
    }

    /** Same version, new configuration (sections in place; version left alone: see {@link #next}). */
    public Cib withConfiguration(XmlElement configuration) {
        requireName(configuration, "configuration");
        return withRootChild(configuration);
    }

    /** Same version, new status. */
    public Cib withStatus(XmlElement status) {
        requireName(status, "status");
        return withRootChild(status);
    }

    /** Replaces (or appends) one configuration section, matched by element name. */
    public Cib withConfigurationSection(XmlElement section) {
        XmlElement config = configuration().withChildReplaced(e -> e.name().equals(section.name()), section);
        return withRootChild(config);
    }

    /** Replaces (or appends) the status {@code node_state} with the same id. */
    public Cib withNodeState(XmlElement nodeState) {
        requireName(nodeState, "node_state");
        String id = Objects.requireNonNull(nodeState.id(), "node_state needs an id");
        return withRootChild(status().withChildReplaced(
                e -> e.name().equals("node_state") && id.equals(e.id()), nodeState));
    }

    /**
     * Replaces the configuration element with this id; every element off the path from the
     * root to it is shared with this CIB.
     *
     * @throws IllegalArgumentException when no configuration element has this id
     */
    public Cib withElementReplaced(String id, XmlElement replacement) {
        XmlElement config = configuration();
        XmlElement changed = replace(config, id, replacement);
        if (changed == config) {
            throw new IllegalArgumentException("no element with id '" + id + "' in the configuration of " + source);
        }
        return withRootChild(changed);
    }

    /**
     * Removes the configuration element with this id.
     *
     * @throws IllegalArgumentException when no configuration element has this id
     */
    public Cib withElementRemoved(String id) {
        return withElementReplaced(id, null);
    }

    /** Returns {@code e} itself when {@code id} is not inside it, so callers can tell by identity. */
    private static XmlElement replace(XmlElement e, String id, XmlElement replacement) {
        List<XmlNode> children = e.children();
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i) instanceof XmlElement c) {
                XmlElement updated;
                if (id.equals(c.id())) {
                    updated = replacement;
                } else {
                    updated = replace(c, id, replacement);
                    if (updated == c) {
                        continue;
                    }
                }
                List<XmlNode> copy = new ArrayList<>(children);
                if (updated == null) {
                    copy.remove(i);
                } else {
                    copy.set(i, updated);
                }
                return e.withChildren(copy);
            }
        }
        return e;
    }

    private Cib withRootChild(XmlElement child) {
        XmlElement newRoot = root.withChildReplaced(e -> e.name().equals(child.name()), child);
        return new Cib(newRoot, version, source);
    }

    private static void requireName(XmlElement e, String name) {
        if (!e.name().equals(name)) {
            throw new IllegalArgumentException("expected <" + name + ">, got <" + e.name() + ">");
        }
    }

    /** This document with another version, written into the root's attributes. */
    public Cib withVersion(CibVersion v) {
        XmlElement r = root.withAttribute(ADMIN_EPOCH, Long.toString(v.adminEpoch()))
                .withAttribute(EPOCH, Long.toString(v.epoch()))
                .withAttribute(NUM_UPDATES, Long.toString(v.numUpdates()));
        return new Cib(r, v, source);
    }

    /**
     * The successor of this CIB after a change, with the version bumped as Pacemaker does: a
     * different configuration (or a different root attribute such as validate-with) bumps epoch
     * and zeroes num_updates; a change elsewhere (status, or the root's have-quorum, dc-uuid,
     * cib-last-written, update-*, execution-date, crm_feature_set: the DC's bookkeeping, so a
     * partition without quorum that re-elects cannot raise its epoch above the quorate side's and
     * win the merge) bumps num_updates; no change keeps this CIB. The version attributes in {@code changed} are
     * ignored: the version always follows from this one, so it can only grow.
     */
    public Cib next(Cib changed) {
        return next(changed.root);
    }

    /** As {@link #next(Cib)}, for a new root tree. */
    public Cib next(XmlElement changedRoot) {
        Cib candidate = of(changedRoot).withSource(source);
        boolean configurationChanged = !candidate.configuration().equals(configuration())
                || !without(candidate.root.attributes(), STATUS_ROOT_ATTRIBUTES)
                        .equals(without(root.attributes(), STATUS_ROOT_ATTRIBUTES));
        if (configurationChanged) {
            return candidate.withVersion(version.nextConfiguration());
        }
        if (!candidate.root.children().equals(root.children())
                || !without(candidate.root.attributes(), VERSION_ATTRIBUTES).equals(without(root.attributes(), VERSION_ATTRIBUTES))) {
            return candidate.withVersion(version.nextStatus());
        }
        return this;
    }

    /**
     * Root attributes that record the cluster's state or the last writer rather than the
     * configuration; as in Pacemaker, changing them bumps num_updates, not epoch.
     */
    private static final java.util.Set<String> STATUS_ROOT_ATTRIBUTES = java.util.Set.of(
            ADMIN_EPOCH, EPOCH, NUM_UPDATES, "have-quorum", "dc-uuid", "cib-last-written", "update-origin",
            "update-client", "update-user", "execution-date", "crm_feature_set");

    private static final java.util.Set<String> VERSION_ATTRIBUTES = java.util.Set.of(ADMIN_EPOCH, EPOCH, NUM_UPDATES);

    private static Map<String, String> without(Map<String, String> attrs, java.util.Set<String> names) {
        Map<String, String> m = new LinkedHashMap<>(attrs);
        m.keySet().removeAll(names);
        return m;
    }

    /** The typed reading of this CIB (configuration and status), built once. */
    public org.pulse.cib.model.CibModel model() {
        org.pulse.cib.model.CibModel m = model;
        if (m == null) {
            m = org.pulse.cib.model.CibModel.from(root);
            model = m;
        }
        return m;
    }

    /** The typed status section alone (cheaper than {@link #model()} when only the status is wanted), built once. */
    public org.pulse.cib.model.StatusView statusView() {
        org.pulse.cib.model.StatusView v = statusView;
        if (v == null) {
            v = org.pulse.cib.model.StatusView.of(root);
            statusView = v;
        }
        return v;
    }

    /** The document as written to cib.xml: XML declaration, two-space indentation. */
    public String toXml() {
        return XmlWriter.toDocument(root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cib other && root.equals(other.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "Cib[" + source + " " + version + "]";
    }
}
