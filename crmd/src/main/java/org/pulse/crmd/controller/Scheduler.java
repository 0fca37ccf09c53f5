package org.pulse.crmd.controller;

import java.time.Instant;
import org.pulse.cib.Cib;

/**
 * The policy engine as the DC uses it: the CIB and the time in, a transition out. A pure function;
 * the runtime adapts org.pulse.policy.PolicyEngine to it.
 */
public interface Scheduler {
    TransitionPlan schedule(Cib cib, Instant now);
}
