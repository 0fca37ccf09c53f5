package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlElement;
import org.pulse.crmd.controller.AdminCommand;
import org.pulse.crmd.controller.AdminResult;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.CibEdit;
import org.pulse.crmd.controller.FenceEvent;
import org.pulse.crmd.controller.Message;
import org.pulse.crmd.controller.MessageCodec;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.crmd.controller.OpResult;
import org.pulse.crmd.controller.OpStatus;
import org.pulse.crmd.controller.Requester;
import org.pulse.tests.support.PreviousRelease;

/**
 * What nodes exchange, written by this build and read by the previous release's own classes (the jars
 * {@link PreviousRelease} builds from tag {@value PreviousRelease#TAG}, in a class loader of their own), and the
 * other way: the node address (name, incarnation, the order flag) and the view id spelled from it, the seal around
 * every packet, the envelope, the JGroups version under them, the join exchange's frames and seals, and every controller message (join request and answer, CIB sync, diff and ack,
 * resync, execute, op report, forwarded admin commands and replies, fence history...). A controller message is
 * decoded by the old codec and encoded again: the bytes must come back the same (or, for a field added since,
 * as the prefix the old format ends at), and this build decodes the old bytes to the message it sent. What the
 * previous release is documented to refuse (crmd/README "Versions and rolling upgrades") is asserted refused, and
 * that README's table of wire versions is checked against both releases' constants.
 * RollingUpgradeTest runs the same builds as processes; this test names the field that broke. No root needed;
 * bound: the previous release's build when not cached (shared with RollingUpgradeTest), then a few seconds.
 */
class PreviousReleaseWireTest {
    private static URLClassLoader old;
    private static final ClassLoader NEW = PreviousReleaseWireTest.class.getClassLoader();
    private static final long INCARNATION = 1_796_653_284_830_168L;

    @BeforeAll
    static void loadThePreviousRelease() throws Exception {
        Path previous = PreviousRelease.build(PreviousRelease.TAG);
        // As v0.11's bin/pulse-launch runs crmd: its jar and crmd/target/lib (the other modules, JGroups, Jackson).
        Path target = previous.resolve("crmd/target");
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> jars = Files.list(target)) {
            for (Path p : jars.filter(p -> p.getFileName().toString().matches("crmd-.*\\.jar")
                    && !p.getFileName().toString().contains("sources") && !p.getFileName().toString().contains("tests")).toList()) {
                urls.add(p.toUri().toURL());
            }
        }
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            for (Path p : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        }
        assertTrue(urls.size() > 1, "the previous release's crmd jar and lib in " + target);
        // The platform loader as parent: no class of this build can stand in for one of the previous release.
        old = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        assertTrue(old.loadClass("org.pulse.crmd.controller.MessageCodec").getProtectionDomain().getCodeSource()
                .getLocation().toString().contains("previous-"), "MessageCodec comes from the previous release");
    }

    @AfterAll
    static void close() throws Exception {
        if (old != null) {
            old.close();
        }
    }

    // ---- JGroups' own forms

    /**
     * JGroups' own messages (GMS joins and views, merges, NAKACK2/UNICAST3, the FD_ALL3 heartbeat header that
     * messaging's Heartbeats reuses so old and new hear each other) are the same code in both releases only while
     * both run one JGroups version: a JGroups upgrade is a rolling-upgrade question (its compatibility notes, this
     * test and RollingUpgradeTest), not a dependency bump.
     */
    @Test
    @Timeout(900)
    void bothReleasesRunTheSameJGroups() throws Exception {
        String ours = (String) call(NEW, "org.jgroups.Version", "printVersion");
        String theirs = (String) call(old, "org.jgroups.Version", "printVersion");
        assertEquals(theirs, ours, "JGroups in this build and in " + PreviousRelease.TAG);
    }

    // ---- the address and the view id named after it

    @Test
    @Timeout(900)
    void theAddressReadsTheSameInBothReleases() throws Exception {
        Object address = call(NEW, "org.pulse.messaging.Messenger", "addressFor", "n1", INCARNATION, true);
        Object oldAddress = readAddress(old, writeAddress(NEW, address));
        assertEquals("n1", call(old, "org.pulse.messaging.Messenger", "nameOf", oldAddress), "the name, read by v0.11");
        assertEquals(INCARNATION, call(old, "org.pulse.messaging.Messenger", "incarnationOf", oldAddress),
                "the incarnation, read by v0.11 (8 big-endian bytes; any other form reads as 0)");
        // The other way: an address as v0.11's Messenger made it (its address generator: name and 8-byte incarnation).
        Object fromOld = oldStyleAddress("n2", INCARNATION + 1);
        Object read = readAddress(NEW, writeAddress(old, fromOld));
        assertEquals("n2", call(NEW, "org.pulse.messaging.Messenger", "nameOf", read));
        assertEquals(INCARNATION + 1, call(NEW, "org.pulse.messaging.Messenger", "incarnationOf", read));
    }

    /** The break CI found once: the view a new coordinator leads must have the same id in an old member. */
    @Test
    @Timeout(900)
    void aViewLedByANewNodeHasTheSameIdInAnOldOne() throws Exception {
        Object n1 = call(NEW, "org.pulse.messaging.Messenger", "addressFor", "n1", INCARNATION, true);
        Object n2 = readAddress(NEW, writeAddress(old, oldStyleAddress("n2", 7)));
        Object n3 = readAddress(NEW, writeAddress(old, oldStyleAddress("n3", 9)));
        Class<?> addressClass = NEW.loadClass("org.jgroups.Address");
        Object members = java.lang.reflect.Array.newInstance(addressClass, 3);
        java.lang.reflect.Array.set(members, 0, n1);
        java.lang.reflect.Array.set(members, 1, n2);
        java.lang.reflect.Array.set(members, 2, n3);
        Object view = NEW.loadClass("org.jgroups.View").getMethod("create", addressClass, long.class, members.getClass())
                .invoke(null, n1, 4L, members);
        Object newClusterView = call(NEW, "org.pulse.messaging.Messenger", "toClusterView", view);
        byte[] bytes = (byte[]) call(NEW, "org.jgroups.util.Util", "streamableToByteBuffer", view);
        Object oldView = call(old, "org.jgroups.util.Util", "streamableFromByteBuffer", old.loadClass("org.jgroups.View"), bytes);
        Object oldClusterView = call(old, "org.pulse.messaging.Messenger", "toClusterView", oldView);
        String id = (String) newClusterView.getClass().getMethod("id").invoke(newClusterView);
        assertEquals("n1." + INCARNATION + ":4", id);
        assertEquals(id, oldClusterView.getClass().getMethod("id").invoke(oldClusterView), "the view's id in v0.11");
        assertEquals(List.of("n1", "n2", "n3"), oldClusterView.getClass().getMethod("members").invoke(oldClusterView));
    }

    // ---- the seal around every cluster packet

    @Test
    @Timeout(900)
    void aSealedPacketOpensInTheOtherRelease() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        byte[] plain = "a packet's bytes \u00e9".getBytes(StandardCharsets.UTF_8);
        Object newSealer = sealer(NEW, key, "n1", INCARNATION);
        Object oldSealer = sealer(old, key, "n2", INCARNATION + 1);
        byte[] sealed = seal(newSealer, plain);
        Object opened = call(old, null, "open", oldSealer, sealed, 0, sealed.length);
        assertArrayEquals(plain, (byte[]) accessor(opened, "plain"), "v0.11 opens this build's seal");
        assertEquals("n1", accessor(opened, "sender"));
        assertEquals(INCARNATION, accessor(opened, "incarnation"));
        byte[] oldSealed = seal(oldSealer, plain);
        Object back = call(NEW, null, "open", newSealer, oldSealed, 0, oldSealed.length);
        assertArrayEquals(plain, (byte[]) accessor(back, "plain"), "this build opens v0.11's seal");
        assertEquals("n2", accessor(back, "sender"));
        assertEquals(INCARNATION + 1, accessor(back, "incarnation"));
    }

    // ---- the envelope crmd's messages travel in

    @Test
    @Timeout(900)
    void anEnvelopeWithoutAnOrderSectionReadsTheSameBothWays() throws Exception {
        byte[] payload = MessageCodec.encode(new Message.CibAck("n1." + INCARNATION + ":4", new CibVersion(1, 2, 3)));
        for (String kind : List.of("NOTICE", "REQUEST", "REPLY")) {
            Object envelope = envelope(NEW, kind, payload);
            byte[] bytes = (byte[]) call(NEW, "org.pulse.messaging.EnvelopeCodec", "encode", envelope);
            Object oldEnvelope = call(old, "org.pulse.messaging.EnvelopeCodec", "decode", bytes, 0, bytes.length);
            assertEquals(kind, accessor(oldEnvelope, "kind").toString());
            assertEquals("crmd", accessor(oldEnvelope, "type"));
            assertEquals("n1", accessor(oldEnvelope, "sender"));
            assertEquals(42L, accessor(oldEnvelope, "correlationId"));
            assertArrayEquals(payload, (byte[]) accessor(oldEnvelope, "payload"));
            byte[] oldBytes = (byte[]) call(old, "org.pulse.messaging.EnvelopeCodec", "encode", oldEnvelope);
            assertArrayEquals(bytes, oldBytes, "v0.11 writes the " + kind + " envelope as this build does");
            assertEquals(envelope, call(NEW, "org.pulse.messaging.EnvelopeCodec", "decode", oldBytes, 0, oldBytes.length));
        }
    }

    /** messaging/README "Ordered fan-out": the order section goes only to members whose address says pulse.ord. */
    @Test
    @Timeout(900)
    void anEnvelopeWithAnOrderSectionIsRefusedByThePreviousRelease() throws Exception {
        Class<?> order = NEW.loadClass("org.pulse.messaging.EnvelopeCodec$Order");
        Object o = construct(order, 5L, Map.of("n2", 3L));
        Object envelope = envelope(NEW, "NOTICE", new byte[] {1, 2});
        byte[] bytes = (byte[]) call(NEW, "org.pulse.messaging.EnvelopeCodec", "encode", envelope, o);
        Throwable refused = thrown(() -> call(old, "org.pulse.messaging.EnvelopeCodec", "decode", bytes, 0, bytes.length));
        assertNotNull(refused, "v0.11 must refuse an ordered envelope, not misread it");
        assertTrue(String.valueOf(refused.getMessage()).contains("kind"), "refused for its kind byte: " + refused);
        // and v0.11's address carries no pulse.ord, so this build never sends it one
        Object oldAddress = readAddress(NEW, writeAddress(old, oldStyleAddress("n2", 7)));
        assertEquals(null, oldAddress.getClass().getMethod("get", String.class).invoke(oldAddress, "pulse.ord"));
    }

    // ---- the join exchange of crm cluster join (JoinWire): a joiner of one release, an answerer of the other

    @Test
    @Timeout(900)
    void theJoinExchangesFramesAndSealsReadInTheOtherRelease() throws Exception {
        String wire = "org.pulse.cib.join.JoinWire";
        byte[] clusterKey = new byte[32];
        new SecureRandom().nextBytes(clusterKey);
        assertEquals(call(NEW, wire, "fingerprint", (Object) clusterKey), call(old, wire, "fingerprint", (Object) clusterKey),
                "the key's fingerprint a token names");
        byte[] joinerNonce = (byte[]) call(NEW, wire, "nonce", new SecureRandom());
        byte[] answererNonce = (byte[]) call(old, wire, "nonce", new SecureRandom());
        byte[] session = (byte[]) call(NEW, wire, "sessionKey", clusterKey, joinerNonce, answererNonce);
        assertArrayEquals(session, (byte[]) call(old, wire, "sessionKey", clusterKey, joinerNonce, answererNonce),
                "both derive one session key");
        Map<String, String> fields = new java.util.LinkedHashMap<>(Map.of("node", "n4", "address", "192.0.2.4:7801",
                "version", "1"));
        for (ClassLoader[] pair : List.of(new ClassLoader[] {NEW, old}, new ClassLoader[] {old, NEW})) {
            String sealed = (String) call(pair[0], wire, "seal", session, "joiner", fields, new SecureRandom());
            assertEquals(fields, call(pair[1], wire, "open", session, "joiner", sealed), "a sealed frame opens");
            assertEquals(null, call(pair[1], wire, "open", session, "answerer", sealed), "a frame cannot be reflected");
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            call(pair[0], wire, "write", frame, fields);
            assertEquals(fields, call(pair[1], wire, "read", new ByteArrayInputStream(frame.toByteArray())), "a plain frame");
        }
    }

    // ---- crmd/README's table of wire versions

    /** Each layer's version in crmd/README's table is this build's, and the previous release's too (it says so). */
    @Test
    @Timeout(900)
    void theReadmesTableOfWireVersionsIsTrue() throws Exception {
        String readme = Files.readString(org.pulse.lab.support.TestEnv.root().resolve("crmd/README.md"));
        Map<String, Object[]> layers = new java.util.LinkedHashMap<>();
        layers.put("| seal ", new Object[] {"org.pulse.messaging.Sealer", "VERSION"});
        layers.put("| envelope ", new Object[] {"org.pulse.messaging.Envelope", "VERSION"});
        layers.put("| controller messages ", new Object[] {"org.pulse.crmd.controller.MessageCodec", "FORMAT_VERSION"});
        layers.put("| join exchange ", new Object[] {"org.pulse.cib.join.JoinWire", "PROTOCOL_VERSION"});
        layers.put("| admin socket ", new Object[] {"org.pulse.cib.admin.AdminCodec", "PROTOCOL_VERSION"});
        for (Map.Entry<String, Object[]> l : layers.entrySet()) {
            String row = readme.lines().filter(x -> x.startsWith(l.getKey())).findFirst().orElse(null);
            assertNotNull(row, "crmd/README's table has a row " + l.getKey().substring(2).strip());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| [^|]+ \\| \\D*(\\d+)").matcher(row);
            assertTrue(m.find(), "a version in " + row);
            int documented = Integer.parseInt(m.group(1));
            for (ClassLoader loader : List.of(NEW, old)) {
                java.lang.reflect.Field f = loader.loadClass((String) l.getValue()[0]).getDeclaredField((String) l.getValue()[1]);
                f.setAccessible(true);
                assertEquals(documented, ((Number) f.get(null)).intValue(), l.getKey().substring(2).strip() + " version in "
                        + (loader == NEW ? "this build" : PreviousRelease.TAG) + " and crmd/README");
            }
        }
    }

    // ---- the controller's messages (MessageCodec, format 1)

    @Test
    @Timeout(900)
    void everyControllerMessageReadsTheSameInThePreviousRelease() throws Exception {
        Class<?> oldCodec = old.loadClass("org.pulse.crmd.controller.MessageCodec");
        assertEquals(MessageCodec.FORMAT_VERSION, oldCodec.getField("FORMAT_VERSION").get(null), "format version");
        List<String> report = new ArrayList<>();
        for (Sample s : samples()) {
            byte[] bytes = MessageCodec.encode(s.message());
            Object decoded = call(old, "org.pulse.crmd.controller.MessageCodec", "decode", (Object) bytes);
            byte[] oldBytes = (byte[]) call(old, "org.pulse.crmd.controller.MessageCodec", "encode", decoded);
            String what = s.what() + " (" + s.message().getClass().getSimpleName() + ")";
            if (s.newTrailer()) {
                // a field added since v0.11 trails the ones it reads: its bytes are this message's, cut short
                assertTrue(oldBytes.length < bytes.length && Arrays.equals(oldBytes, 0, oldBytes.length, bytes, 0,
                        oldBytes.length), what + ": v0.11 reads the fields it knows, the new one trails them");
            } else {
                assertEquals(hex(bytes), hex(oldBytes), what + ": v0.11 decodes and writes it back byte for byte");
                Message back = MessageCodec.decode(oldBytes);
                if (s.message() instanceof Message.CibUpdate u) {
                    Cib base = Cib.empty();
                    assertEquals(u.diff().apply(base), ((Message.CibUpdate) back).diff().apply(base), what);
                } else {
                    assertEquals(s.message(), back, what + ": this build reads v0.11's bytes as the message sent");
                }
            }
            report.add(s.what());
        }
        System.out.println("PreviousReleaseWireTest: " + report.size() + " controller messages read alike by "
                + PreviousRelease.TAG + ": " + report);
    }

    /**
     * crmd/README: a move, ban or clear decided on the DC, a ticket command and a clearstate (CIB edits 11-15) are
     * new since v0.11, whose DC cannot decode them: refused with a decode error, never read as another edit.
     */
    @Test
    @Timeout(900)
    void anEditAddedSinceThePreviousReleaseIsRefusedByIt() throws Exception {
        for (CibEdit edit : List.<CibEdit>of(new CibEdit.Move("vip", "n2"), new CibEdit.Ban("vip", "n1"),
                new CibEdit.Clear("vip"), new CibEdit.Ticket("ticketA", "grant", 1_796_000_000L),
                new CibEdit.ClearState("n3"))) {
            byte[] bytes = MessageCodec.encode(new Message.ForwardedAdmin("n1.7:3", 5, new AdminCommand.Write(edit, false)));
            Throwable refused = thrown(() -> call(old, "org.pulse.crmd.controller.MessageCodec", "decode", (Object) bytes));
            assertNotNull(refused, edit + ": v0.11 must refuse it");
            assertEquals("DecodeException", refused.getClass().getSimpleName(), edit + ": " + refused);
        }
    }

    record Sample(String what, Message message, boolean newTrailer) {
    }

    /** One of every controller message, with and without their optional fields. */
    static List<Sample> samples() throws Exception {
        Cib a = Cib.empty();
        Cib b = a.next(a.root().withAttribute("validate-with", "pacemaker-3.9").withChildAppended(
                XmlElement.of("x", "id", "big", "v", "\u00e9".repeat(400))));
        CibVersion v = new CibVersion(1, 2, 3);
        String view = "n1." + INCARNATION + ":4";
        OpRequest req = new OpRequest("1:2:7:a@" + view, "vip", new AgentSpec("ocf", "pulse", "IPaddr"), "monitor", 1000,
                20_000, Map.of("ip", "192.0.2.10", "CRM_meta_timeout", "20000"));
        XmlElement lrm = XmlElement.of("lrm", "id", "n2");
        FenceEvent fenced = new FenceEvent("n3", "n1", "fence-n3", 1, "reboot", FenceEvent.SUCCESS, 1_764_590_400_000L,
                "rc 0 (DONE)");
        Requester alice = new Requester("alice", Set.of("haclient", "ops"), "crm", "n2");
        List<Sample> out = new ArrayList<>(List.of(
                new Sample("join request", new Message.JoinRequest(view, v), false),
                new Sample("join answer with a CIB", new Message.JoinResponse(view, v, b, lrm, List.of("n3")), false),
                new Sample("join answer without a CIB", new Message.JoinResponse(view, v, null, lrm, List.of()), false),
                new Sample("join answer reporting fencing of the DC", new Message.JoinResponse(view, v, null, lrm,
                        List.of(), List.of(fenced), List.of(new Message.DcFenceRun("9:2:0:x@v1", "n1", "fence-n1",
                                "reboot", 60_000))), true),
                new Sample("CIB sync", new Message.CibSync(view, b), false),
                new Sample("CIB diff", new Message.CibUpdate(view, CibDiff.diff(a, b)), false),
                new Sample("CIB ack", new Message.CibAck(view, v), false),
                new Sample("resync request", new Message.ResyncRequest(view, v), false),
                new Sample("execute", new Message.Execute(view, req), false),
                new Sample("execute relayed to a remote node", new Message.Execute(view, req, "remote1"), true),
                new Sample("op report", new Message.OpReport(view, OpResult.of(req, 7, OpStatus.DONE, "not running",
                        12), 42, "abc"), false),
                new Sample("op report of a remote node", new Message.OpReport(view, OpResult.of(req, 0, OpStatus.DONE,
                        "", 12), 43, "abc", "remote1"), true),
                new Sample("forwarded query", new Message.ForwardedAdmin(view, 1, new AdminCommand.Query()), false),
                new Sample("forwarded status", new Message.ForwardedAdmin(view, 2, new AdminCommand.Status()), false),
                new Sample("forwarded reply", new Message.ForwardedReply(view, 5, new AdminResult("ok", "stored", v,
                        null, null)), false),
                new Sample("forwarded reply without version", new Message.ForwardedReply(view, 6, new AdminResult(
                        "refused", "no quorum", null, null, null)), false),
                new Sample("suicide", new Message.Suicide(view, "no quorum"), false),
                new Sample("forget history", new Message.ForgetHistory(view, "vip"), false),
                new Sample("shutdown request", new Message.ShutdownRequest(view), false),
                new Sample("shutdown granted", new Message.ShutdownGranted(view), false),
                new Sample("fence history", new Message.FenceHistory(view, List.of(fenced, new FenceEvent("n2", "", "",
                        0, "off", FenceEvent.GAVE_UP, 1_764_590_401_000L, ""))), false)));
        List<CibEdit> edits = List.of(new CibEdit.ReplaceCib("<cib/>"), new CibEdit.ReplaceSection("resources",
                "<resources/>"), new CibEdit.Patch(CibDiff.diff(a, b).toJson()), new CibEdit.NodeAttribute("n2",
                "standby", "on", false), new CibEdit.NodeAttribute("n2", "pingd", null, true),
                new CibEdit.ClusterProperty("stonith-enabled", "true"), new CibEdit.ResourceMeta("vip", "target-role",
                "Stopped"), new CibEdit.Cleanup("vip", "n2"), new CibEdit.Constraint("c1", "<rsc_location/>"),
                new CibEdit.FailCount("vip", "n2", "INFINITY"), new CibEdit.Fence("n3"));
        long id = 10;
        for (CibEdit e : edits) {
            out.add(new Sample("forwarded write " + e.getClass().getSimpleName(), new Message.ForwardedAdmin(view, id++,
                    new AdminCommand.Write(e, id % 2 == 0)), false));
        }
        out.add(new Sample("forwarded write with its requester", new Message.ForwardedAdmin(view, id, new AdminCommand.Write(
                new CibEdit.ClusterProperty("x", "1"), false, alice)), false));
        out.add(new Sample("forwarded shutdown", new Message.ForwardedAdmin(view, id + 1, new AdminCommand.Shutdown()), false));
        return out;
    }

    // ---- calling either release's classes

    private static Object envelope(ClassLoader loader, String kind, byte[] payload) throws Exception {
        Class<?> envelope = loader.loadClass("org.pulse.messaging.Envelope");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object k = Enum.valueOf((Class) loader.loadClass("org.pulse.messaging.Envelope$Kind"), kind);
        return construct(envelope, 1, k, "crmd", "n1", 42L, payload);
    }

    private static Object sealer(ClassLoader loader, byte[] key, String node, long incarnation) throws Exception {
        Object clusterKey = call(loader, "org.pulse.messaging.ClusterKey", "ofBytes", (Object) key);
        Object incarnations = call(loader, "org.pulse.messaging.Incarnations", "open");
        Class<?> sealer = loader.loadClass("org.pulse.messaging.Sealer");
        for (Constructor<?> c : sealer.getDeclaredConstructors()) {
            if (c.getParameterCount() == 5) {
                c.setAccessible(true);
                return c.newInstance(clusterKey, new SecureRandom(), node, incarnation, incarnations);
            }
        }
        throw new IllegalStateException("Sealer(key, random, node, incarnation, incarnations) in " + loader);
    }

    private static byte[] seal(Object sealer, byte[] plain) throws Exception {
        return (byte[]) call(sealer.getClass().getClassLoader(), null, "seal", sealer, plain, 0, plain.length);
    }

    /** An address as v0.11's Messenger generated it: ExtendedUUID with pulse.node and pulse.inc (8 bytes). */
    private static Object oldStyleAddress(String node, long incarnation) throws Exception {
        Object a = call(old, "org.jgroups.util.ExtendedUUID", "randomUUID", node);
        Method put = a.getClass().getMethod("put", String.class, byte[].class);
        a = put.invoke(a, "pulse.node", node.getBytes(StandardCharsets.US_ASCII));
        return put.invoke(a, "pulse.inc", ByteBuffer.allocate(8).putLong(incarnation).array());
    }

    private static byte[] writeAddress(ClassLoader loader, Object address) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            loader.loadClass("org.jgroups.util.Util").getMethod("writeAddress", loader.loadClass("org.jgroups.Address"),
                    java.io.DataOutput.class).invoke(null, address, out);
        }
        return bytes.toByteArray();
    }

    private static Object readAddress(ClassLoader loader, byte[] bytes) throws Exception {
        return loader.loadClass("org.jgroups.util.Util").getMethod("readAddress", java.io.DataInput.class)
                .invoke(null, new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    private static Object accessor(Object record, String name) throws Exception {
        Method m = record.getClass().getDeclaredMethod(name);
        m.setAccessible(true);
        return m.invoke(record);
    }

    private static Object construct(Class<?> c, Object... args) throws Exception {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (k.getParameterCount() == args.length && fits(k, args)) {
                k.setAccessible(true);
                return k.newInstance(args);
            }
        }
        throw new IllegalStateException("no constructor of " + c.getName() + " for " + args.length + " arguments");
    }

    /**
     * Calls the method {@code name} of class {@code cls} in {@code loader} (static), or, with {@code cls} null, of the
     * first argument (an instance); private and package-private ones too. Throws what the method threw.
     */
    private static Object call(ClassLoader loader, String cls, String name, Object... args) throws Exception {
        Object target = cls == null ? args[0] : null;
        Object[] rest = cls == null ? Arrays.copyOfRange(args, 1, args.length) : args;
        Class<?> c = cls == null ? target.getClass() : loader.loadClass(cls);
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == rest.length && fits(m, rest)) {
                    m.setAccessible(true);
                    try {
                        return m.invoke(target, rest);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof Exception x) {
                            throw x;
                        }
                        throw e;
                    }
                }
            }
        }
        throw new IllegalStateException("no method " + name + " of " + c.getName() + " for " + rest.length + " arguments");
    }

    private static boolean fits(Executable m, Object[] args) {
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            Class<?> t = types[i];
            if (args[i] == null) {
                continue;
            }
            if (t.isPrimitive()) {
                t = t == long.class ? Long.class : t == int.class ? Integer.class : t == boolean.class ? Boolean.class : t;
            }
            if (!t.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static Throwable thrown(Call c) {
        try {
            c.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
