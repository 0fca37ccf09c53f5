package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.shell.levels.Shell;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.source.AdminClient;
import org.pulse.shell.source.LiveCibSource;

/**
 * {@code crm node fence NODE} at a terminal asks before it powers a node off, as crmsh does; "no" sends
 * nothing to crmd, "yes" (or {@code crm -F}) sends the request. A script (no terminal) goes ahead as before.
 * Before, the interactive shell fenced at once: one mistyped node name and a healthy node was off. A real
 * Unix socket stands in for crmd and records what it was asked.
 */
class NodeFenceConfirmTest {
    @TempDir
    Path dir;

    /** A crmd stand-in: answers every request ok and keeps its JSON line. */
    private List<String> crmd(Path socket) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            try (server) {
                while (true) {
                    try (SocketChannel ch = server.accept()) {
                        ByteBuffer b = ByteBuffer.allocate(65536);
                        StringBuilder line = new StringBuilder();
                        while (line.indexOf("\n") < 0 && ch.read(b) > 0) {
                            b.flip();
                            line.append(StandardCharsets.UTF_8.decode(b));
                            b.clear();
                        }
                        String req = line.toString().strip();
                        asked.add(req);
                        String id = AdminCodec.decodeRequest(req).id();
                        ch.write(ByteBuffer.wrap((AdminCodec.encode(AdminResponse.ok(id, AdminArgs.of("message",
                                "fencing requested"))) + "\n").getBytes(StandardCharsets.UTF_8)));
                    }
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        t.setDaemon(true);
        t.start();
        return asked;
    }

    private record Run(int rc, String output) {
    }

    private Run fence(Path socket, boolean interactive, String answers, boolean force) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        Session s = new Session(new LiveCibSource(new AdminClient(socket)), out, out,
                new BufferedReader(new StringReader(answers)), Map.of("HOME", dir.toString()), Clock.systemUTC(), null,
                interactive);
        s.force = force;
        Shell shell = new Shell(s);
        int rc = shell.execWords(Lexer.fromWords(List.of("node", "fence", "node2")));
        return new Run(rc, captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void atATerminalNoSendsNothing() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        List<String> asked = crmd(socket);
        Run r = fence(socket, true, "n\n", false);
        assertEquals(0, r.rc(), r.output());
        assertTrue(r.output().contains("Fencing node2 powers it off or reboots it now") && r.output().contains("(y/n)? "),
                r.output());
        assertTrue(r.output().contains("node2 not fenced"), r.output());
        assertTrue(asked.isEmpty(), "crmd was asked " + asked);
    }

    @Test
    void atATerminalYesFences() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        List<String> asked = crmd(socket);
        Run r = fence(socket, true, "y\n", false);
        assertEquals(0, r.rc(), r.output());
        assertEquals(1, asked.size(), r.output());
        assertTrue(asked.get(0).contains("\"action\":\"fence\"") && asked.get(0).contains("\"node\":\"node2\""), asked.get(0));
    }

    @Test
    void forceOrAScriptDoesNotAsk() throws Exception {
        Path socket = dir.resolve("crmd.sock");
        List<String> asked = crmd(socket);
        Run forced = fence(socket, true, "", true);
        Run script = fence(socket, false, "", false);
        assertTrue(!forced.output().contains("(y/n)") && !script.output().contains("(y/n)"), forced.output() + script.output());
        assertEquals(2, asked.size(), forced.output() + script.output());
    }
}
