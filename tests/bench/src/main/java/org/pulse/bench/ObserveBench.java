package org.pulse.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;

/**
 * bench/observe: three crmd JVMs on loopback with RESOURCES configured Dummy resources (stopped, so
 * that the machine is not busy running a thousand agents; they are probed on every node and are in
 * every metric family) plus one running resource that moves. Prints:
 * <ul>
 *   <li>scrape_ms: median time of GET /metrics on one node, the cluster idle (the cached text plus the
 *       histograms); scrape_cold_ms: the first scrape after a CIB change (the CIB read and rendered again);</li>
 *   <li>page_ms: the console's first render as its requests (HTML, JS, CSS, whoami, status: what the
 *       page fetches before it draws), one after the other, as a browser without cache would; the
 *       browser's own layout time is not in it;</li>
 *   <li>event_ms: from the request that moves the resource to the server-sent event that shows it on
 *       its new node, on another node's event stream (the stop and the start are in it).</li>
 * </ul>
 * Ends with {@code observe scrape_ms=.. scrape_cold_ms=.. page_ms=.. page_cold_ms=.. event_ms=.. status_ms=.. resources=..}.
 */
public final class ObserveBench {
    private ObserveBench() {
    }

    static final String USAGE = "usage: bench/observe [RESOURCES [ROUNDS]]   (defaults 1000 and 5; RESOURCES >= 0, ROUNDS >= 1)";

    public static void main(String[] args) throws Exception {
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        int[] given = {1000, 5};
        try {
            given = BenchArgs.positionalInts(args, List.of("RESOURCES", "ROUNDS"), given, new int[] {0, 1});
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/observe", USAGE, e);
        }
        int resources = given[0];
        int rounds = given[1];
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("pulse-bench-observe-");
        int basePort = Ports.freeBase(10);
        System.out.println("bench/observe: 3 crmd JVMs on loopback in " + dir + ", " + resources + " resources");
        // 3 s failure detection: a loaded machine must not split the cluster in the middle of a measurement.
        try (LocalCluster c = LocalCluster.start(repo, dir, 3, basePort, 3000)) {
            require(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null), "no DC formed");
            StringBuilder xml = new StringBuilder("<resources>"
                    + "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                    + "<instance_attributes id=\"fence-sim-ia\"><nvpair id=\"fence-sim-dir\" name=\"power_dir\" value=\""
                    + c.powerDir() + "\"/></instance_attributes></primitive>"
                    + "<primitive id=\"mover\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>");
            for (int i = 0; i < resources; i++) {
                xml.append("<primitive id=\"r").append(i).append("\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">")
                        .append("<meta_attributes id=\"r").append(i).append("-m\"><nvpair id=\"r").append(i)
                        .append("-t\" name=\"target-role\" value=\"Stopped\"/></meta_attributes></primitive>");
            }
            xml.append("</resources>");
            long t0 = System.nanoTime();
            AdminResponse r = c.admin(1, AdminRequest.replace(c.nextId(), xml.toString()));
            // A thousand resources take the DC a while (probes on every node): an answer that timed out may
            // still be applied, which the wait below shows.
            require(r.ok() || "timeout".equals(r.error().code()), "replace failed: " + r.error());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int watch = 1;
            // Settled: the mover runs and the DC is idle (every probe done).
            require(LocalCluster.waitFor(Duration.ofMinutes(10), () -> {
                String dc = c.agreedDc(1, 2, 3);
                if (dc == null) {
                    return false;
                }
                AdminArgs s = c.status(Integer.parseInt(dc.substring(4)));
                String text = FailoverAdmin.str(s, "text");
                return text != null && text.contains("mover: Started") && "idle".equals(FailoverAdmin.str(s, "transition"));
            }), "the cluster did not settle within 10 minutes");
            System.out.printf("configured and probed in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));

            String metrics = "http://127.0.0.1:" + c.httpPort(watch) + "/metrics";
            int bytes = get(http, metrics, null).length();
            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long s = System.nanoTime();
                get(http, metrics, null);
                warm.add((System.nanoTime() - s) / 1e6);
            }
            List<Double> cold = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                AdminResponse a = c.admin(watch, new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "attribute-set",
                        "node", "node1", "name", "bench", "value", Integer.toString(i))));
                require(a.ok(), "attribute-set failed: " + a.error());
                Thread.sleep(300); // the change reaches this node's CIB
                long s = System.nanoTime();
                get(http, metrics, null);
                cold.add((System.nanoTime() - s) / 1e6);
            }
            System.out.printf("GET /metrics (%d bytes): idle median %.2f ms p90 %.2f ms; first after a CIB change median %.2f ms%n",
                    bytes, median(warm), pct(warm, 0.9), median(cold));

            Map.Entry<Integer, String> tok = c.crm(watch, "web", "token");
            require(tok.getKey() == 0, "crm web token: " + tok.getValue());
            String token = tok.getValue().lines().filter(l -> l.matches("[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]+"))
                    .findFirst().orElseThrow();
            String base = "http://127.0.0.1:" + c.httpPort(watch) + "/";
            List<Double> page = new ArrayList<>();
            double pageCold = -1;
            for (int i = 0; i < 10; i++) {
                if (i == 0) {
                    // The first load after a change renders the status document; later ones reuse it.
                    c.admin(watch, new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "attribute-set",
                            "node", "node1", "name", "bench", "value", "page")));
                    Thread.sleep(300);
                }
                long s = System.nanoTime();
                for (String p : List.of("", "console.js", "console.css")) {
                    get(http, base + p, null);
                }
                get(http, base + "api/v1/whoami", token);
                get(http, base + "api/v1/status", token);
                double ms = (System.nanoTime() - s) / 1e6;
                if (i == 0) {
                    pageCold = ms;
                } else {
                    page.add(ms);
                }
            }
            System.out.printf("console first render's requests: median %.1f ms; first after a CIB change %.1f ms"
                    + " (status document %d bytes)%n", median(page), pageCold, get(http, base + "api/v1/status", token).length());

            // The event stream of node 2, watching the mover move among the nodes.
            int streamNode = 2;
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + c.httpPort(streamNode) + "/api/v1/events")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (line.startsWith("data: ")) {
                            events.add(line.substring(6));
                        }
                    }
                } catch (Exception e) {
                    // closed at the end
                }
            }, "bench-events");
            reader.setDaemon(true);
            reader.start();
            List<Double> eventMs = new ArrayList<>();
            List<Double> statusMs = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                String on = where(c, watch);
                String target = c.names().stream().filter(n -> !n.equals(on)).toList().get(i % 2);
                events.clear();
                long s = System.nanoTime();
                AdminResponse m = c.admin(watch, AdminRequest.resource(c.nextId(), "move", "mover", target));
                require(m.ok(), "move failed: " + m.error());
                // When node 2's own status (the admin socket) first shows the move: the cluster's part.
                long[] inStatus = {0};
                Thread poller = new Thread(() -> {
                    while (inStatus[0] == 0 && System.nanoTime() - s < TimeUnit.SECONDS.toNanos(60)) {
                        if (target.equals(where(c, streamNode))) {
                            inStatus[0] = System.nanoTime();
                        }
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "bench-status");
                poller.start();
                boolean seen = false;
                while (!seen && System.nanoTime() - s < TimeUnit.SECONDS.toNanos(60)) {
                    String doc = events.poll(1, TimeUnit.SECONDS);
                    seen = doc != null && doc.contains("{\"id\":\"mover\",") && doc.replaceAll("(?s).*\\{\"id\":\"mover\",[^}]*?\"nodes\":\\[([^\\]]*)\\].*", "$1")
                            .equals("\"" + target + "\"");
                }
                long seenAt = System.nanoTime();
                require(seen, "no event showed mover on " + target + " within 60 s");
                poller.join(60_000);
                require(inStatus[0] != 0, "node2's status never showed mover on " + target);
                statusMs.add((inStatus[0] - s) / 1e6);
                // From the request: the cluster's move (scheduling, stop, start, replication) is in it. The
                // status poll beside it shows what the console adds: nothing when the event comes first (a
                // status call with a big CIB takes long enough that the poll cannot resolve less).
                eventMs.add((seenAt - s) / 1e6);
                c.admin(watch, AdminRequest.resource(c.nextId(), "clear", "mover", null));
                Thread.sleep(500);
            }
            stream.body().close();
            System.out.printf("move request -> the page's event on node%d's stream showing the new place: median %.0f ms,"
                    + " max %.0f ms; -> node%d's crm status shows it: median %.0f ms%n", streamNode, median(eventMs),
                    Collections.max(eventMs), streamNode, median(statusMs));
            System.out.println("reproduce: bench/observe " + resources + " " + rounds);
            System.out.printf("observe scrape_ms=%.2f scrape_cold_ms=%.1f page_ms=%.1f page_cold_ms=%.1f event_ms=%.0f"
                    + " status_ms=%.0f resources=%d%n", median(warm), median(cold), median(page), pageCold, median(eventMs),
                    median(statusMs), resources);
        } finally {
            if (!Boolean.getBoolean("pulse.keep")) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static String where(LocalCluster c, int node) {
        String text = FailoverAdmin.str(c.status(node), "text");
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("mover: Started ")) {
                return l.substring("mover: Started ".length()).split("[ ,(]")[0];
            }
        }
        return "";
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        require(r.statusCode() == 200, url + ": HTTP " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static double median(List<Double> xs) {
        return pct(xs, 0.5);
    }

    private static double pct(List<Double> xs, double p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.floor(p * (s.size() - 1) + 0.5)));
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("bench/observe: " + what);
        }
    }
}
