package org.pulse.cib.model;

import java.util.List;

/** {@code <rsc_colocation>}: {@code rsc} is placed relative to {@code withRsc}, or by sets. */
public record ColocationConstraint(String id, String rsc, String withRsc, String score, String rscRole,
                                   String withRscRole, String nodeAttribute, String influence,
                                   List<ResourceSet> sets) {
    public ColocationConstraint {
        sets = List.copyOf(sets);
    }
}
