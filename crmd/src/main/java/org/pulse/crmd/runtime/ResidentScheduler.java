package org.pulse.crmd.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.simulate.SimulateOptions;
import org.pulse.policy.simulate.Simulation;
import org.pulse.policy.simulate.SimulationException;
import org.pulse.policy.simulate.SimulationResult;

/**
 * crmd's resident scheduler: {@code crm simulate} answered in the running daemon, whose scheduler
 * code the JIT has already compiled (by the DC's own scheduling, or by a warm-up on built-in CIBs
 * shortly after start), instead of in a cold JVM. It runs {@link Simulation#run}, the very
 * function the shell runs in its own process, so both print the same.
 *
 * <p>Bounds, so that simulate never hurts the node it runs on:
 * <ul>
 * <li>One run at a time, on one thread of the lowest priority; at most {@link #MAX_WAITING}
 * requests wait for it, any more are refused as busy at once.</li>
 * <li>Memory: crmd's heap is small and crmd exits on OutOfMemoryError, so a CIB is taken only
 * when {@link #HEAP_PER_CIB_BYTE} times its size fits in the heap free at that moment (measured:
 * a 3.8 MB CIB of 32 x 10,000 without history needs ~12x its size; full probe history ~3x).
 * A gzipped CIB is unpacked no further than the size it declared.</li>
 * <li>Time: the caller gets an answer within the timeout; a run past it is left to finish (the
 * scheduler cannot be stopped half-way) and its result is dropped, and the requests behind it
 * wait or are refused as busy meanwhile.</li>
 * </ul>
 * Who may ask is {@link AdminHandler}'s business (the socket's rules and the CIB's ACLs).
 */
final class ResidentScheduler implements AutoCloseable {
    static final int MAX_WAITING = 2;
    static final long HEAP_PER_CIB_BYTE = 16;
    static final long DEFAULT_TIMEOUT_MS = org.pulse.cib.admin.AdminDeadlines.SIMULATE_ANSWER_MS;
    /**
     * Warm-up waits this long after start, and then, checking at this interval, until the node has joined a
     * quorate partition: a fixed delay alone ran it while 8-32 nodes started together were still forming
     * (forming took 12-60 s there), 8-32 warm-ups competing with the heartbeats and joins for 2 cores.
     */
    static final long WARM_UP_DELAY_MS = 5_000;
    private static final int WARM_UP_ROUNDS = 5;
    private static final Instant WARM_UP_AT = Instant.ofEpochSecond(1_700_000_000L);

    private final ThreadPoolExecutor worker;
    private final LongSupplier freeHeapBytes;
    private final long timeoutMs;

    /** Completed as the warm-up starts. */
    private final CompletableFuture<Void> warmUpStarted = new CompletableFuture<>();

    /**
     * {@code freeHeapBytes}: the heap a run may still use (crmd: max minus used); {@code warmUpDelayMs}
     * negative for no warm-up; {@code formed}: whether the node has joined a quorate partition (the warm-up
     * waits for it; a node that never joins warms on its first request instead).
     */
    ResidentScheduler(LongSupplier freeHeapBytes, long timeoutMs, long warmUpDelayMs, BooleanSupplier formed) {
        this.freeHeapBytes = freeHeapBytes;
        this.timeoutMs = timeoutMs;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_WAITING), r -> {
            Thread t = new Thread(r, "crmd-scheduler");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        if (warmUpDelayMs >= 0) {
            warmUpOnceFormed(warmUpDelayMs, formed);
        }
    }

    private void warmUpOnceFormed(long delayMs, BooleanSupplier formed) {
        CompletableFuture.runAsync(() -> {
            if (worker.isShutdown()) {
                return;
            }
            if (!formed.getAsBoolean()) {
                warmUpOnceFormed(delayMs, formed);
                return;
            }
            try {
                worker.execute(() -> {
                    warmUpStarted.complete(null);
                    warmUp();
                });
            } catch (RejectedExecutionException e) {
                // busy with real requests already (or closed): they warm it up
            }
        }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
    }

    /** Whether the warm-up has started (tests). */
    boolean warmUpStarted() {
        return warmUpStarted.isDone();
    }

    /** The heap crmd's JVM may still use (max minus what is in use now). */
    static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static void warmUp() {
        try {
            Map<String, String> cibs = Simulation.warmUpCibs();
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                for (Map.Entry<String, String> c : cibs.entrySet()) {
                    PolicyEngine.schedule(CibModel.from(XmlParser.parse(c.getKey(), c.getValue())), WARM_UP_AT)
                            .writeGraphXml(java.io.OutputStream.nullOutputStream());
                }
            }
        } catch (Exception e) {
            // a warm-up that fails costs only its time; requests report their own errors
        }
    }

    /** The names of the arguments a simulate request may carry. */
    static java.util.Set<String> argNames() {
        java.util.Set<String> names = new java.util.HashSet<>(SimulateOptions.argNames());
        names.addAll(java.util.List.of("cib", "cib_gz", "cib_bytes", "now_ms"));
        return java.util.Set.copyOf(names);
    }

    /** Whether the request brings its own CIB (else it asks about the live one). */
    static boolean bringsCib(AdminRequest req) {
        return req.args().has("cib") || req.args().has("cib_gz");
    }

    /**
     * Answers a simulate request: on the CIB it carries, or on {@code live} (the live CIB as the
     * caller may read it, already checked by the handler) when it carries none.
     */
    AdminResponse simulate(AdminRequest req, XmlElement live) {
        SimulateOptions options;
        Instant now;
        try {
            options = SimulateOptions.fromArgs(req.args());
            now = Instant.ofEpochMilli(req.args().requireNumber("now_ms"));
        } catch (AdminProtocolException e) {
            return AdminResponse.error(req.id(), e.code(), e.getMessage());
        }
        Future<AdminResponse> run;
        try {
            run = worker.submit(() -> runOne(req, live, options, now));
        } catch (RejectedExecutionException e) {
            return AdminResponse.error(req.id(), AdminError.BUSY, "crmd's resident scheduler already has a run under"
                    + " way and " + MAX_WAITING + " waiting (its limit); retry in a moment, or simulate a file in"
                    + " the shell's own process: crm --cib-file FILE simulate --in-process");
        }
        try {
            return run.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(false);
            return AdminResponse.error(req.id(), AdminError.TIMEOUT, "crmd's resident scheduler did not finish within "
                    + timeoutMs + " ms (its limit, waiting included); the run is dropped; simulate a file in the"
                    + " shell's own process: crm --cib-file FILE simulate --in-process");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.cancel(false);
            return AdminResponse.error(req.id(), AdminError.INTERNAL, "crmd is stopping");
        } catch (ExecutionException e) {
            return AdminResponse.error(req.id(), AdminError.INTERNAL, "crmd's resident scheduler failed on this"
                    + " request: " + e.getCause());
        }
    }

    private AdminResponse runOne(AdminRequest req, XmlElement live, SimulateOptions options, Instant now) {
        BigRunHeap heap = BigRunHeap.forCib(cibBytes(req));
        try {
            return runOnce(req, live, options, now);
        } finally {
            if (heap != null) {
                heap.close();
            }
        }
    }

    /** The size of the CIB a request brings (what it says; checked when it is read), 0 for none or a bad one. */
    private static long cibBytes(AdminRequest req) {
        try {
            String text = req.args().string("cib").orElse(null);
            return text != null ? text.length() : req.args().has("cib_gz") ? req.args().requireNumber("cib_bytes") : 0;
        } catch (AdminProtocolException e) {
            return 0;
        }
    }

    private AdminResponse runOnce(AdminRequest req, XmlElement live, SimulateOptions options, Instant now) {
        XmlElement root = live;
        if (bringsCib(req)) {
            try {
                root = requestCib(req);
            } catch (Refusal r) {
                return AdminResponse.error(req.id(), r.code, r.getMessage());
            }
        }
        SimulationResult r;
        try {
            r = Simulation.run(root, options, now);
        } catch (SimulationException e) {
            return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, e.getMessage());
        }
        AdminArgs out = AdminArgs.of("text", r.text(), "actions", (long) r.actions());
        return AdminResponse.ok(req.id(), out.with("input", r.inputXml()).with("output", r.outputXml())
                .with("graph", r.graphXml()));
    }

    /** A request this scheduler will not take, with the code and the words to answer it. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Refusal(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The request's CIB, parsed, once the heap is known to hold it. */
    private XmlElement requestCib(AdminRequest req) throws Refusal {
        try {
            String text = req.args().string("cib").orElse(null);
            if (text != null) {
                checkHeap(text.length());
                return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            long declared = req.args().requireNumber("cib_bytes");
            if (declared < 0 || declared > Integer.MAX_VALUE - 16) {
                throw new Refusal(AdminError.BAD_REQUEST, "cib_bytes " + declared + " is out of range (0 to 2 GB)");
            }
            checkHeap(declared);
            byte[] packed;
            try {
                packed = Base64.getDecoder().decode(req.args().requireString("cib_gz"));
            } catch (IllegalArgumentException e) {
                throw new Refusal(AdminError.BAD_REQUEST, "cib_gz is not base64: " + e.getMessage());
            }
            return parseGzip(packed, (int) declared);
        } catch (AdminProtocolException e) {
            throw new Refusal(e.code(), e.getMessage());
        }
    }

    private void checkHeap(long cibBytes) throws Refusal {
        long need = cibBytes * HEAP_PER_CIB_BYTE;
        long free = freeHeapBytes.getAsLong();
        if (need > free) {
            throw new Refusal(AdminError.TOO_LARGE, "a CIB of " + cibBytes / 1024 + " KiB needs about " + (need >> 20)
                    + " MiB of crmd's heap to schedule and only " + Math.max(0, free >> 20) + " MiB is free;"
                    + " the shell schedules it in its own process (crm --cib-file FILE simulate --in-process),"
                    + " or give crmd a larger heap (-Xmx in PULSE_JAVA_OPTS)");
        }
    }

    /**
     * The gzipped CIB's tree, unpacked as it is read through the parser's window (8 MB), never as one
     * array: a 32 x 10,000 CIB with full probe history unpacks to 183 MB, which crmd's small young
     * generation cannot take, so as one array it went straight to the old generation and made it grow
     * by a full collection first. Exactly {@code declared} bytes, as {@link #gunzip} checks.
     */
    static XmlElement parseGzip(byte[] packed, int declared) throws Refusal {
        try (DeclaredSize in = new DeclaredSize(new GZIPInputStream(new java.io.ByteArrayInputStream(packed), 64 * 1024),
                declared)) {
            boolean[] whole = {false};
            XmlElement root = XmlParser.parseStream(SOURCE, in, declared, () -> {
                whole[0] = true;   // gunzip checks the size itself
                return gunzip(packed, declared);
            });
            if (!whole[0] && (in.read() >= 0 || in.count != declared)) {
                throw in.wrongSize();
            }
            return root;
        } catch (DeclaredSize.Exceeded e) {
            throw e.refusal;
        } catch (IOException e) {
            throw new Refusal(AdminError.BAD_REQUEST, "cib_gz is not gzip data: " + e.getMessage());
        } catch (XmlParseException e) {
            throw invalid(e);
        }
    }

    /** A stream that ends in an error past {@code declared} bytes, and counts what it gave. */
    private static final class DeclaredSize extends java.io.FilterInputStream {
        /** The request's size was a lie: carried through the parser as the IOException it must be. */
        static final class Exceeded extends IOException {
            private static final long serialVersionUID = 1L;
            final transient Refusal refusal;

            Exceeded(Refusal refusal) {
                super(refusal.getMessage());
                this.refusal = refusal;
            }
        }

        private final int declared;
        long count;

        DeclaredSize(InputStream in, int declared) {
            super(in);
            this.declared = declared;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int got = super.read(b, off, len);
            if (got > 0) {
                count += got;
                if (count > declared) {
                    throw new Exceeded(wrongSize());
                }
            }
            return got;
        }

        Refusal wrongSize() {
            return new Refusal(AdminError.BAD_REQUEST, "cib_gz unpacks to " + (count < declared ? count + " bytes"
                    : "more than " + declared + " bytes") + ", not the " + declared + " bytes cib_bytes declares");
        }
    }

    /** Unpacks at most {@code declared} bytes: a request cannot grow past the size it was admitted for. */
    static byte[] gunzip(byte[] packed, int declared) throws Refusal {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(packed), 64 * 1024)) {
            byte[] out = new byte[declared];
            int len = in.readNBytes(out, 0, declared);
            if (len != declared || in.read() >= 0) {
                throw new Refusal(AdminError.BAD_REQUEST, "cib_gz unpacks to " + (len < declared ? len + " bytes"
                        : "more than " + declared + " bytes") + ", not the " + declared + " bytes cib_bytes declares");
            }
            return out;
        } catch (IOException e) {
            throw new Refusal(AdminError.BAD_REQUEST, "cib_gz is not gzip data: " + e.getMessage());
        }
    }

    private static final String SOURCE = "the CIB in the simulate request";

    private static XmlElement parse(byte[] bytes) throws Refusal {
        try {
            return XmlParser.parse(SOURCE, bytes);
        } catch (XmlParseException e) {
            throw invalid(e);
        }
    }

    private static Refusal invalid(XmlParseException e) {
        return new Refusal(AdminError.INVALID_CIB, SOURCE + " is not valid XML: " + e.getMessage());
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
