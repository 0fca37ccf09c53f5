package org.pulse.tests.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.crmd.controller.ResourceReading;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.lab.support.TestEnv;

/**
 * crmd and the policy engine read each resource alike. For every CIB of Pacemaker's scheduler
 * cases (../shared/conformance, more/ included) that uses templates, id-refs or rules, each
 * resource action the engine schedules is checked against crmd's own reading of the resource
 * ({@link ResourceReading}, the functions the DC and the fencer use): the same agent as the
 * engine's model, the same instance parameters as the action carries, and the same operation
 * timeout as the action's CRM_meta_timeout. Bound: one parse and one schedule per CIB (about 170).
 */
class CrmdEngineParityTest {
    private static final Instant FIXED_NOW = Instant.ofEpochSecond(1_700_000_000L);

    @Test
    void crmdAndTheEngineAgreeOnAgentParametersAndOperations() throws Exception {
        Path conf = TestEnv.shared().resolve("conformance");
        List<Path> cibs = new ArrayList<>();
        for (Path cases : List.of(conf.resolve("cases"), conf.resolve("more").resolve("cases"))) {
            try (Stream<Path> dirs = Files.list(cases)) {
                dirs.sorted().map(d -> d.resolve("cib.xml")).filter(Files::exists).forEach(cibs::add);
            }
        }
        int checkedCibs = 0;
        int checkedActions = 0;
        List<String> disagreements = new ArrayList<>();
        for (Path file : cibs) {
            String xml = Files.readString(file);
            if (!(xml.contains("<template") || xml.contains("id-ref=") || xml.contains("<rule"))) {
                continue;
            }
            checkedCibs++;
            XmlElement root = XmlParser.parse(file.toString(), xml);
            Cib cib = Cib.of(root);
            CibModel model = CibModel.from(root);
            Instant at = model.executionDate() != null ? model.executionDate() : FIXED_NOW;
            Map<String, ResourceReading.Definition> crmd = ResourceReading.primitives(cib, at);
            Map<String, PrimitiveConfig> engine = new LinkedHashMap<>();
            for (ResourceConfig rc : model.resources()) {
                primitives(rc, engine);
            }
            String caseName = file.getParent().getFileName().toString();
            for (PrimitiveConfig p : engine.values()) {
                ResourceReading.Definition d = crmd.get(p.id());
                if (d == null) {
                    disagreements.add(caseName + ": crmd does not see primitive " + p.id());
                } else if (!d.agent().equals(p.agent())) {
                    disagreements.add(caseName + ": " + p.id() + " agent crmd=" + d.agent() + " engine=" + p.agent());
                }
            }
            for (Action a : PolicyEngine.schedule(root, FIXED_NOW).actions()) {
                if (!"rsc_op".equals(a.kind()) || a.resource() == null || a.node() == null) {
                    continue;
                }
                String base = a.resource().contains(":") ? a.resource().substring(0, a.resource().indexOf(':'))
                        : a.resource();
                ResourceReading.Definition d = crmd.get(base);
                if (d == null || !engine.containsKey(base)) {
                    continue;   // an orphan: only its history names it
                }
                checkedActions++;
                String where = caseName + ": " + a.operation() + " " + a.resource() + " on " + a.node() + " interval="
                        + a.intervalMs();
                Map<String, String> params = new LinkedHashMap<>();
                a.params().forEach((k, v) -> {
                    if (!k.startsWith("CRM_meta_")) {
                        params.put(k, v);
                    }
                });
                // an operation's own instance attributes (OCF_CHECK_LEVEL) ride on that operation only
                for (var op : engine.get(base).operations()) {
                    if (op.name().equals(a.operation()) && op.intervalMs() == a.intervalMs()) {
                        op.instanceAttributes().forEach(s -> s.values().keySet().forEach(params::remove));
                    }
                }
                if (!params.equals(d.params())) {
                    disagreements.add(where + ": parameters crmd=" + d.params() + " engine=" + params);
                }
                String engineTimeout = a.params().get("CRM_meta_timeout");
                if (engineTimeout != null) {
                    String op = "cancel".equals(a.operation()) ? "monitor" : a.operation();
                    long crmdTimeout = ResourceReading.opTimeoutMs(cib, at, base, op, a.intervalMs(), 20_000);
                    if (crmdTimeout != Long.parseLong(engineTimeout)) {
                        disagreements.add(where + ": timeout crmd=" + crmdTimeout + " engine=" + engineTimeout);
                    }
                }
            }
        }
        System.out.println("CrmdEngineParityTest: " + checkedCibs + " CIBs with templates, id-refs or rules, "
                + checkedActions + " resource actions checked, " + disagreements.size() + " disagreements");
        assertTrue(checkedCibs >= 100, "expected the shared conformance CIBs, found " + checkedCibs + " under " + conf);
        assertTrue(checkedActions > 0, "no resource action was checked");
        assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements, first ones:\n"
                + String.join("\n", disagreements.subList(0, Math.min(30, disagreements.size()))));
    }

    private static void primitives(ResourceConfig rc, Map<String, PrimitiveConfig> out) {
        if (rc instanceof PrimitiveConfig p) {
            out.putIfAbsent(p.id(), p);
        } else if (rc instanceof GroupConfig g) {
            g.members().forEach(m -> primitives(m, out));
        } else if (rc instanceof CloneConfig c) {
            primitives(c.child(), out);
        }
    }
}
