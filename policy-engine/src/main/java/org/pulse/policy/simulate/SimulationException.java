package org.pulse.policy.simulate;

/** A simulate request that cannot be carried out; the message names the option or thing and what to do. */
public final class SimulationException extends Exception {
    private static final long serialVersionUID = 1L;

    public SimulationException(String message) {
        super(message);
    }
}
