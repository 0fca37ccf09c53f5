package org.pulse.lab.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Seeded generator of the clusters operators run, for the differential fuzzer.
 *
 * <p>A case is a story in two steps, as a real cluster lives it: a configuration the cluster has
 * settled under (Pacemaker's {@code crm_simulate -S} runs it to its steady state, so the history
 * carries real call-ids and digests), then what happens next: an operator's edit (a constraint
 * added or removed, a node put in standby, a target-role, is-managed, maintenance, a lost quorum)
 * and events (a monitor, start or stop failure, a node that fails, leaves or comes back, a ticket
 * granted or revoked). Each configuration item is therefore tagged BEFORE (only while settling),
 * AFTER (only in the case) or BOTH.
 *
 * <p>What is generated is what operators write, chosen by dice, never by what Pulse gets right:
 * the feature odds are fixed here and the report counts every feature the case carries.
 */
public final class CibGenerator {
    /** Seconds since the epoch every case is decided at (crm_simulate honours execution-date). */
    public static final long EXECUTION_DATE = 1_700_000_000L;

    enum Phase { BEFORE, AFTER, BOTH }

    /** A piece of configuration and when it is present. */
    record Item(String xml, Phase phase) {
        String in(boolean after) {
            return phase == Phase.BOTH || (after ? phase == Phase.AFTER : phase == Phase.BEFORE) ? xml : "";
        }
    }

    /** A top-level resource an operator may constrain, with what it is. */
    record Top(String id, String kind, List<String> primitives, boolean promotable) {
    }

    /**
     * Which shapes a case may take. {@code BASE} is the generator the CI seed's floor was measured
     * with; {@code EXTENDED} adds, on top of exactly the same base case (its dice come from a second
     * stream, so a seed's base draws do not move), shapes operators write that BASE never makes:
     * templates (and constraints naming them), clone-node-max and promoted-node-max, priority,
     * op_defaults, rules with boolean-op and date_spec, colocations by node attribute, orders on stop
     * and demote actions, sets with roles and require-all, resource-discovery, rsc-pattern, remote nodes.
     * {@code CHAINS} is the EXTENDED case (the same dice) with, from a third stream, a finite
     * colocation whose dependent carries an INFINITY or -INFINITY location (on itself or a group's
     * last member) and sometimes a dependent of its own: how far such preferences reach the primary.
     * {@code CLONES} is the EXTENDED case with, from a third stream, clone shapes where Pulse was
     * seen to differ: orders between two clones (with and without interleave) and resources
     * colocated with a clone, finite or mandatory.
     */
    public enum Shapes { BASE, EXTENDED, CHAINS, CLONES }

    private final Random rnd;
    /** Dice for the EXTENDED shapes only; null under BASE (see {@link Shapes}). */
    private final Random ext;
    /** Dice for the CHAINS shape only; null under BASE and EXTENDED. */
    private final Random chain;
    /** Dice for the CLONES shapes only; null otherwise (see {@link Shapes}). */
    private final Random clo;
    private final TreeSet<String> features = new TreeSet<>();
    private final List<Item> templates = new ArrayList<>();
    private final List<Item> opDefaults = new ArrayList<>();
    private int ids;

    private CibGenerator(long seed, Shapes shapes) {
        this.rnd = new Random(seed);
        this.ext = shapes != Shapes.BASE ? new Random(seed * 0x9E3779B97F4A7C15L + 17) : null;
        this.chain = shapes == Shapes.CHAINS ? new Random(seed * 0xC2B2AE3D27D4EB4FL + 29) : null;
        this.clo = shapes == Shapes.CLONES ? new Random(seed * 0xC2B2AE3D27D4EB4FL + 29) : null;
    }

    /** The case for one seed: the CIB to settle, the configuration after the edit, the events. */
    public static FuzzCase generate(long seed) {
        return generate(seed, Shapes.BASE);
    }

    /** The case for one seed with the given shapes; {@code EXTENDED} is the BASE case with more on top. */
    public static FuzzCase generate(long seed, Shapes shapes) {
        return new CibGenerator(seed, shapes).build(seed);
    }

    /** An EXTENDED shape's dice: never true under BASE, and never draws from the base stream. */
    private boolean q(double probability) {
        return ext != null && ext.nextDouble() < probability;
    }

    private <T> T pickExt(List<T> xs) {
        return xs.get(ext.nextInt(xs.size()));
    }

    private boolean p(double probability) {
        return rnd.nextDouble() < probability;
    }

    private <T> T pick(List<T> xs) {
        return xs.get(rnd.nextInt(xs.size()));
    }

    private String id(String prefix) {
        return prefix + (++ids);
    }

    private static final List<String> SCORES = List.of("INFINITY", "-INFINITY", "100", "50", "-50", "200", "-200");

    private FuzzCase build(long seed) {
        features.add("primitive");
        int nodeCount = 2 + rnd.nextInt(4);
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add("node" + i);
        }
        boolean fencing = p(0.3);
        boolean utilization = p(0.2);
        boolean tickets = p(0.15);
        List<Item> props = new ArrayList<>();
        props.add(new Item(nv("stonith-enabled", fencing ? "true" : "false"), Phase.BOTH));
        if (fencing) {
            features.add("fencing");
        }
        if (utilization) {
            features.add("utilization");
            props.add(new Item(nv("placement-strategy", pick(List.of("utilization", "balanced", "minimal"))), Phase.BOTH));
        }
        if (p(0.1)) {
            features.add("asymmetric");
            props.add(new Item(nv("symmetric-cluster", "false"), Phase.BOTH));
        }
        String noQuorumPolicy = null;
        if (p(0.15)) {
            noQuorumPolicy = pick(List.of("stop", "freeze", "ignore", "demote"));
            props.add(new Item(nv("no-quorum-policy", noQuorumPolicy), Phase.BOTH));
        }
        if (p(0.05)) {
            features.add("maintenance");
            props.add(new Item(nv("maintenance-mode", "true"), Phase.AFTER));
        }
        if (p(0.05)) {
            props.add(new Item(nv("start-failure-is-fatal", "false"), Phase.BOTH));
        }
        List<Item> rscDefaults = new ArrayList<>();
        if (p(0.35)) {
            features.add("stickiness");
            rscDefaults.add(new Item(nv("resource-stickiness", pick(List.of("100", "INFINITY", "10", "0"))), Phase.BOTH));
        }
        if (p(0.1)) {
            features.add("migration-threshold");
            rscDefaults.add(new Item(nv("migration-threshold", String.valueOf(1 + rnd.nextInt(3))), Phase.BOTH));
        }

        if (q(0.12)) {
            features.add("op-defaults");
            opDefaults.add(new Item(nvNamed("opd-timeout", "timeout", pickExt(List.of("30s", "60s", "90"))), Phase.BOTH));
            if (q(0.3)) {
                opDefaults.add(new Item(nvNamed("opd-pending", "record-pending", "true"), Phase.BOTH));
            }
        }

        // --- nodes: attributes for rules, utilization capacity, standby and maintenance edits
        List<String> sites = List.of("east", "west");
        StringBuilder nodesXml = new StringBuilder();
        List<Item> nodeItems = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            String n = nodes.get(i);
            List<Item> attrs = new ArrayList<>();
            attrs.add(new Item(nvNamed(n + "-site", "site", sites.get(i % 2)), Phase.BOTH));
            attrs.add(new Item(nvNamed(n + "-ram", "ram", String.valueOf(1024 * (1 + rnd.nextInt(8)))), Phase.BOTH));
            if (p(0.12)) {
                features.add("standby");
                attrs.add(new Item(nvNamed(n + "-standby", "standby", "on"), p(0.7) ? Phase.AFTER : Phase.BOTH));
            }
            if (p(0.04)) {
                features.add("maintenance");
                attrs.add(new Item(nvNamed(n + "-maint", "maintenance", "true"), Phase.AFTER));
            }
            StringBuilder x = new StringBuilder();
            x.append("<node id=\"").append(i + 1).append("\" uname=\"").append(n).append("\">");
            x.append("<instance_attributes id=\"").append(n).append("-attrs\">").append("@ATTRS").append("</instance_attributes>");
            if (utilization) {
                x.append("<utilization id=\"").append(n).append("-util\">")
                        .append(nvNamed(n + "-cpu", "cpu", String.valueOf(2 + rnd.nextInt(6))))
                        .append(nvNamed(n + "-mem", "mem", String.valueOf(1024 * (2 + rnd.nextInt(6)))))
                        .append("</utilization>");
            }
            x.append("</node>");
            nodeItems.add(new Item(x.toString(), Phase.BOTH));
            nodeAttrs.add(attrs);
        }

        // --- resources
        List<Top> tops = new ArrayList<>();
        List<Item> resources = new ArrayList<>();
        if (fencing) {
            resources.add(new Item("<primitive id=\"fence1\" class=\"stonith\" type=\"fence_dummy\">"
                    + "<instance_attributes id=\"fence1-ia\">" + nvNamed("fence1-hl", "pcmk_host_list", String.join(" ", nodes))
                    + "</instance_attributes><operations><op id=\"fence1-mon\" name=\"monitor\" interval=\"60s\"/></operations>"
                    + "</primitive>", Phase.BOTH));
        }
        int topCount = 1 + rnd.nextInt(5);
        for (int t = 0; t < topCount; t++) {
            double k = rnd.nextDouble();
            if (k < 0.45) {
                String r = id("rsc");
                resources.add(new Item(primitive(r, false, fencing, utilization), Phase.BOTH));
                tops.add(new Top(r, "primitive", List.of(r), false));
            } else if (k < 0.65) {
                features.add("group");
                String g = id("grp");
                List<String> members = new ArrayList<>();
                StringBuilder x = new StringBuilder("<group id=\"" + g + "\">" + meta(g));
                int m = 2 + rnd.nextInt(2);
                for (int i = 0; i < m; i++) {
                    String r = id("rsc");
                    members.add(r);
                    x.append(primitive(r, false, fencing, utilization));
                }
                x.append("</group>");
                resources.add(new Item(x.toString(), Phase.BOTH));
                tops.add(new Top(g, "group", members, false));
            } else if (k < 0.82) {
                features.add("clone");
                String c = id("cln");
                String r = id("rsc");
                StringBuilder meta = new StringBuilder();
                if (p(0.3)) {
                    meta.append(nvNamed(c + "-max", "clone-max", String.valueOf(1 + rnd.nextInt(nodeCount))));
                }
                if (p(0.3)) {
                    meta.append(nvNamed(c + "-il", "interleave", "true"));
                }
                boolean unique = p(0.1);
                if (unique) {
                    features.add("unique-clone");
                    meta.append(nvNamed(c + "-gu", "globally-unique", "true"));
                }
                if (q(0.25)) {
                    // more instances than nodes, two to a node: the shape clone-node-max exists for (only a
                    // globally unique clone may have more than one instance on a node)
                    features.add("clone-node-max");
                    if (!unique) {
                        features.add("unique-clone");
                        meta.append(nvNamed(c + "-gu", "globally-unique", "true"));
                    }
                    if (!meta.toString().contains("\"clone-max\"")) {
                        meta.append(nvNamed(c + "-max", "clone-max", String.valueOf(nodeCount + 1 + ext.nextInt(nodeCount))));
                    }
                    meta.append(nvNamed(c + "-nmax", "clone-node-max", "2"));
                }
                String inner;
                List<String> prims = new ArrayList<>();
                if (!unique && p(0.2)) {
                    features.add("cloned-group");
                    String g = id("grp");
                    StringBuilder gx = new StringBuilder("<group id=\"" + g + "\">");
                    for (int i = 0; i < 2; i++) {
                        String m = id("rsc");
                        prims.add(m);
                        gx.append(primitive(m, false, fencing, utilization));
                    }
                    inner = gx.append("</group>").toString();
                } else {
                    prims.add(r);
                    inner = primitive(r, false, fencing, utilization);
                }
                resources.add(new Item("<clone id=\"" + c + "\">" + metaWith(c, meta.toString()) + inner + "</clone>", Phase.BOTH));
                tops.add(new Top(c, "clone", prims, false));
            } else {
                features.add("promotable");
                String c = id("ms");
                String r = id("rsc");
                StringBuilder meta = new StringBuilder(nvNamed(c + "-pr", "promotable", "true"));
                if (p(0.4)) {
                    meta.append(nvNamed(c + "-pm", "promoted-max", String.valueOf(1 + rnd.nextInt(2))));
                }
                if (p(0.3)) {
                    meta.append(nvNamed(c + "-max", "clone-max", String.valueOf(1 + rnd.nextInt(nodeCount))));
                }
                if (p(0.3)) {
                    meta.append(nvNamed(c + "-nt", "notify", "true"));
                }
                if (q(0.2)) {
                    features.add("promoted-node-max");
                    if (!meta.toString().contains("\"promoted-max\"")) {
                        meta.append(nvNamed(c + "-pm", "promoted-max", "2"));
                    }
                    meta.append(nvNamed(c + "-pnm", "promoted-node-max", "1"));
                }
                resources.add(new Item("<clone id=\"" + c + "\">" + metaWith(c, meta.toString())
                        + primitive(r, true, fencing, utilization) + "</clone>", Phase.BOTH));
                tops.add(new Top(c, "promotable", List.of(r), true));
            }
        }
        // resource meta edits: the operator's target-role, is-managed, maintenance, allow-migrate
        List<Item> rscMetaEdits = new ArrayList<>();
        for (Top top : tops) {
            List<Item> edits = new ArrayList<>();
            if (p(0.12)) {
                features.add("target-role");
                List<String> roles = top.promotable() ? List.of("Stopped", "Unpromoted", "Promoted", "Started")
                        : List.of("Stopped", "Started");
                edits.add(new Item(nvNamed(top.id() + "-tr", "target-role", pick(roles)), p(0.7) ? Phase.AFTER : Phase.BOTH));
            }
            if (p(0.06)) {
                features.add("unmanaged");
                edits.add(new Item(nvNamed(top.id() + "-im", "is-managed", "false"), Phase.AFTER));
            }
            if (p(0.04)) {
                features.add("maintenance");
                edits.add(new Item(nvNamed(top.id() + "-mt", "maintenance", "true"), Phase.AFTER));
            }
            if (p(0.1)) {
                features.add("migration-threshold");
                edits.add(new Item(nvNamed(top.id() + "-mth", "migration-threshold", String.valueOf(1 + rnd.nextInt(3))), Phase.BOTH));
            }
            if (p(0.1)) {
                features.add("failure-timeout");
                edits.add(new Item(nvNamed(top.id() + "-ft", "failure-timeout", pick(List.of("60s", "10min", "30"))), Phase.BOTH));
            }
            if (p(0.08)) {
                edits.add(new Item(nvNamed(top.id() + "-st", "resource-stickiness", pick(List.of("0", "100", "INFINITY"))), Phase.BOTH));
                features.add("stickiness");
            }
            if (top.kind().equals("primitive") && p(0.2)) {
                features.add("allow-migrate");
                edits.add(new Item(nvNamed(top.id() + "-am", "allow-migrate", "true"), Phase.BOTH));
            }
            if (q(0.2)) {
                features.add("priority");
                edits.add(new Item(nvNamed(top.id() + "-prio", "priority", pickExt(List.of("10", "5", "-5"))),
                        ext.nextBoolean() ? Phase.BOTH : Phase.AFTER));
            }
            topMeta.add(edits);
        }

        // --- constraints
        List<Item> constraints = new ArrayList<>();
        int cc = rnd.nextInt(5);
        for (int i = 0; i < cc && !tops.isEmpty(); i++) {
            Top a = pick(tops);
            double k = rnd.nextDouble();
            Phase ph = pick(List.of(Phase.BOTH, Phase.BOTH, Phase.AFTER, Phase.BEFORE));
            if (k < 0.3) {
                features.add("location");
                String role = a.promotable() && p(0.3) ? " role=\"Promoted\"" : "";
                constraints.add(new Item("<rsc_location id=\"" + id("loc") + "\" rsc=\"" + a.id() + "\"" + role
                        + " node=\"" + pick(nodes) + "\" score=\"" + pick(SCORES) + "\"/>", ph));
            } else if (k < 0.45) {
                features.add("rule-attr");
                String lid = id("loc");
                String expr = switch (rnd.nextInt(3)) {
                    case 0 -> "<expression id=\"" + lid + "-e\" attribute=\"site\" operation=\"eq\" value=\"" + pick(sites) + "\"/>";
                    case 1 -> "<expression id=\"" + lid + "-e\" attribute=\"ram\" operation=\"gt\" type=\"number\" value=\""
                            + 1024 * (1 + rnd.nextInt(8)) + "\"/>";
                    default -> "<expression id=\"" + lid + "-e\" attribute=\"site\" operation=\"" + pick(List.of("defined", "not_defined")) + "\"/>";
                };
                String score = p(0.2) ? "score-attribute=\"ram\"" : "score=\"" + pick(SCORES) + "\"";
                constraints.add(new Item("<rsc_location id=\"" + lid + "\" rsc=\"" + a.id() + "\"><rule id=\"" + lid + "-r\" "
                        + score + ">" + expr + "</rule></rsc_location>", ph));
            } else if (k < 0.52) {
                features.add("rule-date");
                String lid = id("loc");
                long offset = (rnd.nextInt(7) - 3) * 86_400L;
                String date = java.time.Instant.ofEpochSecond(EXECUTION_DATE + offset).toString().replace("Z", "Z");
                String expr = switch (rnd.nextInt(3)) {
                    case 0 -> "<date_expression id=\"" + lid + "-d\" operation=\"gt\" start=\"" + date + "\"/>";
                    case 1 -> "<date_expression id=\"" + lid + "-d\" operation=\"lt\" end=\"" + date + "\"/>";
                    default -> "<date_expression id=\"" + lid + "-d\" operation=\"in_range\" start=\"" + date
                            + "\"><duration id=\"" + lid + "-du\" days=\"" + (1 + rnd.nextInt(5)) + "\"/></date_expression>";
                };
                constraints.add(new Item("<rsc_location id=\"" + lid + "\" rsc=\"" + a.id() + "\"><rule id=\"" + lid
                        + "-r\" score=\"" + pick(SCORES) + "\"><expression id=\"" + lid + "-n\" attribute=\"#uname\" operation=\"eq\" value=\""
                        + pick(nodes) + "\"/>" + expr + "</rule></rsc_location>", ph));
            } else if (tops.size() >= 2 && k < 0.72) {
                features.add("colocation");
                Top b = other(tops, a);
                StringBuilder x = new StringBuilder("<rsc_colocation id=\"" + id("col") + "\" rsc=\"" + a.id()
                        + "\" with-rsc=\"" + b.id() + "\" score=\"" + pick(SCORES) + "\"");
                if (b.promotable() && p(0.6)) {
                    x.append(" with-rsc-role=\"").append(pick(List.of("Promoted", "Unpromoted"))).append('"');
                }
                if (a.promotable() && p(0.4)) {
                    x.append(" rsc-role=\"").append(pick(List.of("Promoted", "Unpromoted"))).append('"');
                }
                constraints.add(new Item(x.append("/>").toString(), ph));
            } else if (tops.size() >= 2 && k < 0.9) {
                features.add("order");
                Top b = other(tops, a);
                StringBuilder x = new StringBuilder("<rsc_order id=\"" + id("ord") + "\" first=\"" + a.id()
                        + "\" then=\"" + b.id() + "\"");
                if (p(0.35)) {   // (score= on an order is deprecated: crm_verify warns, operators use kind)
                    x.append(" kind=\"").append(pick(List.of("Optional", "Serialize", "Mandatory"))).append('"');
                }
                if (a.promotable() && p(0.5)) {
                    x.append(" first-action=\"promote\"");
                }
                if (b.promotable() && p(0.3)) {
                    x.append(" then-action=\"promote\"");
                }
                if (p(0.15)) {
                    x.append(" symmetrical=\"false\"");
                }
                constraints.add(new Item(x.append("/>").toString(), ph));
            } else if (tops.size() >= 2) {
                features.add("sets");
                List<String> members = new ArrayList<>();
                for (Top t : tops) {
                    if (p(0.6) && !t.promotable()) {
                        members.add(t.id());
                    }
                }
                if (members.size() < 2) {
                    continue;
                }
                String cid = id(p(0.5) ? "col" : "ord");
                boolean colocation = cid.startsWith("col");
                features.add(colocation ? "colocation" : "order");
                StringBuilder x = new StringBuilder(colocation
                        ? "<rsc_colocation id=\"" + cid + "\" score=\"" + pick(List.of("INFINITY", "100", "-INFINITY")) + "\">"
                        : "<rsc_order id=\"" + cid + "\"" + (p(0.3) ? " kind=\"Optional\"" : "") + ">");
                int split = p(0.5) ? 1 + rnd.nextInt(members.size() - 1) : members.size();
                appendSet(x, cid + "-s1", members.subList(0, split));
                if (split < members.size()) {
                    appendSet(x, cid + "-s2", members.subList(split, members.size()));
                }
                x.append(colocation ? "</rsc_colocation>" : "</rsc_order>");
                constraints.add(new Item(x.toString(), ph));
            }
        }
        if (ext != null && !tops.isEmpty()) {
            extendedConstraints(tops, nodes, sites, constraints);
        }
        if (clo != null) {
            cloneConstraints(tops, constraints);
        }
        List<String> ticketEvents = new ArrayList<>();
        String ticketStatus = "";
        if (tickets && !tops.isEmpty()) {
            features.add("ticket");
            Top a = pick(tops);
            String loss = pick(a.promotable() ? List.of("stop", "demote", "freeze", "fence") : List.of("stop", "freeze", "fence"));
            if (loss.equals("fence") && !fencing) {
                loss = "stop";
            }
            constraints.add(new Item("<rsc_ticket id=\"" + id("tkt") + "\" rsc=\"" + a.id() + "\" ticket=\"ticketA\""
                    + (a.promotable() && p(0.5) ? " rsc-role=\"Promoted\"" : "")
                    + " loss-policy=\"" + loss + "\"/>", Phase.BOTH));
            boolean grantedBefore = p(0.7);
            ticketStatus = "<tickets><ticket_state id=\"ticketA\" granted=\"" + grantedBefore + "\"/></tickets>";
            if (p(0.6)) {
                ticketEvents.add(grantedBefore ? "--ticket-revoke=ticketA" : "--ticket-grant=ticketA");
            }
        }

        if (q(0.12)) {
            // a Pacemaker Remote node: its connection is a resource; once it runs, the node hosts resources
            features.add("remote");
            resources.add(new Item("<primitive id=\"remote1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">"
                    + "<instance_attributes id=\"remote1-ia\">" + nvNamed("remote1-server", "server", "192.0.2.41")
                    + "</instance_attributes><operations><op id=\"remote1-mon\" name=\"monitor\" interval=\"30s\"/>"
                    + "</operations></primitive>", Phase.BOTH));
            if (q(0.3) && !tops.isEmpty()) {
                constraints.add(new Item("<rsc_location id=\"" + id("loc") + "\" rsc=\"" + pickExt(tops).id()
                        + "\" node=\"remote1\" score=\"" + pickExt(List.of("INFINITY", "100", "-INFINITY")) + "\"/>", Phase.BOTH));
            }
        }

        if (chain != null) {
            colocationChain(tops, nodes, constraints);
        }

        // --- membership: everyone up while settling, some offline from the start
        List<String> offline = new ArrayList<>();
        for (String n : nodes) {
            if (nodes.size() - offline.size() > 1 && p(0.1)) {
                offline.add(n);
                features.add("offline-node");
            }
        }

        // --- events after settling
        List<String> nodeEvents = new ArrayList<>();
        if (p(0.2)) {
            List<String> up = new ArrayList<>(nodes);
            up.removeAll(offline);
            if (up.size() > 1) {
                String n = pick(up);
                if (fencing && p(0.6)) {
                    nodeEvents.add("--node-fail=" + n);
                    features.add("node-fail");
                } else {
                    nodeEvents.add(p(0.5) ? "--node-fail=" + n : "--node-down=" + n);
                    features.add(nodeEvents.get(0).startsWith("--node-fail") ? "node-fail" : "node-down");
                }
            }
        }
        if (!offline.isEmpty() && p(0.4)) {
            nodeEvents.add("--node-up=" + pick(offline));
            features.add("node-up");
        }
        boolean loseQuorum = noQuorumPolicy != null && p(0.7);
        if (loseQuorum) {
            features.add("no-quorum");
        }
        int failures = p(0.45) ? 1 + rnd.nextInt(2) : 0;
        if (failures > 0) {
            features.add("failure");
        }
        long failureAgeS = pick(List.of(5L, 50L, 300L, 5000L));
        // most failure records as a cluster's controller writes them; some as crm_simulate -i
        // leaves them (no digest), which Pacemaker reads as changed parameters
        boolean failureDigests = p(0.85);
        if (failures > 0 && !failureDigests) {
            features.add("failure-no-digest");
        }

        String cibBefore = render(false, nodes, offline, props, rscDefaults, nodeItems, resources, constraints, ticketStatus, true);
        String configAfter = renderConfig(true, props, rscDefaults, nodeItems, resources, constraints);
        return new FuzzCase(seed, cibBefore, configAfter, loseQuorum, failures, rnd.nextLong(), failureAgeS,
                ticketEvents, nodeEvents, failureDigests, List.copyOf(features));
    }

    private final List<List<Item>> nodeAttrs = new ArrayList<>();
    private final List<List<Item>> topMeta = new ArrayList<>();

    /**
     * CHAINS: a primitive or group colocated at a finite score with another, the dependent (or its
     * last member) with an INFINITY or -INFINITY location, sometimes a finite location of the
     * primary's own and a third resource colocated with the dependent. Fixed ids and its own dice, so every other part of the case is the EXTENDED one.
     */
    private void colocationChain(List<Top> tops, List<String> nodes, List<Item> constraints) {
        List<Top> plain = new ArrayList<>();
        for (Top t : tops) {
            if (t.kind().equals("primitive") || t.kind().equals("group")) {
                plain.add(t);
            }
        }
        if (plain.size() < 2 || chain.nextDouble() >= 0.6) {
            return;
        }
        features.add("colocation-chain");
        java.util.Collections.shuffle(plain, chain);
        Top primary = plain.get(0);
        Top dependent = plain.get(1);
        String score = List.of("100", "500", "-500", "2000").get(chain.nextInt(4));
        constraints.add(new Item("<rsc_colocation id=\"chain-col1\" rsc=\"" + dependent.id() + "\" with-rsc=\""
                + primary.id() + "\" score=\"" + score + "\"/>", Phase.BOTH));
        String where = dependent.primitives().get(dependent.primitives().size() - 1);
        constraints.add(new Item("<rsc_location id=\"chain-loc\" rsc=\"" + where + "\" node=\""
                + nodes.get(chain.nextInt(nodes.size())) + "\" score=\"" + (chain.nextInt(4) == 0 ? "-INFINITY" : "INFINITY")
                + "\"/>", Phase.BOTH));
        if (chain.nextBoolean()) {
            // a finite preference of the primary's own, against which the dependent's pull is weighed
            constraints.add(new Item("<rsc_location id=\"chain-pref\" rsc=\"" + primary.id() + "\" node=\""
                    + nodes.get(chain.nextInt(nodes.size())) + "\" score=\"" + (50 + 100 * chain.nextInt(5)) + "\"/>", Phase.BOTH));
        }
        if (plain.size() >= 3 && chain.nextBoolean()) {
            constraints.add(new Item("<rsc_colocation id=\"chain-col2\" rsc=\"" + plain.get(2).id() + "\" with-rsc=\""
                    + dependent.id() + "\" score=\"" + (chain.nextBoolean() ? "INFINITY" : "300") + "\"/>", Phase.BOTH));
        }
    }

    /**
     * CLONES constraints, drawn from {@code clo} only (see {@link Shapes}), after every other draw:
     * a mandatory order between two clones, and something colocated with a clone.
     */
    private void cloneConstraints(List<Top> tops, List<Item> constraints) {
        List<Top> clones = new ArrayList<>();
        List<Top> others = new ArrayList<>();
        for (Top t : tops) {
            (t.kind().equals("clone") || t.kind().equals("promotable") ? clones : others).add(t);
        }
        if (clones.size() >= 2 && clo.nextDouble() < 0.6) {
            features.add("clone-order");
            features.add("order");
            Top a = clones.get(clo.nextInt(clones.size()));
            Top b = clones.get(clo.nextInt(clones.size()));
            if (a != b) {
                constraints.add(new Item("<rsc_order id=\"" + id("ord") + "\" first=\"" + a.id() + "\" then=\"" + b.id()
                        + "\" kind=\"Mandatory\"/>", Phase.BOTH));
            }
        }
        if (!clones.isEmpty() && !others.isEmpty() && clo.nextDouble() < 0.6) {
            features.add("clone-dependent");
            features.add("colocation");
            Top primary = clones.get(clo.nextInt(clones.size()));
            Top dependent = others.get(clo.nextInt(others.size()));
            String score = List.of("INFINITY", "100", "200", "-100").get(clo.nextInt(4));
            constraints.add(new Item("<rsc_colocation id=\"" + id("col") + "\" rsc=\"" + dependent.id() + "\" with-rsc=\""
                    + primary.id() + "\" score=\"" + score + "\"/>", Phase.BOTH));
        }
    }

    /** EXTENDED constraints, each drawn from {@code ext} (see {@link Shapes}). */
    private void extendedConstraints(List<Top> tops, List<String> nodes, List<String> sites, List<Item> constraints) {
        Phase ph = pickExt(List.of(Phase.BOTH, Phase.BOTH, Phase.AFTER));
        if (q(0.2)) {
            // two expressions joined by and/or, sometimes a date_spec (weekdays, hours) among them
            features.add("rule-bool");
            Top a = pickExt(tops);
            String lid = id("loc");
            String second = ext.nextBoolean()
                    ? "<expression id=\"" + lid + "-e2\" attribute=\"ram\" operation=\"" + pickExt(List.of("gte", "lt"))
                            + "\" type=\"number\" value=\"" + 1024 * (1 + ext.nextInt(8)) + "\"/>"
                    : "<date_expression id=\"" + lid + "-d\" operation=\"date_spec\"><date_spec id=\"" + lid + "-ds\" "
                            + pickExt(List.of("weekdays=\"1-5\"", "hours=\"9-16\"", "weekdays=\"6-7\"", "hours=\"0-8\""))
                            + "/></date_expression>";
            if (!second.startsWith("<expression")) {
                features.add("rule-date");
            }
            constraints.add(new Item("<rsc_location id=\"" + lid + "\" rsc=\"" + a.id() + "\"><rule id=\"" + lid
                    + "-r\" score=\"" + pickExt(SCORES) + "\" boolean-op=\"" + pickExt(List.of("and", "or")) + "\">"
                    + "<expression id=\"" + lid + "-e1\" attribute=\"site\" operation=\"eq\" value=\"" + pickExt(sites) + "\"/>"
                    + second + "</rule></rsc_location>", ph));
        }
        if (tops.size() >= 2 && q(0.2)) {
            // colocated by site rather than by node
            features.add("colocation-node-attribute");
            features.add("colocation");
            Top a = pickExt(tops);
            Top b = otherExt(tops, a);
            constraints.add(new Item("<rsc_colocation id=\"" + id("col") + "\" rsc=\"" + a.id() + "\" with-rsc=\"" + b.id()
                    + "\" node-attribute=\"site\" score=\"" + pickExt(List.of("INFINITY", "-INFINITY", "100")) + "\"/>", ph));
        }
        if (tops.size() >= 2 && q(0.2)) {
            // orders on other actions than start: stop before stop, demote before start
            features.add("order-actions");
            features.add("order");
            Top a = pickExt(tops);
            Top b = otherExt(tops, a);
            String first = a.promotable() ? pickExt(List.of("stop", "demote", "promote", "start")) : pickExt(List.of("stop", "start"));
            String then = b.promotable() ? pickExt(List.of("stop", "start", "demote", "promote")) : pickExt(List.of("stop", "start"));
            constraints.add(new Item("<rsc_order id=\"" + id("ord") + "\" first=\"" + a.id() + "\" first-action=\"" + first
                    + "\" then=\"" + b.id() + "\" then-action=\"" + then + "\"" + (ext.nextBoolean() ? " kind=\"Optional\"" : "")
                    + "/>", ph));
        }
        if (tops.size() >= 3 && q(0.15)) {
            // a set any one of which lets the next set start (require-all="false")
            features.add("sets-require-all");
            features.add("sets");
            features.add("order");
            List<Top> shuffled = new ArrayList<>(tops);
            java.util.Collections.shuffle(shuffled, ext);
            String oid = id("ord");
            constraints.add(new Item("<rsc_order id=\"" + oid + "\"><resource_set id=\"" + oid + "-s1\" sequential=\"false\""
                    + " require-all=\"false\"><resource_ref id=\"" + shuffled.get(0).id() + "\"/><resource_ref id=\""
                    + shuffled.get(1).id() + "\"/></resource_set><resource_set id=\"" + oid + "-s2\"><resource_ref id=\""
                    + shuffled.get(2).id() + "\"/></resource_set></rsc_order>", ph));
        }
        List<Top> promotables = tops.stream().filter(Top::promotable).toList();
        if (tops.size() >= 2 && !promotables.isEmpty() && q(0.3)) {
            // a set colocated with the promoted instance, as operators write "these with the primary"
            features.add("sets-role");
            features.add("sets");
            features.add("colocation");
            Top m = pickExt(promotables);
            Top other = otherExt(tops, m);
            String cid = id("col");
            constraints.add(new Item("<rsc_colocation id=\"" + cid + "\" score=\"" + pickExt(List.of("INFINITY", "500"))
                    + "\"><resource_set id=\"" + cid + "-s1\"><resource_ref id=\"" + other.id() + "\"/></resource_set>"
                    + "<resource_set id=\"" + cid + "-s2\" role=\"Promoted\"><resource_ref id=\"" + m.id() + "\"/></resource_set>"
                    + "</rsc_colocation>", ph));
        }
        if (q(0.12)) {
            // discovery limited to where the resource may run
            features.add("resource-discovery");
            Top a = pickExt(tops);
            constraints.add(new Item("<rsc_location id=\"" + id("loc") + "\" rsc=\"" + a.id() + "\" node=\"" + pickExt(nodes)
                    + "\" score=\"" + pickExt(List.of("INFINITY", "100", "-INFINITY")) + "\" resource-discovery=\""
                    + pickExt(List.of("never", "exclusive")) + "\"/>", ph));
        }
        if (q(0.08)) {
            // one location for every resource whose id matches
            features.add("rsc-pattern");
            constraints.add(new Item("<rsc_location id=\"" + id("loc") + "\" rsc-pattern=\"^rsc[0-9]+$\" node=\"" + pickExt(nodes)
                    + "\" score=\"" + pickExt(List.of("100", "-INFINITY", "-100")) + "\"/>", ph));
        }
        if (!templates.isEmpty() && q(0.3)) {
            // a constraint naming a template applies to every primitive made from it
            features.add("template-constraint");
            String tpl = pickExt(templates).xml();
            tpl = tpl.substring(tpl.indexOf("id=\"") + 4, tpl.indexOf('"', tpl.indexOf("id=\"") + 4));
            constraints.add(new Item("<rsc_location id=\"" + id("loc") + "\" rsc=\"" + tpl + "\" node=\"" + pickExt(nodes)
                    + "\" score=\"" + pickExt(List.of("200", "-INFINITY", "INFINITY")) + "\"/>", ph));
        }
    }

    private Top otherExt(List<Top> tops, Top a) {
        Top b;
        do {
            b = pickExt(tops);
        } while (b == a);
        return b;
    }

    private Top other(List<Top> tops, Top a) {
        Top b;
        do {
            b = pick(tops);
        } while (b == a);
        return b;
    }

    private void appendSet(StringBuilder x, String setId, List<String> members) {
        x.append("<resource_set id=\"").append(setId).append('"');
        if (p(0.3)) {
            x.append(" sequential=\"false\"");
        }
        x.append('>');
        for (String m : members) {
            x.append("<resource_ref id=\"").append(m).append("\"/>");
        }
        x.append("</resource_set>");
    }

    private String primitive(String id, boolean stateful, boolean fencing, boolean utilization) {
        String agent = "class=\"ocf\" provider=\"pacemaker\" type=\"" + (stateful ? "Stateful" : "Dummy") + "\"";
        StringBuilder x = new StringBuilder("<primitive id=\"" + id + "\" " + agent + ">");
        if (q(0.15)) {
            // the agent, and sometimes an operation and a default, from a template the primitive names
            features.add("template");
            String tpl = "tpl-" + id;
            StringBuilder t = new StringBuilder("<template id=\"" + tpl + "\" " + agent + ">");
            if (ext.nextBoolean()) {
                t.append("<meta_attributes id=\"").append(tpl).append("-meta\">")
                        .append(nvNamed(tpl + "-st", "resource-stickiness", pickExt(List.of("50", "200"))))
                        .append("</meta_attributes>");
            }
            if (ext.nextBoolean()) {
                t.append("<operations><op id=\"").append(tpl).append("-mon\" name=\"monitor\" interval=\"25s\" timeout=\"30s\"")
                        .append(stateful ? " role=\"Unpromoted\"" : "").append("/></operations>");
            }
            templates.add(new Item(t.append("</template>").toString(), Phase.BOTH));
            x = new StringBuilder("<primitive id=\"" + id + "\" template=\"" + tpl + "\">");
        }
        x.append("@META:").append(id).append('@');
        if (utilization) {
            x.append("<utilization id=\"").append(id).append("-util\">")
                    .append(nvNamed(id + "-ucpu", "cpu", String.valueOf(1 + rnd.nextInt(3))))
                    .append(nvNamed(id + "-umem", "mem", String.valueOf(512 * (1 + rnd.nextInt(4)))))
                    .append("</utilization>");
        }
        String onFail = "";
        if (p(0.12)) {
            features.add("on-fail");
            onFail = " on-fail=\"" + pick(fencing ? List.of("stop", "block", "ignore", "restart", "standby", "fence")
                    : List.of("stop", "block", "ignore", "restart", "standby")) + "\"";
        }
        x.append("<operations>");
        if (stateful) {
            x.append("<op id=\"").append(id).append("-mon-p\" name=\"monitor\" interval=\"10s\" role=\"Promoted\" timeout=\"20s\"")
                    .append(onFail).append("/>");
            x.append("<op id=\"").append(id).append("-mon-u\" name=\"monitor\" interval=\"11s\" role=\"Unpromoted\" timeout=\"20s\"")
                    .append(onFail).append("/>");
        } else {
            x.append("<op id=\"").append(id).append("-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"")
                    .append(onFail).append("/>");
        }
        if (p(0.05)) {
            features.add("on-fail");
            x.append("<op id=\"").append(id).append("-stop\" name=\"stop\" interval=\"0\" on-fail=\"")
                    .append(fencing ? "fence" : "block").append("\"/>");
        }
        x.append("</operations></primitive>");
        return x.toString();
    }

    private static String meta(String owner) {
        return "@META:" + owner + "@";
    }

    private static String metaWith(String owner, String fixed) {
        return "@META:" + owner + "|" + fixed + "@";
    }

    private static String nv(String name, String value) {
        return nvNamed("opt-" + name, name, value);
    }

    private static String nvNamed(String id, String name, String value) {
        return "<nvpair id=\"" + id + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    private String renderConfig(boolean after, List<Item> props, List<Item> rscDefaults, List<Item> nodeItems,
                                List<Item> resources, List<Item> constraints) {
        StringBuilder x = new StringBuilder("<configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">");
        props.forEach(i -> x.append(i.in(after)));
        x.append("</cluster_property_set></crm_config><nodes>");
        for (int i = 0; i < nodeItems.size(); i++) {
            StringBuilder attrs = new StringBuilder();
            nodeAttrs.get(i).forEach(a -> attrs.append(a.in(after)));
            x.append(nodeItems.get(i).in(after).replace("@ATTRS", attrs));
        }
        x.append("</nodes><resources>");
        StringBuilder rs = new StringBuilder();
        templates.forEach(i -> rs.append(i.in(after)));
        resources.forEach(i -> rs.append(i.in(after)));
        x.append(fillMeta(rs.toString(), after));
        x.append("</resources><constraints>");
        constraints.forEach(i -> x.append(i.in(after)));
        x.append("</constraints>");
        StringBuilder d = new StringBuilder();
        rscDefaults.forEach(i -> d.append(i.in(after)));
        if (d.length() > 0) {
            x.append("<rsc_defaults><meta_attributes id=\"rsc-options\">").append(d).append("</meta_attributes></rsc_defaults>");
        }
        StringBuilder o = new StringBuilder();
        opDefaults.forEach(i -> o.append(i.in(after)));
        if (o.length() > 0) {
            x.append("<op_defaults><meta_attributes id=\"op-options\">").append(o).append("</meta_attributes></op_defaults>");
        }
        return x.append("</configuration>").toString();
    }

    /** Puts each resource's meta attributes (fixed ones and the operator's edits of this phase) in place. */
    private String fillMeta(String xml, boolean after) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int at = xml.indexOf("@META:", from);
            if (at < 0) {
                break;
            }
            int end = xml.indexOf('@', at + 6);
            String spec = xml.substring(at + 6, end);
            String owner = spec.contains("|") ? spec.substring(0, spec.indexOf('|')) : spec;
            String fixed = spec.contains("|") ? spec.substring(spec.indexOf('|') + 1) : "";
            StringBuilder nvs = new StringBuilder(fixed);
            for (int t = 0; t < topMeta.size(); t++) {
                for (Item i : topMeta.get(t)) {
                    if (i.xml().contains("id=\"" + owner + "-")) {
                        nvs.append(i.in(after));
                    }
                }
            }
            out.append(xml, from, at);
            if (nvs.length() > 0) {
                out.append("<meta_attributes id=\"").append(owner).append("-meta\">").append(nvs).append("</meta_attributes>");
            }
            from = end + 1;
        }
        return out.append(xml.substring(from)).toString();
    }

    private String render(boolean after, List<String> nodes, List<String> offline, List<Item> props, List<Item> rscDefaults,
                          List<Item> nodeItems, List<Item> resources, List<Item> constraints, String ticketStatus,
                          boolean quorate) {
        StringBuilder x = new StringBuilder("<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\""
                + " crm_feature_set=\"3.16.1\" have-quorum=\"" + (quorate ? 1 : 0) + "\" dc-uuid=\"1\" execution-date=\""
                + EXECUTION_DATE + "\">");
        x.append(renderConfig(after, props, rscDefaults, nodeItems, resources, constraints));
        x.append("<status>");
        for (int i = 0; i < nodes.size(); i++) {
            String n = nodes.get(i);
            boolean up = !offline.contains(n);
            x.append("<node_state id=\"").append(i + 1).append("\" uname=\"").append(n).append("\" in_ccm=\"").append(up)
                    .append("\" crmd=\"").append(up ? "online" : "offline").append("\" join=\"").append(up ? "member" : "down")
                    .append("\" expected=\"").append(up ? "member" : "down").append("\"/>");
        }
        x.append(ticketStatus).append("</status></cib>");
        return x.toString();
    }
}
