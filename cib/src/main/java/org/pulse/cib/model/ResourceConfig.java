package org.pulse.cib.model;

import java.util.List;

/** A configured resource: primitive, group, clone (plain or promotable) or bundle. */
public sealed interface ResourceConfig permits PrimitiveConfig, GroupConfig, CloneConfig, BundleConfig {
    String id();

    List<NvSet> metaAttributes();

    List<NvSet> instanceAttributes();
}
