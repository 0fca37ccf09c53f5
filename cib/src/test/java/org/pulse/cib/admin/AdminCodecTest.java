package org.pulse.cib.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdminCodecTest {
    @Test
    void requestsAndResponsesSurviveTheWire() throws Exception {
        AdminRequest[] requests = {
            AdminRequest.query("1"),
            AdminRequest.replace("2", "<cib>\n  <configuration/>\n</cib>\n"),
            AdminRequest.patch("3", "{\"format\":\"pulse-cib-diff\"}"),
            AdminRequest.status("4"),
            AdminRequest.resource("5", "move", "vip", "node2"),
            AdminRequest.resource("6", "cleanup", "vip", null),
            AdminRequest.node("7", "standby", "node1"),
            new AdminRequest("8", "future-op", AdminArgs.of("count", 3, "force", true, "why", "ünïcödé")),
        };
        for (AdminRequest r : requests) {
            String line = AdminCodec.encode(r);
            assertFalse(line.contains("\n"), "one message is one line: " + line);
            assertEquals(r, AdminCodec.decodeRequest(line));
        }
        AdminResponse ok = AdminResponse.ok("1", AdminArgs.of("version", "0.3.1", "xml", "<cib/>", "quorate", true));
        assertEquals(ok, AdminCodec.decodeResponse(AdminCodec.encode(ok)));
        AdminResponse err = AdminResponse.error("2", AdminError.NOT_FOUND, "no resource 'vipp'; did you mean 'vip'?");
        AdminResponse back = AdminCodec.decodeResponse(AdminCodec.encode(err));
        assertEquals(err, back);
        assertFalse(back.ok());
    }

    @Test
    void typedArgumentsSayWhatIsWrong() throws Exception {
        AdminRequest r = AdminCodec.decodeRequest(
                "{\"protocol\":1,\"id\":\"9\",\"op\":\"resource\",\"args\":{\"action\":\"stop\",\"timeoutMs\":\"soon\"}}");
        assertEquals("stop", r.args().requireString("action"));
        AdminProtocolException e = assertThrows(AdminProtocolException.class, () -> r.args().requireNumber("timeoutMs"));
        assertTrue(e.getMessage().contains("'timeoutMs'") && e.getMessage().contains("whole number"), e.getMessage());
        e = assertThrows(AdminProtocolException.class, () -> r.args().requireString("resource"));
        assertEquals(AdminError.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains("'resource' is missing"));
        assertTrue(r.args().flag("force", false) == false);
    }

    @Test
    void badMessagesAreRefusedWithACodeAndAMessage() {
        String[][] cases = {
            {"", AdminError.BAD_REQUEST, "empty"},
            {"{\"protocol\":1,\"op\":", AdminError.BAD_REQUEST, "not valid JSON"},
            {"[1,2]", AdminError.BAD_REQUEST, "must be a JSON object"},
            {"{\"op\":\"query\"}", AdminError.BAD_REQUEST, "no \"protocol\""},
            {"{\"protocol\":2,\"id\":\"1\",\"op\":\"query\"}", AdminError.UNSUPPORTED_VERSION, "version 2 is not supported"},
            {"{\"protocol\":1,\"id\":\"1\"}", AdminError.BAD_REQUEST, "no \"op\""},
            {"{\"protocol\":1,\"id\":\"1\",\"op\":\"query\",\"args\":{\"x\":[1]}}", AdminError.BAD_REQUEST, "'x' must be"},
            {"{\"protocol\":1,\"id\":\"1\",\"op\":\"query\",\"args\":{\"x\":1.5}}", AdminError.BAD_REQUEST, "'x' must be"},
        };
        for (String[] c : cases) {
            AdminProtocolException e = assertThrows(AdminProtocolException.class, () -> AdminCodec.decodeRequest(c[0]), c[0]);
            assertEquals(c[1], e.code(), c[0]);
            assertTrue(e.getMessage().contains(c[2]), c[0] + " -> " + e.getMessage());
            assertEquals(c[1], e.toError().code());
        }
        assertThrows(AdminProtocolException.class, () -> AdminCodec.decodeResponse("{\"protocol\":1,\"id\":\"1\",\"ok\":false}"));
    }

    @Test
    void aBigCibTravelsInOneMessage() throws Exception {
        String big = "<cib>" + "<x a=\"1\"/>".repeat(3_000_000) + "</cib>";
        AdminRequest r = AdminRequest.replace("big", big);
        assertEquals(big, AdminCodec.decodeRequest(AdminCodec.encode(r)).args().requireString("xml"));
    }

    /** crm and crmd of one release speak this; it changes only with PROTOCOL_VERSION. */
    @Test
    void theWireFormatIsStable() throws Exception {
        assertEquals("{\"protocol\":1,\"id\":\"c1-7\",\"op\":\"resource\",\"args\":{\"action\":\"stop\",\"resource\":\"vip\"}}",
                AdminCodec.encode(AdminRequest.resource("c1-7", "stop", "vip", null)));
        assertEquals("{\"protocol\":1,\"id\":\"c1-7\",\"ok\":true,\"result\":{\"version\":\"0.12.0\",\"changed\":true,\"count\":3}}",
                AdminCodec.encode(AdminResponse.ok("c1-7", AdminArgs.of("version", "0.12.0", "changed", true, "count", 3))));
        assertEquals("{\"protocol\":1,\"id\":\"c1-7\",\"ok\":false,\"error\":{\"code\":\"not-found\",\"message\":\"no resource 'vip'\"}}",
                AdminCodec.encode(AdminResponse.error("c1-7", AdminError.NOT_FOUND, "no resource 'vip'")));
    }
}
