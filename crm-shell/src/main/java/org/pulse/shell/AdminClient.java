package org.pulse.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;

/**
 * One request, one response over crmd's admin socket (the cib module's admin protocol: a JSON
 * object per line). A connection per request keeps the shell simple; the daemon's answer
 * carries its own error code and message, which are passed on to the operator as they are.
 */
final class AdminClient {
    static final Path DEFAULT_SOCKET = Path.of("/run/pulse/crmd.sock");
    private final Path socket;
    private int counter;

    AdminClient(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    AdminResponse call(AdminRequest request) throws CrmException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Writer w = new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8);
            w.write(AdminCodec.encode(request));
            w.write('\n');
            w.flush();
            BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null) {
                throw new CrmException("crmd at " + socket + " closed the connection without answering; "
                        + "check its log");
            }
            return AdminCodec.decodeResponse(line);
        } catch (IOException e) {
            throw new CrmException("cannot reach crmd at " + socket + " (" + e.getMessage() + "); start crmd, "
                    + "give its socket with --socket PATH (or PULSE_SOCKET), or work on a file with --cib-file FILE");
        } catch (AdminProtocolException e) {
            throw new CrmException("crmd at " + socket + " answered something the shell cannot read: "
                    + e.getMessage());
        }
    }

    String nextId() {
        return "crm-" + ProcessHandle.current().pid() + "-" + (++counter);
    }

    /** The response's result, or its error as a CrmException with crmd's message. */
    AdminResponse require(AdminRequest request) throws CrmException {
        AdminResponse resp = call(request);
        if (!resp.ok()) {
            throw new CrmException(resp.error().message() + " [" + resp.error().code() + "]");
        }
        return resp;
    }
}
