package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A clean stop (SIGTERM) of the last node while its peers are gone (crmd took 60 s to exit): asked while the DC
 * it joined is already dead, the request is lost with it; when the view shrinks to this node alone, it is its own
 * DC and must grant its own shutdown, as a member re-asks every new DC, instead of waiting out the stop timeout.
 */
class ShutdownAloneTest {
    @Test
    void theLastNodeAskedToStopWhileItsDcDiedStopsOnceItIsItsOwnDc() throws Exception {
        List<String> nodes = List.of("n1", "n2", "n3");
        MiniCluster c = new MiniCluster(nodes, ControllerTest.cib(ControllerTest.DUMMY,
                "<nvpair id=\"se\" name=\"stonith-enabled\" value=\"false\"/>"), new PolicyEngineScheduler());
        c.view("v1", nodes);
        c.crash("n1");
        c.crash("n2");
        long id = c.admin("n3", new AdminCommand.Shutdown());
        c.settle();
        assertTrue(c.replies.get(id).ok());
        assertEquals(List.of(), c.shutDown, "the request went to the dead DC n1");
        c.view("v2", List.of("n3"));
        assertEquals(List.of("n3"), c.shutDown, "n3, its own DC now, let itself go; log " + c.log);
        assertTrue(c.running.get("n3").isEmpty(), "what ran on n3 was stopped first: " + c.running.get("n3"));
    }
}
