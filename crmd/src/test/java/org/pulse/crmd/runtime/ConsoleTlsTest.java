package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The http listener's TLS: the node config keys (mistakes named with the line), the self-signed certificate
 * made once and kept, the operator's PEM files (PKCS#8 EC and PKCS#1 RSA, as openssl writes them), and a
 * real HTTPS listener fetched with that certificate pinned (and refused with another one pinned).
 */
class ConsoleTlsTest {
    static final Path FILE = Path.of("/etc/pulse/crmd.conf");
    @TempDir
    Path dir;

    private static NodeConfig parse(String... extra) throws Exception {
        List<String> lines = new java.util.ArrayList<>(List.of("node = node1", "nodes = node1@127.0.0.1:7801"));
        lines.addAll(List.of(extra));
        return NodeConfig.parse(FILE, lines);
    }

    @Test
    void theNodeConfigKeys() throws Exception {
        assertEquals(NodeConfig.HttpTls.OFF, parse().httpTls());
        assertEquals("self-signed", parse("http_tls = self-signed").httpTls().mode());
        NodeConfig.HttpTls pem = parse("http_tls_cert = /etc/pulse/web.crt", "http_tls_key = /etc/pulse/web.key").httpTls();
        assertEquals(new NodeConfig.HttpTls("pem", Path.of("/etc/pulse/web.crt"), Path.of("/etc/pulse/web.key")), pem);
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class, () -> parse("http_tls_cert = /c"));
        assertTrue(e.getMessage().contains("crmd.conf:3") && e.getMessage().contains("http_tls_key is missing"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse("http_tls = yes"));
        assertTrue(e.getMessage().contains("crmd.conf:3: http_tls = yes is not one of off, self-signed, pem"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> parse("http_tls = off", "http_tls_key = /k"));
        assertTrue(e.getMessage().contains("crmd.conf:4: http_tls_key is set but http_tls = off"), e.getMessage());
    }

    @Test
    void theSelfSignedCertificateIsMadeOnceAndKept() throws Exception {
        InetSocketAddress http = new InetSocketAddress("198.51.100.7", 9664);
        ConsoleTls.Material first = ConsoleTls.selfSigned(dir.resolve("tls"), "node1", http);
        ConsoleTls.Material again = ConsoleTls.selfSigned(dir.resolve("tls"), "node1", http);
        assertEquals(first.sha256(), again.sha256(), "the same certificate after a restart: a pinned fingerprint stays valid");
        assertTrue(first.sha256().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), first.sha256());
        assertEquals("CN=node1", first.certificate().getSubjectX500Principal().getName());
        assertTrue(first.certificate().getSubjectAlternativeNames().toString().contains("198.51.100.7"),
                "the listener's address is in the certificate: " + first.certificate().getSubjectAlternativeNames());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("tls"))));
        assertTrue(!Files.readString(dir.resolve("tls").resolve(ConsoleTls.PASSWORD)).isBlank());
    }

    @Test
    void pemFilesAsOpensslWritesThem() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl");
        for (String[] kind : new String[][] {{"ec", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"},
                {"rsa", "-newkey", "rsa:2048"}}) {
            Path cert = dir.resolve(kind[0] + ".crt");
            Path key = dir.resolve(kind[0] + ".key");
            List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj",
                    "/CN=node1", "-keyout", key.toString(), "-out", cert.toString()));
            cmd.addAll(List.of(kind).subList(1, kind.length));
            run(cmd);
            if (kind[0].equals("rsa")) {
                // The traditional form ("BEGIN RSA PRIVATE KEY") many existing keys are in.
                run(List.of("openssl", "rsa", "-in", key.toString(), "-out", key.toString(), "-traditional"));
                assertTrue(Files.readString(key).contains("BEGIN RSA PRIVATE KEY"));
            }
            ConsoleTls.Material m = ConsoleTls.load(new NodeConfig.HttpTls("pem", cert, key), dir, "node1", null);
            String openssl = run(List.of("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256"));
            assertTrue(openssl.strip().endsWith("=" + m.sha256()), openssl + " vs " + m.sha256());
        }
        Files.writeString(dir.resolve("bad.key"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        IOException e = assertThrows(IOException.class, () -> ConsoleTls.load(new NodeConfig.HttpTls("pem",
                dir.resolve("ec.crt"), dir.resolve("bad.key")), dir, "node1", null));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
        e = assertThrows(IOException.class, () -> ConsoleTls.load(new NodeConfig.HttpTls("pem", dir.resolve("none.crt"),
                dir.resolve("ec.key")), dir, "node1", null));
        assertTrue(e.getMessage().contains("http_tls_cert " + dir.resolve("none.crt") + " cannot be read"), e.getMessage());
        e = assertThrows(IOException.class, () -> ConsoleTls.load(new NodeConfig.HttpTls("pem", dir.resolve("ec.crt"),
                dir.resolve("rsa.key")), dir, "node1", null));
        assertTrue(e.getMessage().contains("is a RSA key but the certificate's is EC"), e.getMessage());
    }

    @Test
    void anHttpsListenerAnswersAClientPinningItsCertificateOnly() throws Exception {
        ConsoleTls.Material m = ConsoleTls.selfSigned(dir.resolve("tls"), "node1", null);
        ConsoleTls.Material other = ConsoleTls.selfSigned(dir.resolve("other"), "node1", null);
        assertNotEquals(m.sha256(), other.sha256());
        MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> "ha_cluster_corosync_quorate 1\n",
                null, m.context(), LoggerFactory.getLogger("test"));
        try {
            URI uri = URI.create("https://localhost:" + s.port() + "/metrics");
            HttpResponse<String> r = pinned(m).send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("ha_cluster_corosync_quorate 1\n", r.body());
            assertThrows(SSLHandshakeException.class, () -> pinned(other).send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString()));
            // Plain HTTP to the TLS port gets no HTTP answer.
            assertThrows(IOException.class, () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        } finally {
            s.close();
        }
    }

    /** A client trusting exactly one certificate. */
    private static HttpClient pinned(ConsoleTls.Material m) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("pinned", m.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
