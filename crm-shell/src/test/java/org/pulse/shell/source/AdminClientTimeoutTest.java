package org.pulse.shell.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminDeadlines;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.shell.CrmException;

/**
 * The shell waits for crmd's answer a bounded time, and says what the silence means: a write may
 * still be applied, a read changed nothing. A real Unix socket that accepts and never answers.
 */
class AdminClientTimeoutTest {
    @TempDir
    Path dir;

    /** Accepts one connection, reads the request, then answers {@code answer} after {@code delayMs} (null: never). */
    private CompletableFuture<Void> server(Path socket, String answer, long delayMs) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.runAsync(() -> {
            try (server; SocketChannel ch = server.accept()) {
                ch.read(ByteBuffer.allocate(4096));
                Thread.sleep(delayMs);
                if (answer != null) {
                    ch.write(ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
                }
            } catch (Exception e) {
                // the client went away: what the test wanted
            }
        });
    }

    @Test
    void aWriteWithoutAnswerEndsWithinTheBoundAndSaysItMayBeApplied() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        CompletableFuture<Void> s = server(socket, null, 2_000);
        AdminClient client = new AdminClient(socket, 1_000);
        long t0 = System.nanoTime();
        CrmException e = assertThrows(CrmException.class, () -> client.call(new AdminRequest("1", AdminOp.PATCH,
                AdminArgs.of("diff", "{}"))));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMs >= 1_000 && tookMs < 4_000, "waited " + tookMs + " ms for a 1 s bound");
        assertTrue(e.getMessage().startsWith("no answer from crmd within 1 s: "), e.getMessage());
        assertTrue(e.getMessage().contains("the write may still be applied: check with crm configure show"),
                e.getMessage());
        s.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReadWithoutAnswerSaysNothingChanged() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        CompletableFuture<Void> s = server(socket, null, 1_000);
        CrmException e = assertThrows(CrmException.class, () -> new AdminClient(socket, 500)
                .call(new AdminRequest("1", AdminOp.STATUS, AdminArgs.empty())));
        assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
        s.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLateAnswerWithinTheBoundIsRead() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        String answer = AdminCodec.encode(AdminResponse.ok("1", AdminArgs.of("version", "0.1.2")));
        CompletableFuture<Void> s = server(socket, answer, 300);
        var resp = new AdminClient(socket, 5_000).call(new AdminRequest("1", AdminOp.STATUS, AdminArgs.empty()));
        assertTrue(resp.ok(), String.valueOf(resp));
        assertEquals("0.1.2", resp.result().requireString("version"));
        s.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theDefaultBoundIsPastEveryDeadlineCrmdKeeps() {
        AdminDeadlines d = AdminDeadlines.DEFAULTS;
        assertTrue(AdminDeadlines.clientReadMs() > d.socketMs() && d.socketMs() > d.forwardMs()
                && d.forwardMs() > d.capMs() && d.capMs() >= d.idleMs());
        assertTrue(AdminDeadlines.clientReadMs() > AdminDeadlines.SIMULATE_ANSWER_MS);
        assertEquals(AdminDeadlines.clientReadMs(), 105_000, "document a change of the shell's bound (crm's --help)");
    }
}
