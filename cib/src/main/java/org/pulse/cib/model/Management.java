package org.pulse.cib.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether the cluster manages a resource: the one rule the policy engine decides by and crm status
 * shows, so a resource that status calls managed is never one the engine leaves alone. Pacemaker's
 * rule: a resource is unmanaged when its resolved meta attributes ({@link AttributeInheritance}: its
 * own, its group's or clone's, rsc_defaults) say is-managed=false or maintenance=true, or when the
 * cluster is in maintenance-mode.
 */
public final class Management {
    private Management() {
    }

    /** Whether the resource is in maintenance: its resolved meta says maintenance=true, or the cluster's maintenance-mode. */
    public static boolean maintenance(Map<String, String> resolvedMeta, ClusterOptions options) {
        return options.maintenanceMode() || ClusterOptions.isTrue(resolvedMeta.get("maintenance"));
    }

    /** Whether the cluster manages the resource whose meta attributes resolved to {@code resolvedMeta}. */
    public static boolean managed(Map<String, String> resolvedMeta, ClusterOptions options) {
        String managed = resolvedMeta.get("is-managed");
        return (managed == null || ClusterOptions.isTrue(managed)) && !maintenance(resolvedMeta, options);
    }

    /**
     * The ids of every configured resource (primitives, groups, clones, bundles and what they hold) the
     * cluster does not manage, with rules evaluated at {@code at}.
     */
    public static Set<String> unmanaged(CibModel cib, Instant at) {
        Set<String> out = new TreeSet<>();
        for (ResourceConfig rc : cib.resources()) {
            collect(cib, rc, Map.of(), at, out);
        }
        return out;
    }

    private static void collect(CibModel cib, ResourceConfig rc, Map<String, String> parentMeta, Instant at,
            Set<String> out) {
        RuleContext ctx = rc instanceof PrimitiveConfig p ? AttributeInheritance.context(at, p.cls(), p.provider(), p.type())
                : AttributeInheritance.context(at, null, null, null);
        Map<String, String> meta = AttributeInheritance.meta(rc.metaAttributes(), parentMeta, cib.rscDefaults(), ctx);
        if (!managed(meta, cib.options())) {
            out.add(rc.id());
        }
        List<? extends ResourceConfig> children = List.of();
        if (rc instanceof GroupConfig g) {
            children = g.members();
        } else if (rc instanceof CloneConfig c && c.child() != null) {
            children = List.of(c.child());
        } else if (rc instanceof BundleConfig b && b.child() != null) {
            children = List.of(b.child());
        }
        for (ResourceConfig child : children) {
            collect(cib, child, meta, at, out);
        }
    }
}
