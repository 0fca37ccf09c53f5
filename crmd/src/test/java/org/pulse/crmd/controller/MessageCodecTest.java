package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlElement;

class MessageCodecTest {
    static Message roundTrip(Message m) throws Exception {
        return MessageCodec.decode(MessageCodec.encode(m));
    }

    /** One message of every kind, big and unicode ones included; also the fuzz test's seeds. */
    static List<Message> samples() {
        Cib a = Cib.empty();
        Cib b = a.next(a.root().withAttribute("validate-with", "pacemaker-3.9").withChildAppended(
                XmlElement.of("x", "id", "big", "v", "é".repeat(400))));
        CibVersion v = new CibVersion(1, 2, 3);
        OpRequest req = new OpRequest("1:2:7:a@v1", "vip", new AgentSpec("ocf", "pulse", "IPaddr"), "monitor", 0, 20_000,
                Map.of("ip", "192.0.2.10", "CRM_meta_timeout", "20000"));
        return List.of(
                new Message.JoinRequest("v1", v),
                new Message.JoinResponse("v1", v, b, Cibs.emptyLrm("a"), List.of("a", "c")),
                new Message.CibSync("v1", b),
                new Message.CibUpdate("v1", CibDiff.diff(a, b)),
                new Message.CibAck("v1", v),
                new Message.Execute("v1", req),
                new Message.OpReport("n1.7:3", OpResult.of(req, 7, OpStatus.DONE, "not running", 12), 42, "abc"),
                new Message.ForwardedAdmin("n1.7:3", 5, new AdminCommand.Write(new CibEdit.NodeAttribute("a", "standby", null, false),
                        true)),
                new Message.ForwardedReply("n1.7:3", 5, new AdminResult("ok", "stored", v, null, null)),
                new Message.Suicide("v1", "no quorum"));
    }

    @Test
    void everyMessageSurvivesTheWire() throws Exception {
        Cib a = Cib.empty();
        Cib b = a.next(a.root().withAttribute("validate-with", "pacemaker-3.9").withChildAppended(
                XmlElement.of("x", "id", "big", "v", "é".repeat(40_000))));
        CibVersion v = new CibVersion(1, 2, 3);
        OpRequest req = new OpRequest("1:2:7:a@v1", "vip", new AgentSpec("ocf", "pulse", "IPaddr"), "monitor", 0, 20_000,
                Map.of("ip", "192.0.2.10", "CRM_meta_timeout", "20000"));
        List<Message> all = List.of(
                new Message.JoinRequest("v1", v),
                new Message.JoinResponse("v1", v, b, Cibs.emptyLrm("a"), List.of("a", "c")),
                new Message.JoinResponse("v1", v, null, Cibs.emptyLrm("a"), List.of()),
                // a member's runs against the DC before (crm node fence on it), done and in flight
                new Message.JoinResponse("v1", v, null, Cibs.emptyLrm("a"), List.of("a"), List.of(new FenceEvent("n1",
                        "n3", "fence-n1", 0, "reboot", FenceEvent.SUCCESS, 1_764_590_400_000L, "run for n1")),
                        List.of(new Message.DcFenceRun("9:2:0:x@v1", "n1", "fence-n1", "reboot", 60_000))),
                new Message.CibSync("v1", b),
                new Message.CibUpdate("v1", CibDiff.diff(a, b)),
                new Message.CibAck("v1", v),
                new Message.ResyncRequest("v1", v),
                new Message.Execute("v1", req),
                // relayed to a remote node through the member that holds its connection, and its result back
                new Message.Execute("v1", req, "remote1"),
                new Message.OpReport("n1.7:3", OpResult.of(req, 7, OpStatus.DONE, "not running", 12), 42, "abc", "remote1"),
                new Message.OpReport("n1.7:3", OpResult.of(req, 7, OpStatus.DONE, "not running", 12), 42, "abc"),
                new Message.ForwardedAdmin("n1.7:3", 5, new AdminCommand.Write(new CibEdit.NodeAttribute("a", "standby", null, false),
                        true)),
                new Message.ForwardedAdmin("n1.7:3", 6, new AdminCommand.Write(new CibEdit.Constraint("c1", "<rsc_location/>"), false)),
                new Message.ForwardedAdmin("n1.7:3", 7, new AdminCommand.Write(new CibEdit.FailCount("d1", "a", "INFINITY"), false)),
                new Message.ForwardedAdmin("n1.7:3", 8, new AdminCommand.Write(new CibEdit.ClusterProperty("x", "1"), false,
                        new Requester("alice", java.util.Set.of("haclient", "ops"), "crm_attribute", "node2"))),
                new Message.ForwardedAdmin("n1.7:3", 9, new AdminCommand.Write(new CibEdit.ClusterProperty("x", "1"), false,
                        new Requester("bob", java.util.Set.of(), "crm", "node1"))),
                new Message.ForwardedReply("n1.7:3", 5, new AdminResult("ok", "stored", v, null, null)),
                new Message.Suicide("v1", "no quorum"),
                new Message.ForgetHistory("v1", ""),
                new Message.OpReport("v1", new OpResult("3:4:0:a@v1", "pdu", new AgentSpec("stonith", null, "fence_dummy"),
                        "list", 0, 0, OpStatus.DONE, "", 30, "n1,\nn2,\n"), 43, null),
                new Message.ForwardedAdmin("n1.7:3", 8, new AdminCommand.Write(new CibEdit.Fence("n3"), false)),
                new Message.ForwardedAdmin("n1.7:3", 10, new AdminCommand.Write(new CibEdit.Ticket("ticketA", "grant",
                        1_796_000_000L), false)),
                new Message.ForwardedAdmin("n1.7:3", 11, new AdminCommand.Write(new CibEdit.ClearState("n3"), false)),
                new Message.FenceHistory("v1", List.of(new FenceEvent("n3", "n1", "fence-n3", 1, "reboot",
                        FenceEvent.SUCCESS, 1_764_590_400_000L, "rc 0 (DONE)"), new FenceEvent("n2", "", "", 0, "off",
                        FenceEvent.GAVE_UP, 1_764_590_401_000L, ""))));
        for (Message m : all) {
            Message back = roundTrip(m);
            if (m instanceof Message.CibUpdate u) {
                assertEquals(u.diff().apply(a), ((Message.CibUpdate) back).diff().apply(a));
            } else {
                assertEquals(m, back, m.getClass().getSimpleName());
            }
        }
    }

    /**
     * A join answer with runs against the DC before carries them after every field the previous format knows (whose
     * decoder stops there): without any, its bytes are the previous format's, and those decode with none.
     */
    @Test
    void aJoinAnswerReportsFencingOfTheDcBeforeAfterThePreviousFormatsFields() throws Exception {
        CibVersion v = new CibVersion(1, 2, 3);
        Message.JoinResponse plain = new Message.JoinResponse("v1", v, null, Cibs.emptyLrm("a"), List.of("a"));
        Message.JoinResponse reporting = new Message.JoinResponse("v1", v, null, Cibs.emptyLrm("a"), List.of("a"),
                List.of(), List.of(new Message.DcFenceRun("9:2:0:x@v1", "n1", "fence-n1", "reboot", 60_000)));
        byte[] before = MessageCodec.encode(plain);
        byte[] after = MessageCodec.encode(reporting);
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(java.util.Arrays.copyOf(after,
                before.length)));
        assertEquals(List.of(), ((Message.JoinResponse) MessageCodec.decode(before)).dcFencingInFlight());
        assertEquals(reporting, MessageCodec.decode(after));
    }

    /**
     * A node of the previous format sends operation reports and forwards without a view id: they
     * still decode, with the empty view id, which no view has, so the DC refuses them as stale.
     */
    @Test
    void aReportWithoutViewIdDecodesAsOfNoView() throws Exception {
        OpRequest req = new OpRequest("1:2:7:a@v1", "vip", new AgentSpec("ocf", "pulse", "IPaddr"), "stop", 0, 20_000,
                Map.of());
        Message.OpReport r = new Message.OpReport("n1.7:3", OpResult.of(req, 1, OpStatus.DONE, "failed", 12), 42, "abc");
        byte[] bytes = MessageCodec.encode(r);
        // The view id is the last field: 4 bytes of length and the 6 bytes of "n1.7:3".
        byte[] old = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        Message.OpReport back = (Message.OpReport) MessageCodec.decode(old);
        assertEquals("", back.viewId());
        assertEquals(r.result(), back.result());
    }

    @Test
    void garbageIsRefusedWithAReasonNotACrash() {
        MessageCodec.DecodeException e = assertThrows(MessageCodec.DecodeException.class,
                () -> MessageCodec.decode(new byte[] {1, 99, 0}));
        assertEquals(true, e.getMessage().contains("tag 99"), e.getMessage());
        assertThrows(MessageCodec.DecodeException.class, () -> MessageCodec.decode(new byte[] {2, 1}));
        byte[] good = MessageCodec.encode(new Message.CibAck("v1", new CibVersion(0, 1, 2)));
        assertThrows(MessageCodec.DecodeException.class,
                () -> MessageCodec.decode(java.util.Arrays.copyOf(good, good.length - 3)));
    }
}
