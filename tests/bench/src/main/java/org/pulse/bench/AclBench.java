package org.pulse.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.pulse.cib.Cib;
import org.pulse.cib.acl.AclSubject;
import org.pulse.cib.acl.CibAcl;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/**
 * What ACLs cost a restricted user's requests on a big CIB: the filtered copy crmd answers a query
 * with ({@link CibAcl#filterForRead}) and the DC's check of one write ({@link CibAcl#checkWrite}, a
 * target-role set on one primitive). The CIB gets enable-acl=true and one role: read /cib, deny
 * every nvpair named password, write one primitive. Unrestricted users pay nothing (both return at
 * once). Warm medians, after a cold first run.
 *
 * <pre>bench/_run-java org.pulse.bench.AclBench --file FILE [--rounds 10]</pre>
 * Last line: {@code acl resources=.. filter_ms=.. check_write_ms=.. cold_filter_ms=..}.
 */
public final class AclBench {
    private AclBench() {
    }

    static final String USAGE = "usage: AclBench --file FILE [--rounds R]   (bench/acl runs it on generated CIBs)";

    public static void main(String[] args) throws Exception {
        Path file = null;
        int rounds = 10;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--file" -> file = Path.of(BenchArgs.value(args, ++i));
                    case "--rounds" -> rounds = BenchArgs.intOf("--rounds", BenchArgs.value(args, ++i), 1);
                    default -> throw new BenchArgs.BadArgument("unknown argument " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/acl (AclBench)", USAGE, e);
        }
        if (file == null || !Files.isRegularFile(file)) {
            System.err.println("AclBench: --file must name a CIB (python3 ../shared/bench/gen_cib.py -n 32 -m 10000 -o FILE)");
            System.exit(2);
        }
        XmlElement root = Cib.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8)).root();
        List<XmlElement> primitives = new ArrayList<>();
        collect(root, "primitive", primitives);
        String target = primitives.get(primitives.size() / 2).id();
        root = withAcls(root, target);
        AclSubject alice = AclSubject.user("alice", "haclient");
        XmlElement base = root;
        XmlElement changed = setTargetRole(root, target);

        long t0 = System.nanoTime();
        CibAcl.filterForRead(base, alice);
        double coldFilterMs = (System.nanoTime() - t0) / 1e6;
        double filterMs = median(rounds, () -> CibAcl.filterForRead(base, alice));
        double checkMs = median(rounds, () -> {
            if (CibAcl.checkWrite(base, changed, alice).isPresent()) {
                throw new IllegalStateException("the bench's own write was refused");
            }
            return null;
        });
        System.out.printf("acl resources=%d filter_ms=%.1f check_write_ms=%.1f cold_filter_ms=%.1f%n",
                primitives.size(), filterMs, checkMs, coldFilterMs);
    }

    private static double median(int rounds, Supplier<?> work) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            work.get();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }

    private static void collect(XmlElement e, String name, List<XmlElement> out) {
        if (e.name().equals(name)) {
            out.add(e);
        }
        for (XmlElement c : e.elements()) {
            collect(c, name, out);
        }
    }

    private static XmlElement withAcls(XmlElement root, String target) throws Exception {
        XmlElement acls = XmlParser.parse("bench", "<acls><acl_role id=\"operator\">"
                + "<acl_permission id=\"op-read\" kind=\"read\" xpath=\"/cib\"/>"
                + "<acl_permission id=\"op-pw\" kind=\"deny\" xpath=\"//nvpair[@name='password']\"/>"
                + "<acl_permission id=\"op-w\" kind=\"write\" reference=\"" + target + "\"/></acl_role>"
                + "<acl_target id=\"alice\"><role id=\"operator\"/></acl_target></acls>");
        XmlElement enable = XmlParser.parse("bench", "<cluster_property_set id=\"acl-bench\">"
                + "<nvpair id=\"acl-bench-enable\" name=\"enable-acl\" value=\"true\"/></cluster_property_set>");
        return transform(root, e -> {
            if (e.name().equals("configuration")) {
                return e.withoutChildren(c -> c.name().equals("acls")).withChildAppended(acls);
            }
            if (e.name().equals("crm_config")) {
                return e.withChildAppended(enable);
            }
            return e;
        });
    }

    private static XmlElement setTargetRole(XmlElement root, String target) {
        return transform(root, e -> target.equals(e.id()) && e.name().equals("primitive")
                ? e.withChildAppended(XmlElement.of("meta_attributes", "id", target + "-meta").withChildAppended(
                        XmlElement.of("nvpair", "id", target + "-meta-target-role", "name", "target-role", "value",
                                "Stopped")))
                : e);
    }

    private static XmlElement transform(XmlElement e, java.util.function.UnaryOperator<XmlElement> f) {
        List<org.pulse.cib.xml.XmlNode> kids = new ArrayList<>();
        boolean changed = false;
        for (org.pulse.cib.xml.XmlNode n : e.children()) {
            org.pulse.cib.xml.XmlNode m = n instanceof XmlElement c ? transform(c, f) : n;
            changed |= m != n;
            kids.add(m);
        }
        return f.apply(changed ? e.withChildren(kids) : e);
    }
}
