package org.pulse.crmd.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The HTTP listener of DESIGN §8b: {@code GET /metrics} in Prometheus' text format, and the web
 * console ({@link Console}) under {@code /} when one is given. A bounded pool of threads (the
 * console's event streams hold one each, up to {@link Console#MAX_STREAMS}); the text is rendered by {@link Metrics} only when the CIB or the membership changed since the
 * last scrape, so a scrape costs a status request to the controller and a cache lookup.
 * Bound to loopback unless the node config says otherwise ({@code http = HOST:PORT}, or {@code off}).
 */
final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Null (after a warning naming the setting) when the address cannot be bound: crmd runs on without metrics. */
    static MetricsServer start(InetSocketAddress address, Supplier<String> metricsText, Console console, Logger log) {
        return start(address, metricsText, console, null, log);
    }

    /** With {@code tls} non-null, HTTPS only (TLS 1.2 and 1.3): a plain HTTP request gets no answer but a closed connection. */
    static MetricsServer start(InetSocketAddress address, Supplier<String> metricsText, Console console, SSLContext tls,
            Logger log) {
        HttpServer s;
        try {
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters p = tls.getDefaultSSLParameters();
                        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                        p.setNeedClientAuth(false);
                        params.setSSLParameters(p);
                    }
                });
                s = https;
            } else {
                s = HttpServer.create(address, 16);
            }
        } catch (IOException e) {
            log.warn("metrics listener: cannot listen on {}: {}; crmd runs on without /metrics. Set 'http = HOST:PORT'"
                    + " (a free port) or 'http = off' in the node config", address, e.toString());
            return null;
        }
        // Streams + a few for requests; a request beyond them waits in the pool's queue.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(Console.MAX_STREAMS + 4,
                Console.MAX_STREAMS + 4, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "pulse-http");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        s.setExecutor(pool);
        s.createContext("/metrics", ex -> serve(ex, metricsText));
        if (console != null) {
            console.register(s);
        } else {
            s.createContext("/", ex -> {
                byte[] body = "not found: this listener serves /metrics\n".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        s.start();
        String scheme = tls == null ? "http" : "https";
        log.info("metrics on {}://{}:{}/metrics{}", scheme, address.getHostString(), s.getAddress().getPort(),
                console == null ? "" : ", the console on " + scheme + "://" + address.getHostString() + ":" + s.getAddress().getPort() + "/");
        return new MetricsServer(s);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange ex, Supplier<String> metricsText) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            int code = 200;
            try {
                body = metricsText.get().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                code = 503;
                body = ("metrics unavailable: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", code == 200 ? "text/plain; version=0.0.4; charset=utf-8"
                    : "text/plain; charset=utf-8");
            ex.sendResponseHeaders(code, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (server.getExecutor() instanceof java.util.concurrent.ExecutorService e) {
            e.shutdownNow(); // event streams wait on the console; end them
        }
    }
}
