package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.TestEnv;

/**
 * The console off loopback, for real: two one-node crmds, each in a network namespace of its own whose
 * loopback device also carries the TEST-NET address 192.0.2.1 (not a loopback address), the console's
 * listener bound there. One with {@code http_tls = self-signed}: the certificate it serves is the one whose
 * fingerprint {@code crm web token} prints, and curl pinning exactly that certificate gets the page, the API
 * and /metrics, while curl pinning another certificate and plain HTTP get nothing. The other without TLS:
 * the page and the API are refused (403, saying how to fix it), /metrics is served. Needs root (namespaces);
 * under CI=true it must run. Bounded: two crmd starts and a few curls, about 30 s.
 */
class ConsoleTlsTest {
    static final String ADDRESS = "192.0.2.1";
    static final int HTTP_PORT = 9664;
    static Path dir;
    static Path repo;
    static final List<Process> processes = new ArrayList<>();
    static Process tlsNode;
    static Process plainNode;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("unshare", "nsenter", "ip", "curl", "openssl")) {
            TestEnv.requireCommand(c);
        }
        repo = TestEnv.requireBuiltJars();
        dir = Files.createTempDirectory("pulse-console-tls-");
        Path key = dir.resolve("authkey");
        assertEquals(0, run(List.of(repo.resolve("bin/crmd").toString(), "--generate-key", key.toString())).getKey());
        tlsNode = startNode("tls", key, "http_tls = self-signed\n");
        plainNode = startNode("plain", key, "");
        System.out.println("ConsoleTlsTest: nodes in " + dir);
        for (String n : List.of("tls", "plain")) {
            assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> crm(n, "web", "token").getKey() == 0),
                    "crmd " + n + " did not answer within 90 s; log " + dir.resolve(n).resolve("crmd.log"));
        }
    }

    /** One crmd (a one-node cluster) in a new network namespace: lo up, with 192.0.2.1 on it; the console there. */
    static Process startNode(String name, Path key, String extra) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(d.resolve("rsctmp"));
        Path conf = d.resolve("crmd.conf");
        Files.writeString(conf, "node = node1\n"
                + "nodes = node1@127.0.0.1:7801\n"
                + "key = " + key + "\n"
                + "data_dir = " + d.resolve("data") + "\n"
                + "socket = " + d.resolve("crmd.sock") + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                + "ha_rsctmp = " + d.resolve("rsctmp") + "\n"
                + "http = " + ADDRESS + ":" + HTTP_PORT + "\n"
                + "self_fence = exit\n" + extra);
        // --kill-child: the crmd goes with the unshare process this test holds.
        ProcessBuilder pb = new ProcessBuilder("unshare", "--net", "--fork", "--kill-child", "--", "sh", "-c",
                "ip link set lo up && ip addr add " + ADDRESS + "/32 dev lo && exec \"$0\" --config \"$1\"",
                repo.resolve("bin/crmd").toString(), conf.toString());
        pb.environment().putAll(LocalCluster.daemonEnv());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("crmd.log").toFile()));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Map.Entry<Integer, String> crm(String node, String... args) {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/crm").toString(), "--socket",
                dir.resolve(node).resolve("crmd.sock").toString()));
        cmd.addAll(List.of(args));
        try {
            return run(cmd);
        } catch (Exception e) {
            return Map.entry(-1, e.toString());
        }
    }

    /** A command inside the namespace of {@code node}'s crmd. */
    static Map.Entry<Integer, String> inNamespace(Process node, String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("nsenter", "-t", Long.toString(node.pid()), "-n", "--"));
        all.addAll(List.of(cmd));
        return run(all);
    }

    static Map.Entry<Integer, String> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return Map.entry(-1, out);
        }
        return Map.entry(p.exitValue(), out);
    }

    @Test
    void overTlsAClientPinningTheCertificateCrmWebTokenNamesGetsTheConsole() throws Exception {
        Map.Entry<Integer, String> token = crm("tls", "web", "token", "--lifetime", "10m");
        assertEquals(0, token.getKey(), token.getValue());
        Matcher m = Pattern.compile("console: https://" + Pattern.quote(ADDRESS) + ":" + HTTP_PORT
                + "/ \\(TLS certificate SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\\)").matcher(token.getValue());
        assertTrue(m.find(), "crm web token names the https console and its certificate's fingerprint:\n" + token.getValue());
        String fingerprint = m.group(1);
        String bearer = token.getValue().lines().filter(l -> l.matches("[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]+")).findFirst()
                .orElseThrow();

        // What the listener serves, as a client sees it: the same certificate.
        Map.Entry<Integer, String> shown = inNamespace(tlsNode, "openssl", "s_client", "-connect", ADDRESS + ":" + HTTP_PORT,
                "-servername", "node1");
        int b = shown.getValue().indexOf("-----BEGIN CERTIFICATE-----");
        int e = shown.getValue().indexOf("-----END CERTIFICATE-----");
        assertTrue(b >= 0 && e > b, shown.getValue());
        String pem = shown.getValue().substring(b, e + "-----END CERTIFICATE-----".length()) + "\n";
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(fingerprint, HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())));
        Path pinned = dir.resolve("pinned.pem");
        Files.writeString(pinned, pem);

        String base = "https://" + ADDRESS + ":" + HTTP_PORT;
        Map.Entry<Integer, String> status = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "--cacert",
                pinned.toString(), "-H", "Authorization: Bearer " + bearer, base + "/api/v1/status");
        assertEquals(0, status.getKey(), status.getValue());
        assertTrue(status.getValue().contains("\"node\":\"node1\"") && status.getValue().contains("\"dc\":\"node1\""),
                status.getValue());
        Map.Entry<Integer, String> page = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "--cacert",
                pinned.toString(), "-o", "/dev/null", "-w", "%{http_code}", base + "/");
        assertEquals(Map.entry(0, "200"), page);
        Map.Entry<Integer, String> login = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "--cacert",
                pinned.toString(), "-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json", "-d",
                "{\"token\":\"" + bearer + "\"}", base + "/api/v1/login");
        assertTrue(login.getValue().matches("(?si).*set-cookie: pulse_token=[^\\r\\n]*HttpOnly; SameSite=Strict; Secure.*"),
                "the cookie over TLS is Secure:\n" + login.getValue());
        Map.Entry<Integer, String> metrics = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "--cacert",
                pinned.toString(), base + "/metrics");
        assertTrue(metrics.getValue().contains("ha_cluster_corosync_quorate 1"), metrics.getValue());

        // Pinning another certificate: the handshake fails, nothing is sent (curl 60: peer certificate not trusted).
        Path other = dir.resolve("other.pem");
        Map.Entry<Integer, String> made = run(List.of("openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey",
                "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=node1", "-addext", "subjectAltName=IP:" + ADDRESS,
                "-keyout", dir.resolve("other.key").toString(), "-out", other.toString()));
        assertEquals(0, made.getKey(), made.getValue());
        Map.Entry<Integer, String> wrong = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "--cacert",
                other.toString(), "-H", "Authorization: Bearer " + bearer, base + "/api/v1/status");
        assertEquals(60, wrong.getKey(), wrong.getValue());
        // Plain HTTP to the TLS listener: no HTTP answer at all.
        Map.Entry<Integer, String> plain = inNamespace(tlsNode, "curl", "-sS", "--max-time", "20", "-o", "/dev/null",
                "-w", "%{http_code}", "-H", "Authorization: Bearer " + bearer, "http://" + ADDRESS + ":" + HTTP_PORT
                        + "/api/v1/status");
        assertNotEquals(0, plain.getKey(), plain.getValue());
        assertTrue(plain.getValue().strip().endsWith("000"), "no HTTP status: " + plain.getValue());
    }

    @Test
    void offLoopbackWithoutTlsThePageAndTheApiAreRefusedAndMetricsServed() throws Exception {
        Map.Entry<Integer, String> token = crm("plain", "web", "token");
        assertEquals(0, token.getKey(), token.getValue());
        assertTrue(token.getValue().contains("console: http://" + ADDRESS + ":" + HTTP_PORT + "/"), token.getValue());
        String bearer = token.getValue().lines().filter(l -> l.matches("[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]+")).findFirst()
                .orElse(null);
        assertNotNull(bearer, token.getValue());
        String base = "http://" + ADDRESS + ":" + HTTP_PORT;
        Map.Entry<Integer, String> page = inNamespace(plainNode, "curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}",
                base + "/");
        assertTrue(page.getValue().endsWith("\n403") && page.getValue().contains("only over TLS")
                && page.getValue().contains("http_tls = self-signed"), page.getValue());
        Map.Entry<Integer, String> api = inNamespace(plainNode, "curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}",
                "-H", "Authorization: Bearer " + bearer, base + "/api/v1/status");
        assertTrue(api.getValue().endsWith("\n403") && api.getValue().contains("\"access-denied\""), api.getValue());
        Map.Entry<Integer, String> metrics = inNamespace(plainNode, "curl", "-sS", "--max-time", "20", base + "/metrics");
        assertTrue(metrics.getValue().contains("ha_cluster_corosync_quorate 1"), metrics.getValue());
    }
}
