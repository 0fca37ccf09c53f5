package org.pulse.crmd.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The heap's growth while the resident scheduler runs a big CIB, and its return after.
 *
 * <p>crmd's heap is set for its idle life (bin/crmd): a 2 MB young generation, and an old generation that
 * each full collection sizes to what is live plus 10 to 20 % (MinHeapFreeRatio=10, MaxHeapFreeRatio=20).
 * A simulate of a 32 x 10,000 CIB with full probe history (183 MB: a tree of ~250 MB live, ~800 MB
 * allocated, nearly all of it promoted through so small a young generation) grew the old generation from
 * a few MB in steps of 10 %, each one a full collection of everything live: a dozen full collections a
 * request, most of its CPU. While such a run lasts the old generation may grow in steps of 40 to 70 % (both
 * flags can be set at run time), which halves them. After it the flags are as before, and full
 * collections give the memory back: the idle heap is the one bin/crmd sets, not the big run's (without
 * them, an idle crmd kept the big run's ~300-400 MB committed: the GC log showed (294M) after the run).
 *
 * <p>Only the runtime's scheduler thread uses it, one run at a time; a JVM without these flags (another
 * collector, a flag not writable) runs as it is.
 */
final class BigRunHeap implements AutoCloseable {
    /** From this size on a CIB is a big run's (a CIB without history is ~4 MB at 32 x 10,000). */
    static final long BIG_CIB_BYTES = 16L << 20;
    /** Growth of the committed heap during a run after which it is given back. */
    private static final long GREW_BYTES = 32L << 20;
    /** Full collections the serial collector needs to give back all it may (see {@link #close}). */
    private static final int SHRINK_STEPS = 4;
    private static final String MIN = "MinHeapFreeRatio";
    private static final String MAX = "MaxHeapFreeRatio";

    private final HotSpotDiagnosticMXBean vm;
    private final String min;
    private final String max;
    /** The heap's committed size when the run began. */
    private final long committedBytes = Runtime.getRuntime().totalMemory();

    private BigRunHeap(HotSpotDiagnosticMXBean vm, String min, String max) {
        this.vm = vm;
        this.min = min;
        this.max = max;
    }

    /** Lets the heap grow in big steps until {@link #close}, for a CIB of {@code cibBytes}; null when it stays as it is. */
    static BigRunHeap forCib(long cibBytes) {
        if (cibBytes < BIG_CIB_BYTES) {
            return null;
        }
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String min = vm.getVMOption(MIN).getValue();
            String max = vm.getVMOption(MAX).getValue();
            BigRunHeap restore = new BigRunHeap(vm, min, max);
            try {
                // Max first: MinHeapFreeRatio may never exceed it.
                vm.setVMOption(MAX, "70");
                vm.setVMOption(MIN, "40");
            } catch (RuntimeException e) {
                restore.close();
                return null;
            }
            return restore;
        } catch (RuntimeException e) {
            return null;   // not HotSpot, or the flags are not writable here: the run is slower, not wrong
        }
    }

    @Override
    public void close() {
        try {
            vm.setVMOption(MIN, min);
            vm.setVMOption(MAX, max);
        } catch (RuntimeException e) {
            // set at the start, so settable now; nothing else to do
        }
        // The big run's tree is garbage now: full collections size the old generation to the live set again
        // (MaxHeapFreeRatio) and return the rest to the kernel. The serial collector shrinks in steps (0, 10,
        // 40, then 100 % of the excess: ShrinkHeapInSteps), so it takes up to four; after one alone the ~400 MB
        // stayed committed, as they did before this class, until collections an idle crmd rarely makes. Only
        // after a run that grew the heap: a request refused before it was read costs no collection.
        for (int i = 0; i < SHRINK_STEPS && Runtime.getRuntime().totalMemory() > committedBytes + GREW_BYTES; i++) {
            System.gc();
        }
    }
}
