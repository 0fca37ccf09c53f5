package org.pulse.crmd.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The http listener's TLS material (node config {@code http_tls}): the operator's PEM certificate chain and
 * key, or a self-signed certificate crmd makes once under {@code DATA_DIR/tls} and keeps (so its fingerprint,
 * once pinned by a browser or a script, stays). Made with the JDK's own {@code keytool} (always beside the
 * JVM), an EC P-256 key, valid 10 years, naming the node, {@code localhost} and the listener's address.
 */
final class ConsoleTls {
    static final String KEYSTORE = "console.p12";
    static final String PASSWORD = "console.pass";
    private static final String ALIAS = "console";

    /** An SSL context serving the certificate, and the certificate's SHA-256 fingerprint (AA:BB:...). */
    record Material(SSLContext context, X509Certificate certificate, String sha256) {
    }

    private ConsoleTls() {
    }

    static Material load(NodeConfig.HttpTls tls, Path dataDir, String node, InetSocketAddress http) throws IOException {
        try {
            if (tls.mode().equals("pem")) {
                List<X509Certificate> chain = readChain(tls.cert());
                PrivateKey key = readKey(tls.key());
                return material(chain, key, "http_tls_key " + tls.key());
            }
            return selfSigned(dataDir.resolve("tls"), node, http);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS for the console: " + e.getMessage(), e);
        }
    }

    private static Material material(List<X509Certificate> chain, PrivateKey key, String where) throws GeneralSecurityException {
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new GeneralSecurityException(where + " is a " + key.getAlgorithm() + " key but the certificate's is "
                    + chain.get(0).getPublicKey().getAlgorithm() + "; give the key of that certificate");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] pass = new char[0];
        ks.setKeyEntry(ALIAS, key, pass, chain.toArray(new Certificate[0]));
        return fromKeyStore(ks, pass);
    }

    private static Material fromKeyStore(KeyStore ks, char[] pass) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
        return new Material(ctx, cert, fingerprint(cert));
    }

    /** SHA-256 of the certificate's DER, as {@code openssl x509 -fingerprint -sha256} prints it. */
    static String fingerprint(X509Certificate cert) throws GeneralSecurityException {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    }

    static List<X509Certificate> readChain(Path file) throws IOException, GeneralSecurityException {
        byte[] pem = readable(file, "http_tls_cert");
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (java.security.cert.CertificateException e) {
            throw new GeneralSecurityException("http_tls_cert " + file + " is not a PEM certificate chain: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("http_tls_cert " + file + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String text = new String(readable(file, "http_tls_key"), StandardCharsets.US_ASCII);
        byte[] pkcs8;
        if (text.contains("-----BEGIN PRIVATE KEY-----")) {
            pkcs8 = base64Between(text, "PRIVATE KEY");
        } else if (text.contains("-----BEGIN RSA PRIVATE KEY-----") && !text.contains("ENCRYPTED")) {
            pkcs8 = rsaPkcs1ToPkcs8(base64Between(text, "RSA PRIVATE KEY"));
        } else {
            throw new GeneralSecurityException("http_tls_key " + file + " is not an unencrypted PEM private key (PKCS#8"
                    + " '-----BEGIN PRIVATE KEY-----' or RSA); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out "
                    + file);
        }
        for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new GeneralSecurityException("http_tls_key " + file + " is neither an RSA, EC nor Ed25519 key");
    }

    private static byte[] readable(Path file, String key) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException(key + " " + file + " cannot be read (" + e.getMessage() + "); fix the path in the node config");
        }
    }

    private static byte[] base64Between(String pem, String label) {
        int start = pem.indexOf("-----BEGIN " + label + "-----") + ("-----BEGIN " + label + "-----").length();
        int end = pem.indexOf("-----END " + label + "-----", start);
        return Base64.getMimeDecoder().decode(pem.substring(start, end < 0 ? pem.length() : end));
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8: SEQUENCE { 0, { rsaEncryption, NULL }, OCTET STRING pkcs1 }. */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n} : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }

    /** The kept self-signed certificate, made on first use (the directory and both files owner-only). */
    static Material selfSigned(Path dir, String node, InetSocketAddress http) throws IOException, GeneralSecurityException {
        Path store = dir.resolve(KEYSTORE);
        Path passFile = dir.resolve(PASSWORD);
        if (!Files.exists(store) || !Files.exists(passFile)) {
            PrivateFiles.privateDirectory(dir);
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String pass = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = dir.resolve(KEYSTORE + ".new");
            Files.deleteIfExists(tmp);
            List<String> san = new ArrayList<>(List.of("dns:" + node, "dns:localhost", "ip:127.0.0.1"));
            InetAddress a = http == null ? null : http.getAddress();
            if (a != null && !a.isAnyLocalAddress() && !a.isLoopbackAddress()) {
                san.add("ip:" + a.getHostAddress());
            }
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname",
                    "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=" + node.replace(",", "\\,"), "-ext",
                    "SAN=" + String.join(",", san), "-validity", "3650", "-keystore", tmp.toString(), "-storetype", "PKCS12",
                    "-storepass:env", "PULSE_KS_PASS", "-keypass:env", "PULSE_KS_PASS");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("PULSE_KS_PASS", pass); // never on the command line (ps)
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("keytool did not make the console's certificate within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while making the console's certificate");
            }
            if (p.exitValue() != 0) {
                throw new IOException("keytool could not make the console's certificate in " + dir + ": " + output.strip());
            }
            PrivateFiles.writeAtomically(dir, PASSWORD, pass.getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, store, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        char[] pass = Files.readString(passFile).strip().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pass);
        }
        return fromKeyStore(ks, pass);
    }
}
