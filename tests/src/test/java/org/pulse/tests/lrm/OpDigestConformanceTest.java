package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.pulse.lrm.OpDigest;
import org.pulse.lab.support.TestEnv;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Pulse's op-digest equals Pacemaker's: for every start/probe (interval 0) recorded in the status sections of
 * Pacemaker's scheduler regression CIBs (../shared/conformance), whose primitive has plain instance
 * attributes, the digest Pacemaker stored is recomputed from the configuration. A few cases store digests of
 * older parameters on purpose (they test parameter changes), so the bar is a large majority, not all.
 */
class OpDigestConformanceTest {
    @Test
    void digestsMatchPacemakersOwn() throws Exception {
        Path cases = TestEnv.shared().resolve("conformance/cases");
        int match = 0;
        int mismatch = 0;
        List<String> examples = new ArrayList<>();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try (Stream<Path> dirs = Files.list(cases)) {
            for (Path dir : dirs.sorted().toList()) {
                Path cib = dir.resolve("cib.xml");
                if (!Files.isRegularFile(cib)) {
                    continue;
                }
                Document doc;
                try {
                    doc = f.newDocumentBuilder().parse(cib.toFile());
                } catch (Exception unparsable) {
                    continue; // some cases are deliberately broken input; not this test's business
                }
                Map<String, Map<String, String>> prims = new HashMap<>();
                NodeList ps = doc.getElementsByTagName("primitive");
                for (int i = 0; i < ps.getLength(); i++) {
                    Element p = (Element) ps.item(i);
                    Map<String, String> params = new TreeMap<>();
                    boolean plain = true;
                    for (Element ia : children(p, "instance_attributes")) {
                        if (!children(ia, "rule").isEmpty()) {
                            plain = false;
                        }
                        for (Element nv : children(ia, "nvpair")) {
                            params.put(nv.getAttribute("name"), nv.getAttribute("value"));
                        }
                    }
                    if (plain) {
                        prims.put(p.getAttribute("id"), params);
                    }
                }
                NodeList rs = doc.getElementsByTagName("lrm_resource");
                for (int i = 0; i < rs.getLength(); i++) {
                    Element r = (Element) rs.item(i);
                    Map<String, String> params = prims.get(r.getAttribute("id").split(":")[0]);
                    if (params == null) {
                        continue;
                    }
                    for (Element op : children(r, "lrm_rsc_op")) {
                        String stored = op.getAttribute("op-digest");
                        if (stored.isEmpty() || !op.getAttribute("interval").equals("0")
                                || !(op.getAttribute("operation").equals("start") || op.getAttribute("operation").equals("monitor"))) {
                            continue;
                        }
                        if (OpDigest.of(params, 0, 20_000).equals(stored)) {
                            match++;
                        } else {
                            mismatch++;
                            if (examples.size() < 5) {
                                examples.add(dir.getFileName() + ":" + r.getAttribute("id"));
                            }
                        }
                    }
                }
            }
        }
        System.out.println("op-digest: " + match + " equal to Pacemaker's, " + mismatch + " differ (e.g. " + examples + ")");
        assertTrue(match >= 500, "only " + match + " digests compared equal");
        assertTrue(match >= 20 * mismatch, match + " equal but " + mismatch + " differ, e.g. " + examples);
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element && ((Element) nl.item(i)).getTagName().equals(tag)) {
                out.add((Element) nl.item(i));
            }
        }
        return out;
    }
}
