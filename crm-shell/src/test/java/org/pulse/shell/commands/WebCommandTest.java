package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WebCommandTest {
    @Test
    void lifetimesReadAsAnOperatorWritesThem() {
        assertEquals(90, WebCommand.seconds("90"));
        assertEquals(1800, WebCommand.seconds("30m"));
        assertEquals(8 * 3600, WebCommand.seconds("8h"));
        assertEquals(7 * 86400, WebCommand.seconds("7d"));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> WebCommand.seconds("8d"));
        assertTrue(tooLong.getMessage().contains("1 s to 7 days"), tooLong.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> WebCommand.seconds("1 week"));
        assertTrue(bad.getMessage().contains("30m"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WebCommand.seconds("0"));
    }
}
