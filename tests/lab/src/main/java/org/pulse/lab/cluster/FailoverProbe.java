package org.pulse.lab.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client's view of a service during a failover: every {@code intervalMs} one TCP connect and
 * HTTP GET with a total deadline of {@code timeoutMs} (the figures' method: 10 ms, 50 ms). A probe
 * succeeds when the answer is {@code 200} and its body's first line is read; that line is kept, so
 * a page that names its node tells which node answered.
 *
 * <p>Times are {@link System#nanoTime()} in ms, which on Linux is CLOCK_MONOTONIC and so comparable
 * between processes of one machine: a probe running in a client network namespace (its own JVM,
 * see {@link #main}) and the benchmark that kills a node agree on when things happened.
 */
public final class FailoverProbe implements Runnable {
    /** One probe: when it ended (monotonic ms), whether it succeeded, and the page's first line. */
    public record Sample(double startMs, double endMs, boolean ok, String page) {
        /** The line {@link #main} prints, read back by {@link #parse}. */
        String line() {
            return String.format(java.util.Locale.ROOT, "%.3f %.3f %d %s", startMs, endMs, ok ? 1 : 0, ok ? page : "-");
        }

        static Sample parse(String line) {
            String[] f = line.split(" ", 4);
            return new Sample(Double.parseDouble(f[0]), Double.parseDouble(f[1]), f[2].equals("1"),
                    f.length > 3 ? f[3] : "");
        }
    }

    /**
     * The outage a failover caused, as the figures define it: the first success after the fault
     * minus the last success before it. {@code failures} probes failed in between; {@code before}
     * and {@code after} are the pages of those two successes (which node answered).
     */
    public record Outage(double lastOkBeforeMs, double firstOkAfterMs, int failures, String before, String after) {
        public long ms() {
            return Math.round(firstOkAfterMs - lastOkBeforeMs);
        }
    }

    private final String host;
    private final int port;
    private final long intervalMs;
    private final long timeoutMs;
    private final Consumer<Sample> sink;
    private volatile boolean stopped;

    public FailoverProbe(String host, int port, long intervalMs, long timeoutMs, Consumer<Sample> sink) {
        this.host = host;
        this.port = port;
        this.intervalMs = intervalMs;
        this.timeoutMs = timeoutMs;
        this.sink = sink;
    }

    public static double nowMs() {
        return System.nanoTime() / 1e6;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long next = System.nanoTime();
        while (!stopped) {
            sink.accept(probeOnce());
            next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else {
                // A probe that waited for its timeout does not make the next ones come in a burst.
                next = System.nanoTime();
            }
        }
    }

    /** One TCP connect + GET within timeoutMs. */
    public Sample probeOnce() {
        double startMs = nowMs();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoLinger(true, 0); // no TIME_WAIT pile-up at 100 connections a second
            s.connect(new InetSocketAddress(host, port), (int) timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n = 0;
            while (n < buf.length) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return new Sample(startMs, nowMs(), false, "");
                }
                s.setSoTimeout((int) left);
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            String text = new String(buf, 0, n, StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/1.1 200") && !text.startsWith("HTTP/1.0 200")) {
                return new Sample(startMs, nowMs(), false, "");
            }
            int body = text.indexOf("\r\n\r\n");
            if (body < 0) {
                return new Sample(startMs, nowMs(), false, "");
            }
            String page = text.substring(body + 4).strip();
            int nl = page.indexOf('\n');
            return new Sample(startMs, nowMs(), true, (nl < 0 ? page : page.substring(0, nl)).strip());
        } catch (SocketTimeoutException e) {
            return new Sample(startMs, nowMs(), false, "");
        } catch (IOException e) {
            return new Sample(startMs, nowMs(), false, "");
        }
    }

    /**
     * The outage around a fault that began at {@code faultMs} and was complete at
     * {@code faultDoneMs} (e.g. the kill signals sent): the last success that began before the
     * fault, and the first that began after it was complete (an answer already on its way when
     * the server died does not count as recovery). Null when either is missing.
     */
    public static Outage outage(List<Sample> samples, double faultMs, double faultDoneMs) {
        Sample before = null;
        Sample after = null;
        int failures = 0;
        for (Sample s : samples) {
            if (s.startMs() < faultMs) {
                if (s.ok()) {
                    before = s;
                }
            } else if (s.startMs() <= faultDoneMs) {
                continue;
            } else if (s.ok()) {
                after = s;
                break;
            } else {
                failures++;
            }
        }
        if (before == null || after == null) {
            return null;
        }
        return new Outage(before.endMs(), after.endMs(), failures, before.page(), after.page());
    }

    /**
     * The pages of successful probes with repeats collapsed: [n1, n2] for one clean failover. A
     * page seen again after another one ([n1, n2, n1]) means two nodes answered in turn.
     */
    public static List<String> answerers(List<Sample> samples) {
        List<String> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.ok() && (out.isEmpty() || !out.get(out.size() - 1).equals(s.page()))) {
                out.add(s.page());
            }
        }
        return out;
    }

    /** Reads samples printed by {@link #main}. */
    public static List<Sample> parseAll(List<String> lines) {
        List<Sample> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.isBlank() && Character.isDigit(l.charAt(0))) {
                out.add(Sample.parse(l.strip()));
            }
        }
        return out;
    }

    /**
     * {@code FailoverProbe HOST PORT [INTERVAL_MS [TIMEOUT_MS]]}: probes until stdin closes (or a
     * line "stop" arrives), one line per probe on stdout: {@code MONO_MS OK PAGE}. Run inside the
     * client's network namespace by the failover benchmark and tests.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FailoverProbe HOST PORT [INTERVAL_MS [TIMEOUT_MS]]");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        FailoverProbe probe = new FailoverProbe(args[0], Integer.parseInt(args[1]),
                args.length > 2 ? Long.parseLong(args[2]) : 10, args.length > 3 ? Long.parseLong(args[3]) : 50, s -> {
                    synchronized (out) {
                        out.println(s.line());
                        out.flush();
                    }
                });
        Thread t = new Thread(probe, "probe");
        t.start();
        out.println("# probing " + args[0] + ":" + args[1] + " (monotonic ms, ok, first line of the page)");
        out.flush();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals("stop")) {
            // wait
        }
        probe.stop();
        t.join(1000);
        out.flush();
        System.exit(0);
    }
}
