package org.pulse.policy.simulate;

/**
 * What a simulate run gives back: the text {@code crm simulate} prints (empty with quiet), and the
 * documents asked for ({@link SimulateOptions#wantInput()} ...; null when not asked): the CIB as
 * decided, the CIB the run leaves (or as decided, without --run), and the transition graph XML as
 * crm_simulate -G writes it. {@code actions} is the transition's size, for callers that count.
 */
public record SimulationResult(String text, String inputXml, String outputXml, String graphXml, int actions) {
    public SimulationResult {
        java.util.Objects.requireNonNull(text, "text");
    }
}
