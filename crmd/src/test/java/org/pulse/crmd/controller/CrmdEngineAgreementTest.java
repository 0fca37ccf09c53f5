package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.model.BundleConfig;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.Action;
import org.pulse.policy.Placement;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.ResolvedPrimitive;
import org.pulse.policy.Transition;

/**
 * crmd and the policy engine read every resource alike (issue 19). For every CIB of Pacemaker's
 * scheduler cases in ../shared/conformance (all tiers, more/ included: templates, id-refs, rules,
 * bundles, guests), rules evaluated at one instant (the CIB's execution-date, else a fixed one):
 * <ul>
 * <li>each primitive as crmd reads it ({@link Cibs#primitives}, {@link Cibs#opTimeoutMs}: what the DC
 * and the fencer use) equals the engine's reading ({@link PolicyEngine#resolvedPrimitives}: agent,
 * instance parameters, meta attributes, and the operations with name, interval, role, timeout, on-fail);
 * <li>for each resource action of the engine's transition, what the DC sends to the LRM
 * ({@link PolicyEngineScheduler#plan}) runs the engine's agent with the engine's parameters, which are
 * the resource's resolved parameters plus the operation's own, and its timeout is the operation's.
 * </ul>
 * Bound: one parse, one resource reading each and one schedule per CIB (about 450).
 */
class CrmdEngineAgreementTest {
    private static final Instant FIXED_NOW = Instant.ofEpochSecond(1_700_000_000L);
    /** The markers the engine puts on a bundle's resources for its own stages. */
    private static final String BUNDLE_MARKERS = "pulse-bundle";

    @Test
    void crmdAndTheEngineReadEveryResourceAlike() throws Exception {
        List<Path> cibs = conformanceCibs();
        int primitives = 0;
        int actions = 0;
        int orphanActions = 0;
        List<String> disagreements = new ArrayList<>();
        for (Path file : cibs) {
            String name = file.getParent().getFileName().toString();
            XmlElement root = XmlParser.parse(file.toString(), Files.readString(file));
            Cib cib = Cib.of(root);
            CibModel model = cib.model();
            Instant at = model.executionDate() != null ? model.executionDate() : FIXED_NOW;
            Map<String, ResolvedPrimitive> engine = PolicyEngine.resolvedPrimitives(model, at);
            Map<String, Primitive> crmd = Cibs.primitives(cib, at);
            Map<String, EffectivePrimitive> crmdOps = EffectivePrimitive.all(model, at);
            for (ResolvedPrimitive e : engine.values()) {
                if (e.implicit()) {
                    continue;   // not configured: crmd meets it only in the engine's actions (below)
                }
                primitives++;
                Primitive p = crmd.get(e.id());
                if (p == null) {
                    disagreements.add(name + ": crmd does not see primitive " + e.id() + " (" + e.agent() + ")");
                    continue;
                }
                differ(disagreements, name + ": " + e.id() + " agent", p.agent().toString(), e.agent());
                differ(disagreements, name + ": " + e.id() + " parameters", new TreeMap<>(p.params()),
                        new TreeMap<>(e.params()));
                differ(disagreements, name + ": " + e.id() + " meta", new TreeMap<>(p.meta()),
                        withoutEngineMeta(e, p, crmdOps.get(e.id()).parents(), model));
                differ(disagreements, name + ": " + e.id() + " operations",
                        crmdOperations(cib, at, crmdOps.get(e.id())), engineOperations(e));
            }
            for (String id : crmd.keySet()) {
                if (!engine.containsKey(id)) {
                    disagreements.add(name + ": the engine does not see primitive " + id + " that crmd reads");
                }
            }

            Transition t = PolicyEngine.schedule(root, at);
            TransitionPlan plan = PolicyEngineScheduler.plan(cib, t, at);
            java.util.Set<String> orphans = new java.util.HashSet<>();
            t.placementBefore().stream().filter(Placement::orphaned).forEach(o -> orphans.add(o.resource()));
            for (int i = 0; i < t.actions().size(); i++) {
                Action a = t.actions().get(i);
                PlannedAction sent = plan.actions().get(i);
                if (a.pseudo() || !"rsc_op".equals(a.kind()) || a.resource() == null || a.node() == null) {
                    continue;
                }
                String where = name + ": " + a.operation() + " " + a.resource() + " on " + a.node() + " interval="
                        + a.intervalMs();
                differ(disagreements, where + ": parameters sent", new TreeMap<>(sent.params()), new TreeMap<>(a.params()));
                differ(disagreements, where + ": timeout sent", sent.timeoutMs(),
                        Long.parseLong(a.params().get("CRM_meta_timeout")));
                ResolvedPrimitive e = engine.get(baseId(a.resource()));
                if (e == null || orphans.contains(a.resource())) {
                    orphanActions++;   // an orphan: only its history names it (crmd takes the agent from there too)
                    continue;
                }
                actions++;
                differ(disagreements, where + ": agent sent", sent.agent().toString(), e.agent());
                String opName = "cancel".equals(a.operation()) ? "monitor" : a.operation();
                ResolvedPrimitive.Operation op = operation(e, opName, a.intervalMs());
                Map<String, String> expected = new TreeMap<>(e.params());
                if (op != null) {
                    expected.putAll(op.params());
                }
                Map<String, String> agentParams = new TreeMap<>(a.params());
                agentParams.keySet().removeIf(k -> k.startsWith("CRM_meta_"));
                differ(disagreements, where + ": agent parameters", agentParams, expected);
                if (op != null && !"cancel".equals(a.operation())) {
                    differ(disagreements, where + ": the op's timeout", sent.timeoutMs(), op.timeoutMs());
                }
                if (!e.implicit() && !"cancel".equals(a.operation())) {
                    differ(disagreements, where + ": crmd's timeout", sent.timeoutMs(),
                            Cibs.opTimeoutMs(cib, at, e.id(), a.operation(), a.intervalMs(),
                                    EffectivePrimitive.DEFAULT_OP_TIMEOUT_MS));
                }
            }
        }
        disagreements.forEach(d -> System.out.println("  disagreement: " + d));
        System.out.println("CrmdEngineAgreementTest: " + cibs.size() + " CIBs, " + primitives + " primitives, "
                + actions + " resource actions (+" + orphanActions + " on orphans) checked, " + disagreements.size()
                + " disagreements");
        assertTrue(cibs.size() >= 400, "expected the 448 shared conformance CIBs, found " + cibs.size());
        assertTrue(primitives > 1000 && actions > 1000, "too little checked: " + primitives + " primitives, "
                + actions + " actions");
        assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements, the first ones:\n"
                + String.join("\n", disagreements.subList(0, Math.min(40, disagreements.size()))));
    }

    private static void differ(List<String> out, String what, Object crmd, Object engine) {
        if (!crmd.equals(engine)) {
            out.add(what + ": crmd " + crmd + ", engine " + engine);
        }
    }

    /**
     * The engine's meta without what it adds for its own stages, where crmd reads nothing: a bundle's markers;
     * for a bundle's child, the options of the clone the engine wraps it in (clone-max, ordered, promotable...);
     * for a remote node's connection, allow-migrate=true (it moves by migrating unless told otherwise).
     * What both have must be equal.
     */
    private static Map<String, String> withoutEngineMeta(ResolvedPrimitive e, Primitive crmd, List<String> parents,
            CibModel model) {
        Map<String, String> out = new TreeMap<>(e.meta());
        out.keySet().removeIf(k -> k.startsWith(BUNDLE_MARKERS));
        boolean inBundle = model.resources().stream().anyMatch(rc -> rc instanceof BundleConfig
                && parents.contains(rc.id()));
        if (inBundle) {
            out.keySet().removeIf(k -> !crmd.meta().containsKey(k));
        }
        if (RemoteRouting.isConnection(crmd.agent()) && !crmd.meta().containsKey("allow-migrate")) {
            out.remove("allow-migrate", "true");
        }
        return out;
    }

    /** crmd's operations: the configured ones, each with the timeout crmd reads for it. */
    private static List<String> crmdOperations(Cib cib, Instant at, EffectivePrimitive p) {
        List<String> out = new ArrayList<>();
        for (OpConfig o : p.operations()) {
            out.add(line(o.name(), o.intervalMs(), o.role(), Cibs.opTimeoutMs(cib, at, p.id(), o.name(), o.intervalMs(),
                    EffectivePrimitive.DEFAULT_OP_TIMEOUT_MS), o.onFail(), o.enabled()));
        }
        return out;
    }

    private static List<String> engineOperations(ResolvedPrimitive e) {
        List<String> out = new ArrayList<>();
        for (ResolvedPrimitive.Operation o : e.operations()) {
            out.add(line(o.name(), o.intervalMs(), o.role(), o.timeoutMs(), o.onFail(), o.enabled()));
        }
        return out;
    }

    private static String line(String name, long intervalMs, String role, long timeoutMs, String onFail,
            boolean enabled) {
        return name + " interval=" + intervalMs + " role=" + role + " timeout=" + timeoutMs + " on-fail=" + onFail
                + (enabled ? "" : " disabled");
    }

    private static ResolvedPrimitive.Operation operation(ResolvedPrimitive e, String name, long intervalMs) {
        for (ResolvedPrimitive.Operation o : e.operations()) {
            if (o.name().equals(name) && o.intervalMs() == intervalMs) {
                return o;
            }
        }
        return null;
    }

    private static String baseId(String resource) {
        int colon = resource.indexOf(':');
        return colon < 0 ? resource : resource.substring(0, colon);
    }

    /**
     * cases/ and more/cases/ of the conformance directory: -Dpulse.shared (the build sets ../shared beside the
     * repository), else the first {@code shared} beside the module or one of its parents (from a worktree).
     */
    static List<Path> conformanceCibs() throws Exception {
        String given = System.getProperty("pulse.shared");
        Path shared = given != null && Files.isDirectory(Path.of(given, "conformance")) ? Path.of(given) : null;
        for (Path d = Path.of("").toAbsolutePath(); shared == null && d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared/conformance"))) {
                shared = d.resolve("shared");
            }
        }
        assertTrue(shared != null && Files.isDirectory(shared.resolve("conformance")),
                "../shared/conformance not found beside the repository; give its parent with -Dpulse.shared=DIR");
        Path conf = shared.resolve("conformance");
        List<Path> out = new ArrayList<>();
        for (Path cases : List.of(conf.resolve("cases"), conf.resolve("more").resolve("cases"))) {
            try (Stream<Path> dirs = Files.list(cases)) {
                dirs.sorted().map(d -> d.resolve("cib.xml")).filter(Files::exists).forEach(out::add);
            }
        }
        return out;
    }
}
