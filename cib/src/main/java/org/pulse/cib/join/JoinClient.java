package org.pulse.cib.join;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The joining side of {@link JoinWire}: what {@code crm cluster join} runs. */
public final class JoinClient {
    /** How long a join waits to connect: a node that cannot be reached is reported within seconds. */
    public static final int CONNECT_TIMEOUT_MS = 3_000;
    /** How long it waits for the answer to its request: the answerer changes every member's node list first. */
    public static final int ADMIT_TIMEOUT_MS = 25_000;

    private JoinClient() {
    }

    /** What a join brought back: the cluster key and the cluster-wide settings. */
    public record Admission(byte[] key, Map<String, String> settings) {
    }

    /**
     * Asks the node at {@code answerer} (its cluster address; the join port is that plus
     * {@link JoinWire#PORT_OFFSET}) to admit this node. {@code request}: {@code node}, {@code address}
     * and optionally {@code cluster} (the name the operator expects). {@code protocolVersion} is
     * {@link JoinWire#PROTOCOL_VERSION} except in tests of version skew.
     */
    public static Admission join(InetSocketAddress answerer, JoinToken token, Map<String, String> request,
            int protocolVersion, SecureRandom random) throws JoinException {
        InetSocketAddress port = new InetSocketAddress(answerer.getAddress(), answerer.getPort() + JoinWire.PORT_OFFSET);
        String where = answerer.getHostString() + " (join port " + port.getPort() + ")";
        try (Socket s = new Socket()) {
            try {
                s.connect(port, CONNECT_TIMEOUT_MS);
            } catch (SocketTimeoutException e) {
                throw new JoinException("cannot reach " + where + " within " + CONNECT_TIMEOUT_MS / 1000 + " s: check the"
                        + " address (the cluster node's host:port as in its crmd.conf) and that no firewall drops TCP port "
                        + port.getPort() + "; nothing was written");
            } catch (IOException e) {
                throw new JoinException("cannot connect to " + where + ": " + e.getMessage() + "; is pulse running there"
                        + " (systemctl status pulse) and is the address its cluster address? Nothing was written");
            }
            s.setSoTimeout(JoinWire.READ_TIMEOUT_MS);
            byte[] nonce = JoinWire.nonce(random);
            Map<String, String> hello = new LinkedHashMap<>();
            hello.put("magic", JoinWire.MAGIC);
            hello.put("protocol", Integer.toString(protocolVersion));
            hello.put("token-id", token.id());
            hello.put("nonce", Base64.getEncoder().encodeToString(nonce));
            JoinWire.write(s.getOutputStream(), hello);
            Map<String, String> answer = JoinWire.read(s.getInputStream());
            refusal(answer, where);
            byte[] theirs = Base64.getDecoder().decode(answer.getOrDefault("nonce", ""));
            byte[] key = JoinWire.sessionKey(token.secret(), nonce, theirs);
            JoinWire.write(s.getOutputStream(), Map.of("sealed", JoinWire.seal(key, "joiner", request, random)));
            s.setSoTimeout(ADMIT_TIMEOUT_MS);
            Map<String, String> reply = JoinWire.read(s.getInputStream());
            refusal(reply, where);
            Map<String, String> accept = JoinWire.open(key, "answerer", reply.getOrDefault("sealed", ""));
            if (accept == null) {
                throw new JoinException(where + " answered with something not sealed with the token's secret: it is"
                        + " not the node that made the token; nothing was written");
            }
            byte[] clusterKey = Base64.getDecoder().decode(accept.remove("key"));
            String fp = JoinWire.fingerprint(clusterKey);
            if (!fp.equals(token.fingerprint())) {
                throw new JoinException(where + " sent a cluster key with fingerprint " + fp + " but the token pins "
                        + token.fingerprint() + ": not the cluster the token was made for; nothing was written");
            }
            return new Admission(clusterKey, accept);
        } catch (SocketTimeoutException e) {
            throw new JoinException(where + " did not answer in time: " + e.getMessage() + "; see its log"
                    + " (journalctl -u pulse); nothing was written", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new JoinException("the join with " + where + " broke off: " + e.getMessage() + "; nothing was written", e);
        }
    }

    private static void refusal(Map<String, String> answer, String where) throws JoinException {
        if (answer.containsKey("error")) {
            throw new JoinException(where + " refused the join: " + answer.get("error") + "; nothing was written");
        }
    }
}
