package org.pulse.tests.scheduler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.Scores;
import org.pulse.cib.xml.XmlElement;
import org.pulse.policy.Explanation;
import org.pulse.policy.Transition;

/**
 * A golden case's allocation scores in the words crm_simulate -s uses
 * ({@code pcmk__primitive_assign: RSC allocation score on NODE: N}, {@code pcmk__group_assign:}
 * for a group), one line per resource and node that may run it, resources in configuration
 * order and nodes in node order. What Pulse prints is what it decided with: the table its
 * assignment used (Explanation totals), which is not always the table crm_simulate prints.
 */
final class GoldenScores {
    private GoldenScores() {
    }

    static String render(XmlElement cib, Transition t) {
        Set<String> groups = new HashSet<>();
        collectGroups(cib, groups);
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Explanation> e : t.explanations().all().entrySet()) {
            String id = e.getKey();
            String base = id.indexOf(':') >= 0 ? id.substring(0, id.indexOf(':')) : id;
            String fn = groups.contains(base) ? "pcmk__group_assign" : "pcmk__primitive_assign";
            for (Map.Entry<String, Integer> s : e.getValue().totals().entrySet()) {
                out.append(fn).append(": ").append(id).append(" allocation score on ").append(s.getKey())
                        .append(": ").append(Scores.format(s.getValue())).append('\n');
            }
        }
        return out.toString();
    }

    private static void collectGroups(XmlElement e, Set<String> groups) {
        if ("group".equals(e.name()) && e.id() != null) {
            groups.add(e.id());
        }
        if ("status".equals(e.name())) {
            return;
        }
        for (XmlElement c : e.elements()) {
            collectGroups(c, groups);
        }
    }

    /**
     * The lines of crm_simulate -s output that can be set beside Pulse's: primitive scores, and
     * group scores of the groups themselves (crm_simulate also prints members under the group's
     * function name).
     */
    static List<String> comparable(String crmSimulateOutput, String pulseScores) {
        Set<String> pulseGroupIds = new HashSet<>();
        for (String l : pulseScores.split("\n")) {
            if (l.startsWith("pcmk__group_assign: ")) {
                pulseGroupIds.add(l.substring("pcmk__group_assign: ".length(), l.indexOf(" allocation score")));
            }
        }
        List<String> out = new ArrayList<>();
        for (String l : crmSimulateOutput.split("\n")) {
            if (l.startsWith("pcmk__primitive_assign: ")) {
                out.add(l.trim());
            } else if (l.startsWith("pcmk__group_assign: ") && l.contains(" allocation score on ")
                    && pulseGroupIds.contains(l.substring("pcmk__group_assign: ".length(), l.indexOf(" allocation score")))) {
                out.add(l.trim());
            }
        }
        return out;
    }
}
