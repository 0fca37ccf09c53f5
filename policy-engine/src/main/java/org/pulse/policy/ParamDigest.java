package org.pulse.policy;

import java.util.Map;

/**
 * The op-digest Pacemaker records with a one-shot operation, for tools that write history the
 * scheduler will later read (crm simulate's injected results): the same digest the scheduler
 * compares, so an injected start does not look like a parameter change.
 */
public final class ParamDigest {
    private ParamDigest() {
    }

    /** MD5 of the sorted parameters as Pacemaker formats them (no CRM_meta_* for one-shot operations). */
    public static String of(Map<String, String> params) {
        return Digests.of(params);
    }
}
