package org.pulse.crmd.controller;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.cib.xml.XmlWriter;

/**
 * The wire form of {@link Message}s between crmds: a format version, a tag, then the fields;
 * strings are length-prefixed UTF-8 (a CIB can exceed DataOutput's 64 KiB strings), CIBs travel
 * as XML and diffs as CibDiff JSON. A message that does not decode raises {@link DecodeException}
 * naming what is wrong; the runtime drops and logs it, never crashing the node.
 */
public final class MessageCodec {
    public static final int FORMAT_VERSION = 1;
    private static final int MAX_STRING_BYTES = 256 << 20;

    private MessageCodec() {
    }

    public static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;

        DecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The view id a message of the previous format did not carry yet: "" for such a message, which
     * matches no view, so its receiver refuses it as of another view (after a rolling upgrade, the
     * join round collects what it said).
     */
    private static String trailingViewId(DataInputStream in) throws IOException {
        if (in.available() == 0) {
            return "";
        }
        String viewId = str(in);
        return viewId == null ? "" : viewId;
    }

    public static byte[] encode(Message m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            if (m instanceof Message.JoinRequest j) {
                out.writeByte(1);
                str(out, j.viewId());
                version(out, j.dcVersion());
            } else if (m instanceof Message.JoinResponse j) {
                out.writeByte(2);
                str(out, j.viewId());
                version(out, j.version());
                str(out, j.cib() == null ? null : XmlWriter.toXml(j.cib().root()));
                str(out, XmlWriter.toXml(j.lrm()));
                out.writeInt(j.suspects().size());
                for (String s : j.suspects()) {
                    str(out, s);
                }
                // Last and only when there is one, so a node of the previous format reads the fields it knows.
                if (!j.dcFencingDone().isEmpty() || !j.dcFencingInFlight().isEmpty()) {
                    fenceEvents(out, j.dcFencingDone());
                    out.writeInt(j.dcFencingInFlight().size());
                    for (Message.DcFenceRun r : j.dcFencingInFlight()) {
                        str(out, r.opKey());
                        str(out, r.target());
                        str(out, r.device());
                        str(out, r.action());
                        out.writeLong(r.timeoutMs());
                    }
                }
            } else if (m instanceof Message.CibSync s) {
                out.writeByte(3);
                str(out, s.viewId());
                str(out, XmlWriter.toXml(s.cib().root()));
            } else if (m instanceof Message.CibUpdate u) {
                out.writeByte(4);
                str(out, u.viewId());
                str(out, u.diff().toJson());
            } else if (m instanceof Message.CibAck a) {
                out.writeByte(5);
                str(out, a.viewId());
                version(out, a.version());
            } else if (m instanceof Message.ResyncRequest r) {
                out.writeByte(6);
                str(out, r.viewId());
                version(out, r.have());
            } else if (m instanceof Message.Execute x) {
                out.writeByte(7);
                str(out, x.viewId());
                OpRequest q = x.request();
                str(out, q.opKey());
                str(out, q.resourceId());
                agent(out, q.agent());
                str(out, q.action());
                out.writeLong(q.intervalMs());
                out.writeLong(q.timeoutMs());
                map(out, q.params());
                // Last and only when there is one, so a node of the previous format reads the fields it knows
                // (it is never sent one: only a DC of this format routes actions to remote nodes).
                if (x.relayed()) {
                    str(out, x.target());
                }
            } else if (m instanceof Message.OpReport r) {
                out.writeByte(8);
                OpResult o = r.result();
                str(out, o.opKey());
                str(out, o.resourceId());
                agent(out, o.agent());
                str(out, o.action());
                out.writeLong(o.intervalMs());
                out.writeInt(o.rc());
                out.writeInt(o.status().code());
                str(out, o.exitReason());
                out.writeLong(o.execMs());
                out.writeLong(r.callId());
                str(out, r.opDigest());
                str(out, o.output());
                // Last, so a node of the previous format reads the fields it knows and ignores it.
                str(out, r.viewId());
                if (!r.node().isEmpty()) {
                    str(out, r.node());
                }
            } else if (m instanceof Message.ForwardedAdmin f) {
                out.writeByte(9);
                out.writeLong(f.forwardId());
                command(out, f.command());
                str(out, f.viewId());
            } else if (m instanceof Message.ForwardedReply f) {
                out.writeByte(10);
                out.writeLong(f.forwardId());
                AdminResult r = f.result();
                str(out, r.code());
                str(out, r.message());
                out.writeBoolean(r.version() != null);
                if (r.version() != null) {
                    version(out, r.version());
                }
                str(out, f.viewId());
            } else if (m instanceof Message.Suicide s) {
                out.writeByte(11);
                str(out, s.viewId());
                str(out, s.reason());
            } else if (m instanceof Message.ForgetHistory f) {
                out.writeByte(12);
                str(out, f.viewId());
                str(out, f.resourceId());
            } else if (m instanceof Message.ShutdownRequest r) {
                out.writeByte(13);
                str(out, r.viewId());
            } else if (m instanceof Message.ShutdownGranted g) {
                out.writeByte(14);
                str(out, g.viewId());
            } else if (m instanceof Message.FenceHistory h) {
                out.writeByte(15);
                str(out, h.viewId());
                fenceEvents(out, h.events());
            } else {
                throw new IllegalArgumentException("no wire form for " + m.getClass().getSimpleName());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    public static Message decode(byte[] data) throws DecodeException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT_VERSION) {
                throw new DecodeException("message format " + format + " is not " + FORMAT_VERSION
                        + " (a node running another Pulse version?)", null);
            }
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1:
                    return new Message.JoinRequest(str(in), version(in));
                case 2: {
                    String viewId = str(in);
                    CibVersion v = version(in);
                    String cibXml = str(in);
                    XmlElement lrm = xml("lrm history", str(in));
                    int n = count(in);
                    List<String> suspects = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        suspects.add(str(in));
                    }
                    List<FenceEvent> done = List.of();
                    List<Message.DcFenceRun> inFlight = new ArrayList<>();
                    if (in.available() > 0) {
                        done = fenceEvents(in);
                        int runs = count(in);
                        for (int i = 0; i < runs; i++) {
                            inFlight.add(new Message.DcFenceRun(str(in), str(in), str(in), str(in), in.readLong()));
                        }
                    }
                    return new Message.JoinResponse(viewId, v, cibXml == null ? null : cib(cibXml), lrm, suspects,
                            done, inFlight);
                }
                case 3:
                    return new Message.CibSync(str(in), cib(str(in)));
                case 4:
                    return new Message.CibUpdate(str(in), CibDiff.fromJson(str(in)));
                case 5:
                    return new Message.CibAck(str(in), version(in));
                case 6:
                    return new Message.ResyncRequest(str(in), version(in));
                case 7: {
                    String viewId = str(in);
                    OpRequest q = new OpRequest(str(in), str(in), agent(in), str(in), in.readLong(), in.readLong(),
                            map(in));
                    return new Message.Execute(viewId, q, trailingViewId(in));
                }
                case 8: {
                    String opKey = str(in);
                    String rsc = str(in);
                    AgentSpec agent = agent(in);
                    String action = str(in);
                    long intervalMs = in.readLong();
                    int rc = in.readInt();
                    OpStatus status = OpStatus.ofCode(in.readInt());
                    String reason = str(in);
                    long execMs = in.readLong();
                    long callId = in.readLong();
                    String digest = str(in);
                    String output = str(in);
                    OpResult result = new OpResult(opKey, rsc, agent, action, intervalMs, rc, status, reason, execMs,
                            output);
                    String viewId = trailingViewId(in);
                    return new Message.OpReport(viewId, result, callId, digest, trailingViewId(in));
                }
                case 9: {
                    long id = in.readLong();
                    AdminCommand command = command(in);
                    return new Message.ForwardedAdmin(trailingViewId(in), id, command);
                }
                case 10: {
                    long id = in.readLong();
                    String code = str(in);
                    String message = str(in);
                    CibVersion v = in.readBoolean() ? version(in) : null;
                    return new Message.ForwardedReply(trailingViewId(in), id, new AdminResult(code, message, v, null,
                            null));
                }
                case 11:
                    return new Message.Suicide(str(in), str(in));
                case 12:
                    return new Message.ForgetHistory(str(in), str(in));
                case 13:
                    return new Message.ShutdownRequest(str(in));
                case 14:
                    return new Message.ShutdownGranted(str(in));
                case 15: {
                    String viewId = str(in);
                    return new Message.FenceHistory(viewId, fenceEvents(in));
                }
                default:
                    throw new DecodeException("unknown message tag " + tag, null);
            }
        } catch (IOException | RuntimeException | CibException e) {
            throw new DecodeException("cannot decode a " + data.length + "-byte message: " + e, e);
        }
    }

    private static void command(DataOutputStream out, AdminCommand c) throws IOException {
        if (c instanceof AdminCommand.Query) {
            out.writeByte(1);
        } else if (c instanceof AdminCommand.Shutdown) {
            out.writeByte(4);
        } else if (c instanceof AdminCommand.Status) {
            out.writeByte(2);
        } else if (c instanceof AdminCommand.Write w) {
            out.writeByte(3);
            out.writeBoolean(w.force());
            CibEdit e = w.edit();
            if (e instanceof CibEdit.ReplaceCib r) {
                out.writeByte(1);
                str(out, r.xml());
            } else if (e instanceof CibEdit.ReplaceSection r) {
                out.writeByte(2);
                str(out, r.section());
                str(out, r.xml());
            } else if (e instanceof CibEdit.Patch p) {
                out.writeByte(3);
                str(out, p.diffJson());
            } else if (e instanceof CibEdit.NodeAttribute a) {
                out.writeByte(4);
                str(out, a.node());
                str(out, a.name());
                str(out, a.value());
                out.writeBoolean(a.transientAttribute());
            } else if (e instanceof CibEdit.ClusterProperty p) {
                out.writeByte(5);
                str(out, p.name());
                str(out, p.value());
            } else if (e instanceof CibEdit.ResourceMeta m) {
                out.writeByte(6);
                str(out, m.resourceId());
                str(out, m.name());
                str(out, m.value());
            } else if (e instanceof CibEdit.Cleanup cl) {
                out.writeByte(7);
                str(out, cl.resourceId());
                str(out, cl.node());
            } else if (e instanceof CibEdit.Constraint k) {
                out.writeByte(8);
                str(out, k.id());
                str(out, k.xml());
            } else if (e instanceof CibEdit.FailCount f) {
                out.writeByte(9);
                str(out, f.resourceId());
                str(out, f.node());
                str(out, f.value());
            } else if (e instanceof CibEdit.Fence f) {
                out.writeByte(10);
                str(out, f.node());
            } else if (e instanceof CibEdit.Move m) {
                out.writeByte(11);
                str(out, m.resourceId());
                str(out, m.node());
            } else if (e instanceof CibEdit.Ban b) {
                out.writeByte(12);
                str(out, b.resourceId());
                str(out, b.node());
            } else if (e instanceof CibEdit.Clear cl) {
                out.writeByte(13);
                str(out, cl.resourceId());
            } else if (e instanceof CibEdit.Ticket t) {
                out.writeByte(14);
                str(out, t.ticket());
                str(out, t.action());
                out.writeLong(t.atEpochS());
            } else if (e instanceof CibEdit.ClearState cs) {
                out.writeByte(15);
                str(out, cs.node());
            } else {
                throw new IllegalArgumentException("no wire form for " + e);
            }
            // The requester trails the edit: a node of the previous version stops reading before
            // it (and applies the write unchecked, as it did), this version reads it when present.
            Requester by = w.by();
            if (by != null) {
                out.writeByte(1);
                str(out, by.user());
                str(out, String.join("\n", new java.util.TreeSet<>(by.groups())));
                str(out, by.client());
                str(out, by.origin());
            } else {
                // "No requester", written out: a forward's view id follows the command.
                out.writeByte(0);
            }
        } else {
            throw new IllegalArgumentException("no wire form for " + c);
        }
    }

    private static AdminCommand command(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        if (kind == 1) {
            return new AdminCommand.Query();
        }
        if (kind == 2) {
            return new AdminCommand.Status();
        }
        if (kind == 4) {
            return new AdminCommand.Shutdown();
        }
        if (kind != 3) {
            throw new IOException("unknown admin command kind " + kind);
        }
        boolean force = in.readBoolean();
        int edit = in.readUnsignedByte();
        CibEdit e = switch (edit) {
            case 1 -> new CibEdit.ReplaceCib(str(in));
            case 2 -> new CibEdit.ReplaceSection(str(in), str(in));
            case 3 -> new CibEdit.Patch(str(in));
            case 4 -> new CibEdit.NodeAttribute(str(in), str(in), str(in), in.readBoolean());
            case 5 -> new CibEdit.ClusterProperty(str(in), str(in));
            case 6 -> new CibEdit.ResourceMeta(str(in), str(in), str(in));
            case 7 -> new CibEdit.Cleanup(str(in), str(in));
            case 8 -> new CibEdit.Constraint(str(in), str(in));
            case 9 -> new CibEdit.FailCount(str(in), str(in), str(in));
            case 10 -> new CibEdit.Fence(str(in));
            case 11 -> new CibEdit.Move(str(in), str(in));
            case 12 -> new CibEdit.Ban(str(in), str(in));
            case 13 -> new CibEdit.Clear(str(in));
            case 14 -> new CibEdit.Ticket(str(in), str(in), in.readLong());
            case 15 -> new CibEdit.ClearState(str(in));
            default -> throw new IOException("unknown CIB edit kind " + edit);
        };
        Requester by = null;
        if (in.available() > 0 && in.readUnsignedByte() == 1) {
            String user = str(in);
            String groups = str(in);
            by = new Requester(user, groups == null || groups.isEmpty() ? java.util.Set.of()
                    : java.util.Set.of(groups.split("\n")), str(in), str(in));
        }
        return new AdminCommand.Write(e, force, by);
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_STRING_BYTES || n > in.available()) {
            throw new IOException("string length " + n + " is out of range");
        }
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void fenceEvents(DataOutputStream out, List<FenceEvent> events) throws IOException {
        out.writeInt(events.size());
        for (FenceEvent e : events) {
            str(out, e.target());
            str(out, e.executor());
            str(out, e.device());
            out.writeInt(e.level());
            str(out, e.action());
            str(out, e.result());
            out.writeLong(e.atEpochMs());
            str(out, e.detail());
        }
    }

    private static List<FenceEvent> fenceEvents(DataInputStream in) throws IOException {
        int n = count(in);
        List<FenceEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(new FenceEvent(str(in), str(in), str(in), in.readInt(), str(in), str(in), in.readLong(),
                    str(in)));
        }
        return events;
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("count " + n + " is out of range");
        }
        return n;
    }

    private static void version(DataOutputStream out, CibVersion v) throws IOException {
        out.writeLong(v.adminEpoch());
        out.writeLong(v.epoch());
        out.writeLong(v.numUpdates());
    }

    private static CibVersion version(DataInputStream in) throws IOException {
        return new CibVersion(in.readLong(), in.readLong(), in.readLong());
    }

    private static void agent(DataOutputStream out, AgentSpec a) throws IOException {
        str(out, a.cls());
        str(out, a.provider());
        str(out, a.type());
    }

    private static AgentSpec agent(DataInputStream in) throws IOException {
        return new AgentSpec(str(in), str(in), str(in));
    }

    private static void map(DataOutputStream out, Map<String, String> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            str(out, e.getKey());
            str(out, e.getValue());
        }
    }

    private static Map<String, String> map(DataInputStream in) throws IOException {
        int n = count(in);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(str(in), str(in));
        }
        return m;
    }

    private static XmlElement xml(String what, String text) throws IOException {
        try {
            return XmlParser.parse(what, text);
        } catch (XmlParseException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Cib cib(String xml) throws CibException {
        return Cib.parse("a peer's CIB", xml);
    }
}
