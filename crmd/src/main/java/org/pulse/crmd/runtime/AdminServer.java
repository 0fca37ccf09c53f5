package org.pulse.crmd.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.slf4j.Logger;

/**
 * The admin socket: a unix domain socket (mode 0660) speaking the cib module's admin protocol,
 * one JSON request per line, one response per line, as many as the client likes per connection.
 * Each connection has its own thread; requests reach the controller as events through
 * {@link AdminHandler}.
 */
final class AdminServer implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService connections;
    private final AdminHandler handler;
    private final Logger log;
    private volatile boolean closed;

    private AdminServer(Path path, ServerSocketChannel server, AdminHandler handler, Logger log) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.log = log;
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "crmd-admin");
            t.setDaemon(true);
            return t;
        });
    }

    static AdminServer start(Path path, CrmdRuntime runtime, Logger log) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path)) {
            // A socket file left by a crmd that died: refuse if someone still answers on it.
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new IOException("another crmd already listens on " + path + "; stop it, or give this node"
                        + " its own socket in its config (socket = ...)");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another crmd")) {
                    throw e;
                }
                Files.deleteIfExists(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        try {
            var group = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("haclient");
            Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
        } catch (IOException | UnsupportedOperationException e) {
            // No haclient group on this machine: the owner's group keeps access.
        }
        AdminServer s = new AdminServer(path, server, new AdminHandler(runtime), log);
        Thread t = new Thread(s::acceptLoop, "crmd-admin-accept");
        t.setDaemon(true);
        t.start();
        log.info("admin socket {}", path);
        return s;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                connections.execute(() -> serve(ch));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("admin socket {}: {}", path, e.getMessage());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                StandardCharsets.UTF_8)); OutputStream out = Channels.newOutputStream(ch)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                AdminResponse response;
                try {
                    AdminRequest req = AdminCodec.decodeRequest(line);
                    response = handler.handle(req);
                } catch (AdminProtocolException e) {
                    response = AdminResponse.error("?", AdminError.BAD_REQUEST, e.getMessage());
                } catch (RuntimeException e) {
                    log.error("admin request failed: {}", e.toString(), e);
                    response = AdminResponse.error("?", AdminError.INTERNAL, "crmd failed on this request: " + e);
                }
                out.write((AdminCodec.encode(response) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            log.debug("admin connection ended: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
