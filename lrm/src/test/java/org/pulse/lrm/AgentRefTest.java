package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgentRefTest {
    @Test
    void parsesCrmshSpellings() {
        assertEquals(AgentRef.ocf("pulse", "Dummy"), AgentRef.parse("ocf:pulse:Dummy"));
        assertEquals(AgentRef.ocf("heartbeat", "IPaddr2"), AgentRef.parse("ocf:IPaddr2"));
        assertEquals(AgentRef.ocf("heartbeat", "IPaddr2"), AgentRef.parse("IPaddr2"));
        assertEquals(new AgentRef("lsb", null, "ssh"), AgentRef.parse("lsb:ssh"));
        assertEquals("stonith:fence_xvm", AgentRef.parse("stonith:fence_xvm").toString());
        assertEquals("ocf:heartbeat:Dummy", AgentRef.parse("ocf:heartbeat:Dummy").toString());
    }

    @Test
    void refusesPathsAndUnknownClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentRef.parse("ocf:..:x"));
        assertTrue(e.getMessage().contains("ocf:..:x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AgentRef.parse("systemd:sshd"));
        assertThrows(IllegalArgumentException.class, () -> AgentRef.parse("a:b:c:d"));
        assertThrows(IllegalArgumentException.class, () -> AgentRef.parse("ocf:p:a/b"));
    }
}
