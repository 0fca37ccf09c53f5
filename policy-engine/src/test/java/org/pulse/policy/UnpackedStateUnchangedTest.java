package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlParser;

/**
 * The stages after unpacking return what they decide instead of writing it into the resources
 * and nodes they read: over every CIB of the shared conformance cases, every field of every
 * {@link Rsc} and {@link SNode} (and of their per-node history) is the same right after
 * {@link PolicyEngine#unpack} and after the whole schedule, transition, summary and explanations
 * included.
 *
 * <p>One writer is left, and named here: RemoteNodes sets a remote node's online, unclean and
 * shutdown flags once its connection is placed (see SNode's javadoc). Those fields may differ,
 * on remote and guest nodes only; any other difference fails.
 */
class UnpackedStateUnchangedTest {
    /** The SNode fields RemoteNodes still sets after unpacking, on remote and guest nodes. */
    private static final Set<String> REMOTE_NODE_FATE = Set.of("online", "unclean", "uncleanReason", "shutdown");

    @Test
    void noStageAfterUnpackWritesResourcesOrNodes() throws IOException {
        List<Path> cibs = conformanceCibs();
        assertTrue(cibs.size() > 100, "expected the shared conformance cases, found " + cibs.size() + " CIBs");
        List<String> written = new ArrayList<>();
        int remoteFates = 0;
        for (Path file : cibs) {
            CibModel model;
            try {
                model = CibModel.from(XmlParser.parse(file.toString(), Files.readString(file)));
            } catch (Exception e) {
                continue;   // a case whose CIB the engine refuses is not one this test is about
            }
            Cluster c;
            try {
                c = PolicyEngine.unpack(model, Instant.EPOCH);
            } catch (RuntimeException e) {
                continue;
            }
            Map<String, String> before = snapshot(c);
            PolicyEngine.Stages s = PolicyEngine.afterUnpack(c);
            s.transition().explanations().all();   // explanations are made on request: make them all
            s.transition().canonical();
            Map<String, String> after = snapshot(c);
            assertEquals(before.keySet(), after.keySet(), file + ": the objects the cluster holds");
            for (Map.Entry<String, String> e : before.entrySet()) {
                String now = after.get(e.getKey());
                if (e.getValue().equals(now)) {
                    continue;
                }
                if (remoteFate(c, e.getKey())) {
                    remoteFates++;
                    continue;
                }
                written.add(file.getParent().getFileName() + ": " + e.getKey() + " was " + e.getValue() + ", now " + now);
            }
        }
        System.out.println("UnpackedStateUnchangedTest: " + cibs.size() + " CIBs, " + remoteFates
                + " remote node flags set after unpacking (RemoteNodes)");
        if (!written.isEmpty()) {
            fail(written.size() + " fields written after unpacking, e.g.\n" + String.join("\n",
                    written.subList(0, Math.min(20, written.size()))));
        }
    }

    /** Is this key one of the named RemoteNodes writes, on a remote or guest node? */
    private static boolean remoteFate(Cluster c, String key) {
        // keys look like "node NAME.field"
        if (!key.startsWith("node ")) {
            return false;
        }
        int dot = key.lastIndexOf('.');
        SNode n = c.node(key.substring("node ".length(), dot));
        return n != null && n.isRemote() && REMOTE_NODE_FATE.contains(key.substring(dot + 1));
    }

    /** Every field of every node and resource (and each resource's per-node history), rendered. */
    static Map<String, String> snapshot(Cluster c) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("cluster.nodes", render(c.nodes()));
        out.put("cluster.topLevel", render(c.topLevel()));
        out.put("cluster.byId", render(c.byId().keySet()));
        for (SNode n : c.nodes()) {
            fields(out, "node " + n.name, n);
        }
        for (Rsc r : c.byId().values()) {
            fields(out, "rsc " + r.id, r);
            for (Map.Entry<SNode, Rsc.NodeHistory> h : r.history.entrySet()) {
                fields(out, "rsc " + r.id + " history on " + h.getKey().name, h.getValue());
            }
        }
        return out;
    }

    private static void fields(Map<String, String> out, String owner, Object o) {
        for (Class<?> k = o.getClass(); k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    out.put(owner + "." + f.getName(), render(f.get(o)));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(owner + "." + f.getName() + " cannot be read", e);
                }
            }
        }
    }

    /**
     * A value as text: nodes and resources by name (their own fields are snapshot on their own),
     * collections and arrays element by element, anything else (records, enums, strings) by its
     * own toString.
     */
    private static String render(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof SNode n) {
            return "node " + n.name;
        }
        if (v instanceof Rsc r) {
            return "rsc " + r.id;
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(render(e.getKey())).append('=').append(render(e.getValue())).append(", ");
            }
            return b.append('}').toString();
        }
        if (v instanceof Collection<?> col) {
            StringBuilder b = new StringBuilder("[");
            for (Object e : col) {
                b.append(render(e)).append(", ");
            }
            return b.append(']').toString();
        }
        if (v instanceof Object[] arr) {
            return render(List.of(arr));
        }
        if (v.getClass().isArray()) {
            throw new AssertionError("a primitive array in a snapshot: render it here (" + v.getClass() + ")");
        }
        if (v instanceof Rsc.NodeHistory) {
            Map<String, String> h = new LinkedHashMap<>();
            fields(h, "", v);
            return h.toString();
        }
        return String.valueOf(v);
    }

    /**
     * Every case's CIB under the shared conformance directory (-Dpulse.shared, or a directory
     * named shared beside the repository or above it, as a worktree sees it).
     */
    private static List<Path> conformanceCibs() throws IOException {
        Path conformance = null;
        String prop = System.getProperty("pulse.shared");
        if (prop != null && Files.isDirectory(Path.of(prop, "conformance"))) {
            conformance = Path.of(prop, "conformance");
        }
        for (Path dir = Path.of("").toAbsolutePath(); conformance == null && dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/conformance"))) {
                conformance = dir.resolve("shared/conformance");
            }
        }
        if (conformance == null) {
            throw new AssertionError("the shared conformance cases were not found: set -Dpulse.shared=DIR (DIR/conformance)");
        }
        try (Stream<Path> files = Files.walk(conformance)) {
            return files.filter(p -> p.getFileName().toString().equals("cib.xml")).sorted().toList();
        }
    }
}
