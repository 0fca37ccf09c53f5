package org.pulse.crmd.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.crmd.controller.Effect;
import org.slf4j.Logger;

/**
 * The web console on crmd's HTTP listener (DESIGN §8b): the page under {@code /} (plain HTML, JS and CSS
 * from the jar) and the versioned JSON API under {@code /api/v1/} that the page itself uses.
 *
 * <p>Login: a token from {@code crm web token} (see {@link WebTokens}), given once to
 * {@code POST /api/v1/login}, which sets it as an HttpOnly, SameSite=Strict cookie; scripts may send
 * it as {@code Authorization: Bearer TOKEN} instead. Every request then acts as the token's user
 * through the admin socket's own handler ({@link AdminHandler}) and rules ({@link AdminAccess}): root
 * and hacluster everything, haclient members what the CIB's ACLs allow, anyone else nothing. A POST
 * must be {@code application/json} (a cross-site form cannot send that). Off loopback the console is
 * served only over TLS (node config {@code http_tls}): a token must not cross a network in clear.
 *
 * <p>Live updates: {@code GET /api/v1/events} is a server-sent event stream; a {@code status} event
 * carries the same document as {@code GET /api/v1/status} whenever it changed (the runtime signals each
 * applied CIB, view and transition end; at the latest every {@link #HEARTBEAT_MS} the stream is checked).
 * At most {@link #MAX_STREAMS} streams at once.
 */
final class Console {
    static final String COOKIE = "pulse_token";
    static final long HEARTBEAT_MS = 5_000;
    static final int MAX_STREAMS = 16;
    /**
     * Jackson only once the console is used: made at class load, its ~400 classes and caches would stay
     * resident in every node that never serves the console (issue 17 part 4, idle memory).
     */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }
    private static final Set<String> NODE_ACTIONS = Set.of("standby", "online", "maintenance", "ready");
    private static final Set<String> RESOURCE_ACTIONS = Set.of("start", "stop", "move", "clear", "cleanup");

    private final CrmdRuntime runtime;
    private final AdminHandler handler;
    private final AdminAccess access;
    private final Clock clock;
    private final Logger log;
    /** Whether the page and API may be served: on loopback, or over TLS. */
    private final boolean servable;
    /** Over TLS: the cookie is Secure (never sent back over plain HTTP). */
    private final boolean tls;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final AtomicLong ids = new AtomicLong();
    /** Bumped by the runtime at each change worth showing; streams wait on it. */
    private final Object changed = new Object();
    private long changes;

    Console(CrmdRuntime runtime, AdminHandler handler, AdminAccess access, Clock clock, Logger log, boolean loopback,
            boolean tls) {
        this.runtime = runtime;
        this.handler = handler;
        this.access = access;
        this.clock = clock;
        this.log = log;
        this.servable = loopback || tls;
        this.tls = tls;
    }

    void register(HttpServer s) {
        s.createContext("/", ex -> {
            try (ex) {
                serveStatic(ex);
            }
        });
        s.createContext("/api/v1/", ex -> {
            try (ex) {
                api(ex);
            } catch (IOException e) {
                log.debug("console: {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
            }
        });
    }

    /** Something changed (a CIB applied, a view, a transition's end): wake the event streams. */
    void changed() {
        synchronized (changed) {
            changes++;
            changed.notifyAll();
        }
    }

    // ---- static files

    private static final Map<String, String> FILES = Map.of("/", "index.html", "/index.html", "index.html",
            "/console.js", "console.js", "/console.css", "console.css");

    private void serveStatic(HttpExchange ex) throws IOException {
        String name = FILES.get(ex.getRequestURI().getPath());
        if (name == null) {
            send(ex, 404, "text/plain; charset=utf-8", ("not found: this listener serves the console under /, its API under"
                    + " /api/v1/ and /metrics\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!servable) {
            send(ex, 403, "text/plain; charset=utf-8", offLoopback().getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] body;
        try (InputStream in = Console.class.getResourceAsStream("/org/pulse/crmd/console/" + name)) {
            if (in == null) {
                send(ex, 500, "text/plain; charset=utf-8", ("the console's " + name + " is missing from crmd's jar\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".js") ? "text/javascript; charset=utf-8" : name.endsWith(".css")
                ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        send(ex, 200, type, body);
    }

    private static String offLoopback() {
        return "off loopback the console is served only over TLS (a token must not cross a network in clear): set"
                + " 'http_tls = self-signed' (or http_tls_cert and http_tls_key) in the node config, or 'http = 127.0.0.1:PORT'"
                + " and reach it through an SSH tunnel (ssh -L PORT:127.0.0.1:PORT NODE)\n";
    }

    // ---- the API

    private record Who(AdminAccess.Caller caller, String token, long expiresEpochS) {
    }

    private static final class Failure extends Exception {
        final int http;
        final String code;

        Failure(int http, String code, String message) {
            super(message);
            this.http = http;
            this.code = code;
        }
    }

    private void api(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath().substring("/api/v1/".length());
        List<String> parts = new ArrayList<>(List.of(path.split("/")));
        parts.removeIf(String::isEmpty);
        try {
            if (!servable) {
                throw new Failure(403, AdminError.ACCESS_DENIED, offLoopback().strip());
            }
            if (method.equals("POST") && !String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"))
                    .startsWith("application/json")) {
                throw new Failure(415, AdminError.BAD_REQUEST, "send a POST as application/json");
            }
            if (parts.equals(List.of("login")) && method.equals("POST")) {
                login(ex);
                return;
            }
            if (parts.equals(List.of("logout")) && method.equals("POST")) {
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
                json(ex, 200, Map.of("ok", true));
                return;
            }
            Who who = authenticate(ex);
            if (method.equals("GET") && parts.equals(List.of("whoami"))) {
                json(ex, 200, Map.of("user", who.caller().user(), "kind", who.caller().kind().name().toLowerCase(),
                        "expires", java.time.Instant.ofEpochSecond(who.expiresEpochS()).toString()));
            } else if (method.equals("GET") && parts.equals(List.of("status"))) {
                send(ex, 200, "application/json; charset=utf-8", statusJson(who));
            } else if (method.equals("GET") && parts.equals(List.of("events"))) {
                events(ex, who);
            } else if (method.equals("GET") && parts.equals(List.of("history"))) {
                List<Map<String, Object>> list = new ArrayList<>();
                List<Effect.TransitionEnded> all = runtime.transitions();
                for (int i = all.size() - 1; i >= 0; i--) {
                    list.add(transition(all.get(i), false));
                }
                json(ex, 200, Map.of("node", runtime.nodeName(), "transitions", list));
            } else if (method.equals("GET") && parts.size() == 2 && parts.get(0).equals("history")) {
                Effect.TransitionEnded t = runtime.transitions().stream()
                        .filter(x -> Long.toString(x.id()).equals(parts.get(1))).reduce((a, b) -> b).orElse(null);
                if (t == null) {
                    throw new Failure(404, AdminError.NOT_FOUND, "no transition " + parts.get(1) + " in "
                            + runtime.nodeName() + "'s history (the DC keeps the last " + CrmdRuntime.TRANSITIONS_KEPT + ")");
                }
                json(ex, 200, transition(t, true));
            } else if (method.equals("POST") && parts.size() == 3 && parts.get(0).equals("nodes")) {
                if (!NODE_ACTIONS.contains(parts.get(2))) {
                    throw new Failure(404, AdminError.BAD_REQUEST, "node actions are " + NODE_ACTIONS);
                }
                act(ex, who, AdminRequest.node(id(who), parts.get(2), parts.get(1)));
            } else if (method.equals("POST") && parts.size() == 3 && parts.get(0).equals("resources")) {
                if (!RESOURCE_ACTIONS.contains(parts.get(2))) {
                    throw new Failure(404, AdminError.BAD_REQUEST, "resource actions are " + RESOURCE_ACTIONS);
                }
                JsonNode body = body(ex);
                String node = body.hasNonNull("node") && !body.get("node").asText().isEmpty() ? body.get("node").asText() : null;
                if (parts.get(2).equals("move") && node == null) {
                    throw new Failure(400, AdminError.BAD_REQUEST, "move needs the node to move to: {\"node\": \"NAME\"}");
                }
                act(ex, who, AdminRequest.resource(id(who), parts.get(2), parts.get(1), node));
            } else {
                throw new Failure(404, AdminError.NOT_FOUND, method + " /api/v1/" + path + " is not part of the API;"
                        + " see crmd's README (GET status, events, history, history/N, whoami; POST login, logout,"
                        + " nodes/NODE/ACTION, resources/RSC/ACTION)");
            }
        } catch (Failure f) {
            json(ex, f.http, Map.of("error", Map.of("code", f.code, "message", f.getMessage())));
        } catch (RuntimeException e) {
            log.warn("console: {} {}: {}", method, path, e.toString(), e);
            json(ex, 500, Map.of("error", Map.of("code", AdminError.INTERNAL, "message", e.toString())));
        }
    }

    private String id(Who who) {
        // The first word names the client in the CIB's record of who changed what.
        return "web-" + ids.incrementAndGet();
    }

    private void login(HttpExchange ex) throws IOException, Failure {
        JsonNode body = body(ex);
        String token = body.path("token").asText("");
        Who who = check(token);
        long maxAge = Math.max(1, who.expiresEpochS() - clock.instant().getEpochSecond());
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token + "; Path=/; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
        json(ex, 200, Map.of("user", who.caller().user(), "expires",
                java.time.Instant.ofEpochSecond(who.expiresEpochS()).toString()));
    }

    private Who authenticate(HttpExchange ex) throws Failure {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String token = null;
        if (auth != null && auth.startsWith("Bearer ")) {
            token = auth.substring("Bearer ".length()).strip();
        } else {
            for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
                for (String c : header.split(";")) {
                    String kv = c.strip();
                    if (kv.startsWith(COOKIE + "=")) {
                        token = kv.substring(COOKIE.length() + 1);
                    }
                }
            }
        }
        if (token == null || token.isEmpty()) {
            throw new Failure(401, AdminError.ACCESS_DENIED, "log in with a token from: crm web token");
        }
        return check(token);
    }

    private Who check(String token) throws Failure {
        WebTokens tokens = runtime.webTokens();
        if (tokens == null) {
            throw new Failure(503, AdminError.TIMEOUT, "crmd is still starting");
        }
        try {
            long now = clock.instant().getEpochSecond();
            String user = tokens.verify(token, now);
            Set<String> groups = access.groupsOf(user);
            AdminAccess.Kind kind = AdminAccess.decide(user, groups, false, System.getProperty("user.name"));
            long expires = Long.parseLong(token.strip().split("\\.")[1]);
            return new Who(new AdminAccess.Caller(user, groups, kind), token, expires);
        } catch (AdminAccess.Refused e) {
            throw new Failure(e.getMessage().startsWith("access denied") ? 403 : 401, AdminError.ACCESS_DENIED,
                    e.getMessage());
        }
    }

    private static JsonNode body(HttpExchange ex) throws IOException, Failure {
        byte[] bytes = ex.getRequestBody().readNBytes(64 * 1024);
        if (bytes.length == 0) {
            return Mapper.JSON.createObjectNode();
        }
        try {
            return Mapper.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new Failure(400, AdminError.BAD_REQUEST, "the body is not JSON: " + e.getMessage());
        }
    }

    private void act(HttpExchange ex, Who who, AdminRequest req) throws IOException {
        AdminResponse r = handler.handle(req, who.caller());
        if (r.ok()) {
            json(ex, 200, Map.of("ok", true, "result", r.result().asMap()));
            return;
        }
        int http = switch (r.error().code()) {
            case AdminError.ACCESS_DENIED -> 403;
            case AdminError.NOT_FOUND -> 404;
            case AdminError.BAD_REQUEST, AdminError.INVALID_CIB -> 400;
            case AdminError.NO_QUORUM, AdminError.VERSION_MISMATCH, AdminError.REFUSED -> 409;
            default -> 503;
        };
        json(ex, http, Map.of("error", Map.of("code", r.error().code(), "message", r.error().message())));
    }

    private record Rendered(String key, byte[] json) {
    }

    /** The last document per caller (user and what it may see), so page loads and streams share one rendering. */
    private final Map<AdminAccess.Caller, Rendered> rendered = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<AdminAccess.Caller, Rendered> eldest) {
                    return size() > 32;
                }
            });

    /**
     * The status document for this caller, as JSON: the admin socket's status answer (the CIB filtered by
     * the caller's ACLs) read by ConsoleView; rendered again only when the controller's status changed
     * (a cheap check first), as /metrics does.
     */
    byte[] statusJson(Who who) throws Failure, IOException {
        String key = runtime.statusKey();
        Rendered last = rendered.get(who.caller());
        if (last != null && last.key().equals(key)) {
            return last.json();
        }
        AdminHandler.VisibleStatus v = handler.visibleStatus(id(who), who.caller());
        if (v.error() != null) {
            throw new Failure(503, v.error().error().code(), v.error().error().message());
        }
        byte[] json = Mapper.JSON.writeValueAsBytes(ConsoleView.of(v.fields().asMap(), v.cib(), who.caller().user(), clock.instant()));
        rendered.put(who.caller(), new Rendered(key, json));
        return json;
    }

    private static Map<String, Object> transition(Effect.TransitionEnded t, boolean withActions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("started", java.time.Instant.ofEpochMilli(t.startedEpochMs()).toString());
        m.put("duration_ms", t.durationMs());
        m.put("source", t.source());
        m.put("trigger", t.trigger());
        m.put("result", t.result());
        m.put("action_count", t.actions().size());
        if (withActions) {
            m.put("actions", t.actions());
        }
        return m;
    }

    /**
     * Server-sent events: the status document each time it changed. The cheap check first (the
     * controller's status and CIB version, no XML), the document only when that moved.
     */
    private void events(HttpExchange ex, Who who) throws IOException, Failure {
        if (!streams.tryAcquire()) {
            throw new Failure(503, AdminError.TIMEOUT, MAX_STREAMS + " event streams are open on this node already");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            String lastKey = null;
            long seen = -1;
            while (true) {
                long now;
                synchronized (changed) {
                    if (changes == seen) {
                        try {
                            changed.wait(HEARTBEAT_MS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    now = changes;
                }
                seen = now;
                if (clock.instant().getEpochSecond() >= who.expiresEpochS()) {
                    out.write("event: expired\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
                String key = runtime.statusKey();
                if (!key.equals(lastKey)) {
                    byte[] doc = statusJson(who);
                    out.write("event: status\ndata: ".getBytes(StandardCharsets.UTF_8));
                    out.write(doc); // JSON as Jackson writes it has no newline: one data line
                    out.write("\n\n".getBytes(StandardCharsets.UTF_8));
                    lastKey = key;
                } else {
                    out.write(": idle\n\n".getBytes(StandardCharsets.UTF_8));
                }
                out.flush(); // a closed page fails here and ends the stream
            }
        } finally {
            streams.release();
        }
    }

    private static void json(HttpExchange ex, int code, Object value) throws IOException {
        send(ex, code, "application/json; charset=utf-8", Mapper.JSON.writeValueAsBytes(value));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
