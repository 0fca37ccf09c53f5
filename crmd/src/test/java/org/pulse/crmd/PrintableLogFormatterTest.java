package org.pulse.crmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableLogFormatterTest {

    @Test
    void controlCharactersOfAnAddressAreWrittenAsEscapes() {
        String line = "local_addr: n1(pulse.node=n1, pulse.inc=\u0000\u0006b\u0013m/), name: n1\n";
        assertEquals("local_addr: n1(pulse.node=n1, pulse.inc=\\x00\\x06b\\x13m/), name: n1\n",
                PrintableLogFormatter.printable(line));
    }

    @Test
    void aPrintableLineIsLeftAsItIs() {
        String line = "view n1.1796670792418320:4: [n1, n2, n3]\tDC n1\n";
        assertSame(line, PrintableLogFormatter.printable(line));
    }
}
