package org.pulse.messaging;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;

/**
 * Sits right above VERIFY_SUSPECT2 and reports the suspicions it confirmed (JGroups 5 no longer
 * tells the application about suspicions), passing every event on unchanged.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class SuspectTap extends Protocol {
    private final Consumer<Collection<Address>> onSuspect;

    SuspectTap(Consumer<Collection<Address>> onSuspect) {
        this.onSuspect = onSuspect;
    }

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT) {
            Object arg = evt.getArg();
            if (arg instanceof Collection<?> c) {
                onSuspect.accept(c.stream().filter(Address.class::isInstance).map(Address.class::cast).toList());
            } else if (arg instanceof Address a) {
                onSuspect.accept(List.of(a));
            }
        }
        return up_prot.up(evt);
    }
}
