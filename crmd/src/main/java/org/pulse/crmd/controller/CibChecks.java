package org.pulse.crmd.controller;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibValidator;
import org.pulse.cib.xml.XmlElement;

/**
 * Checks an operator's change on the DC before it is committed, with {@link CibValidator}. Only
 * errors the change adds count, compared as CibStore.saveChecked compares them (by element id and
 * problem, not by line, since lines move when a CIB is edited): a CIB that already had problems
 * when it was stored can still take changes, including the fix.
 *
 * <p>The errors of the current CIB are remembered for its configuration element, so a run of
 * writes validates each CIB once. One instance per DC; not shared.
 */
final class CibChecks {
    private XmlElement checkedConfiguration;
    private Set<String> knownErrors = Set.of();

    /** The errors {@code next} has that {@code current} does not; empty when the change may be committed. */
    List<CibProblem> addedErrors(Cib current, Cib next) {
        List<CibProblem> errors = errors(next);
        if (errors.isEmpty()) {
            remember(next, Set.of());
            return List.of();
        }
        XmlElement currentConfiguration = current.root().element("configuration").orElse(null);
        if (currentConfiguration == null || currentConfiguration != checkedConfiguration) {
            Set<String> keys = new HashSet<>();
            errors(current).forEach(p -> keys.add(p.identity()));
            knownErrors = keys;
            checkedConfiguration = currentConfiguration;
        }
        Set<String> known = knownErrors;
        List<CibProblem> added = errors.stream().filter(p -> !known.contains(p.identity())).toList();
        if (added.isEmpty()) {
            Set<String> keys = new HashSet<>();
            errors.forEach(p -> keys.add(p.identity()));
            remember(next, keys);
        }
        return added;
    }

    /** The refusal an operator reads: one line per problem, each naming file, line, id and what to do. */
    static String message(List<CibProblem> added) {
        StringBuilder b = new StringBuilder("the change is refused because it would make the CIB invalid (")
                .append(added.size()).append(added.size() == 1 ? " new error" : " new errors")
                .append("); nothing was changed. Fix these and retry:");
        for (CibProblem p : added) {
            b.append('\n').append(p.message());
        }
        return b.toString();
    }

    private void remember(Cib cib, Set<String> keys) {
        checkedConfiguration = cib.root().element("configuration").orElse(null);
        knownErrors = keys;
    }

    private static List<CibProblem> errors(Cib cib) {
        return CibValidator.validate(cib).stream().filter(CibProblem::isError).toList();
    }

}
