package org.pulse.cib.model;

import java.time.Instant;
import java.util.List;
import org.pulse.cib.xml.XmlElement;

/**
 * The typed, immutable view of a CIB that the scheduler and the shell read. Built by the pure
 * function {@link #from(XmlElement)}; what it does not understand it leaves out (the XML tree
 * keeps it), and it never throws on odd content: a value it cannot read takes the default.
 *
 * @param haveQuorum     {@code have-quorum} on {@code <cib>}; missing means no quorum
 * @param executionDate  {@code execution-date} on {@code <cib>} (the time to decide at), or null
 * @param fencingLevels  the fencing topology
 * @param tags           tag id → the ids it names ({@code <tags><tag><obj_ref>}), usable in constraints
 * @param tickets        ticket id → its state ({@code <status><tickets>}); absent means not granted
 * @param noQuorumPanic  {@code no-quorum-panic} on {@code <cib>}: this partition had quorum and lost
 *                       it (no-quorum-policy=suicide acts only then)
 */
public record CibModel(ClusterOptions options, List<NvSet> clusterPropertySets, List<NodeConfig> nodes,
                       List<ResourceConfig> resources, Constraints constraints, List<NvSet> rscDefaults,
                       List<NvSet> opDefaults, List<FencingLevel> fencingLevels, List<AlertConfig> alerts,
                       List<NodeState> status, boolean haveQuorum, Instant executionDate, String dcUuid,
                       java.util.Map<String, List<String>> tags, java.util.Map<String, TicketState> tickets,
                       boolean noQuorumPanic) {
    public CibModel {
        clusterPropertySets = List.copyOf(clusterPropertySets);
        nodes = List.copyOf(nodes);
        resources = List.copyOf(resources);
        rscDefaults = List.copyOf(rscDefaults);
        opDefaults = List.copyOf(opDefaults);
        fencingLevels = List.copyOf(fencingLevels);
        alerts = List.copyOf(alerts);
        status = List.copyOf(status);
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
        tickets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tickets));
    }

    /** Builds the model from the root {@code <cib>} element. */
    public static CibModel from(XmlElement root) {
        return new CibModelReader(root).read();
    }
}
