package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** A big run's heap ratios hold while it lasts and are bin/crmd's again after it; a small CIB changes nothing. */
class BigRunHeapTest {
    private static final HotSpotDiagnosticMXBean VM = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    private static String flag(String name) {
        return VM.getVMOption(name).getValue();
    }

    @Test
    void theRatiosAreBigOnlyWhileABigCibRuns() {
        String min = flag("MinHeapFreeRatio");
        String max = flag("MaxHeapFreeRatio");
        try {
            // bin/crmd's idle ratios
            VM.setVMOption("MinHeapFreeRatio", "10");
            VM.setVMOption("MaxHeapFreeRatio", "20");
            assertNull(BigRunHeap.forCib(BigRunHeap.BIG_CIB_BYTES - 1), "a CIB below 16 MB runs as crmd is set");
            assertEquals("10", flag("MinHeapFreeRatio"));
            BigRunHeap big = BigRunHeap.forCib(BigRunHeap.BIG_CIB_BYTES);
            assertNotNull(big, "this JVM's ratios can be set at run time");
            assertEquals("40", flag("MinHeapFreeRatio"));
            assertEquals("70", flag("MaxHeapFreeRatio"));
            big.close();
            assertEquals("10", flag("MinHeapFreeRatio"));
            assertEquals("20", flag("MaxHeapFreeRatio"));
        } finally {
            VM.setVMOption("MaxHeapFreeRatio", "100");
            VM.setVMOption("MinHeapFreeRatio", min);
            VM.setVMOption("MaxHeapFreeRatio", max);
        }
    }
}
