package org.pulse.messaging;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.util.TimeScheduler;

/**
 * VERIFY_SUSPECT2 that lets a suspicion through as soon as the suspect's time to answer is over, not at
 * the next tick of its checker. JGroups checks its suspects at a fixed rate of {@code timeout}, so a
 * suspicion raised at a random moment went up after one to two timeouts (1.5 on average: 75 ms at the
 * default 50). Here each new suspicion also schedules one check for the moment its own timeout ends, so it
 * goes up after the timeout and about a millisecond. The suspect gets exactly the same time to answer
 * "are you dead?" as before (an entry is released only once its target time has passed, by the same
 * check), so nothing a live node could do before is taken from it: only the idle half tick is gone.
 * JGroups' periodic check still runs, and still catches anything a one-shot missed.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class PromptVerifySuspect extends VERIFY_SUSPECT2 {
    /** After the target time: VERIFY_SUSPECT2 counts in whole milliseconds of the wall clock. */
    static final long MARGIN_MS = 1;

    public PromptVerifySuspect() {
        // VERIFY_SUSPECT2's own protocol id: its "are you dead?" messages are the same as a plain one's, so a node
        // of the previous version answers them (a subclass would otherwise have no id at all).
        setId(ClassConfigurator.getProtocolId(VERIFY_SUSPECT2.class));
    }

    @Override
    protected synchronized void addSuspects(Collection<Address> suspects) {
        super.addSuspects(suspects);
        if (suspects == null || suspects.isEmpty() || timer == null || !running) {
            return;
        }
        // run() releases only the entries whose target time (added + timeout) has passed, and is safe to call
        // from any thread: a check too early or twice releases nothing it should not.
        timer.schedule(this, timeout + MARGIN_MS, TimeUnit.MILLISECONDS);
    }

    /** The scheduler {@code init()} takes from the transport, for a test without one. */
    void useTimer(TimeScheduler scheduler) {
        this.timer = scheduler;
    }
}
