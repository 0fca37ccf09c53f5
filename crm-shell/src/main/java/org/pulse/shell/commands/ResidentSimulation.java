package org.pulse.shell.commands;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.policy.simulate.SimulateOptions;
import org.pulse.policy.simulate.SimulationResult;
import org.pulse.shell.CrmException;
import org.pulse.shell.source.AdminClient;

/**
 * The admin client's side of {@code crm simulate} through crmd's resident scheduler: the request
 * carries the options, the caller's clock and the CIB file's contents (or nothing, for the live
 * CIB); the answer carries the text to print and the documents to save, which the shell writes
 * itself, as the user who asked.
 *
 * <p>A file goes through crmd only when one answers on the socket and takes the request; any
 * refusal (no crmd, an older crmd without the operation, a CIB too big for its heap, its scheduler
 * busy, a user it does not serve, an error in the request) gives null and the shell schedules in
 * its own process, which prints the same (and, for an error, the same message naming the file).
 */
public final class ResidentSimulation {
    /**
     * Bigger files travel gzipped (at the fastest level: ~30x smaller for a CIB, ~0.3 s per 100 MB
     * here): a 183 MB CIB with full probe history is then 6 MB, under crmd's request line limit.
     */
    static final long GZIP_ABOVE_BYTES = 1 << 20;

    private final AdminClient client;

    ResidentSimulation(AdminClient client) {
        this.client = client;
    }

    /** The live cluster's CIB, scheduled by crmd: its answer, or an error naming crmd and what to do. */
    SimulationResult live(SimulateOptions o, Instant now) throws CrmException {
        AdminResponse resp = client.call(request(o, now, AdminArgs.empty()));
        if (!resp.ok()) {
            throw new CrmException("simulate: " + resp.error().message() + " [" + resp.error().code() + "]");
        }
        return result(resp);
    }

    /**
     * {@code file} scheduled by crmd; null when it did not (see the class comment), unless
     * {@code required}: then its refusal is the error.
     */
    SimulationResult file(Path file, SimulateOptions o, Instant now, boolean required) throws CrmException {
        if (!required && !Files.exists(client.socket())) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (required) {
                throw new CrmException("simulate: cannot read " + file + ": " + e.getMessage());
            }
            return null;
        }
        AdminResponse resp;
        try {
            resp = client.call(request(o, now, cibArgs(bytes)));
        } catch (CrmException e) {
            if (required) {
                throw new CrmException("simulate --via-crmd: " + e.getMessage());
            }
            return null;
        }
        if (resp.ok()) {
            return result(resp);
        }
        if (required) {
            throw new CrmException("simulate --via-crmd: crmd at " + client.socket() + " refused: "
                    + resp.error().message() + " [" + resp.error().code() + "]");
        }
        return null;
    }

    /** The CIB's bytes as the request carries them: as text, or gzipped (base64) with the unpacked size. */
    public static AdminArgs cibArgs(byte[] bytes) {
        if (bytes.length <= GZIP_ABOVE_BYTES) {
            return AdminArgs.of("cib", new String(bytes, StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream packed = new ByteArrayOutputStream(bytes.length / 16);
        try (GZIPOutputStream gz = new GZIPOutputStream(packed, 64 * 1024) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        return AdminArgs.of("cib_gz", Base64.getEncoder().encodeToString(packed.toByteArray()),
                "cib_bytes", (long) bytes.length);
    }

    private AdminRequest request(SimulateOptions o, Instant now, AdminArgs cib) {
        return new AdminRequest(client.nextId(), AdminOp.SIMULATE, o.toArgs(cib.with("now_ms", now.toEpochMilli())));
    }

    private SimulationResult result(AdminResponse resp) throws CrmException {
        AdminArgs r = resp.result();
        try {
            return new SimulationResult(r.string("text").orElse(""), r.string("input").orElse(null),
                    r.string("output").orElse(null), r.string("graph").orElse(null),
                    r.number("actions").orElse(0L).intValue());
        } catch (AdminProtocolException e) {
            throw new CrmException("simulate: crmd at " + client.socket() + " answered something the shell cannot"
                    + " read: " + e.getMessage());
        }
    }
}
