import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How late a thread that asks to wake every interval actually wakes, at Thread.MAX_PRIORITY (what
 * messaging's heartbeat thread asks for) and at normal priority side by side, in this JVM. Run by
 * bench/heartbeat-priority with and without crmd's priority flags while busy loops hold the cores;
 * prints each thread's nice value as the kernel sees it (/proc) and its lateness percentiles.
 * Args: seconds intervalMs.
 */
public final class HeartbeatPriority {
    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        long intervalMs = Long.parseLong(args[1]);
        int n = (int) (seconds * 1000 / intervalMs);
        long[] high = new long[n];
        long[] normal = new long[n];
        Thread h = new Thread(() -> wake(high, intervalMs), "hb-priority-max");
        h.setPriority(Thread.MAX_PRIORITY);
        Thread l = new Thread(() -> wake(normal, intervalMs), "hb-priority-norm");
        long cpu0 = System.nanoTime();
        h.start();
        l.start();
        Thread.sleep(200);
        String niceHigh = niceOf("hb-priority-max");
        String niceNorm = niceOf("hb-priority-norm");
        h.join();
        l.join();
        System.out.printf("priority-max  nice=%s %s%n", niceHigh, summary(high));
        System.out.printf("priority-norm nice=%s %s%n", niceNorm, summary(normal));
        System.out.printf("wall_s=%.1f%n", (System.nanoTime() - cpu0) / 1e9);
    }

    private static void wake(long[] lateNanos, long intervalMs) {
        long interval = intervalMs * 1_000_000L;
        long next = System.nanoTime() + interval;
        for (int i = 0; i < lateNanos.length; i++) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            long now = System.nanoTime();
            lateNanos[i] = now - next;
            next = now + interval;
        }
    }

    private static String summary(long[] lateNanos) {
        long[] s = lateNanos.clone();
        Arrays.sort(s);
        long over25 = Arrays.stream(s).filter(x -> x > 25_000_000L).count();
        return String.format("wakes=%d late_ms p50=%.2f p99=%.2f p999=%.2f max=%.1f over_25ms=%d", s.length, s[s.length / 2] / 1e6,
                s[(int) (s.length * 0.99)] / 1e6, s[(int) Math.min(s.length - 1, s.length * 0.999)] / 1e6, s[s.length - 1] / 1e6,
                over25);
    }

    /** The nice value of this process's thread named {@code name} (Linux names threads after Java's, 15 characters). */
    private static String niceOf(String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return f[16]; // field 19 of stat: nice
                }
            }
        }
        return "?";
    }
}
