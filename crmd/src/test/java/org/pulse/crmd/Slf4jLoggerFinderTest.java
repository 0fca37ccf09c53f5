package org.pulse.crmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.System.Logger.Level;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Slf4jLoggerFinderTest {

    @Test
    void theDaemonsSystemLoggersAreSlf4jLoggers() {
        // lrm and messaging call System.getLogger: inside crmd that must land in SLF4J, not in JUL
        System.Logger logger = System.getLogger("org.pulse.lrm.Lrm");
        assertInstanceOf(Slf4jLoggerFinder.Bridge.class, logger);
        assertEquals("org.pulse.lrm.Lrm", logger.getName());
        System.setProperty(Slf4jLoggerFinder.NODE_PROPERTY, "n7");
        try {
            assertEquals("org.pulse.lrm.Lrm@n7", new Slf4jLoggerFinder().getLogger("org.pulse.lrm.Lrm", null).getName());
        } finally {
            System.clearProperty(Slf4jLoggerFinder.NODE_PROPERTY);
        }
    }

    @Test
    void levelsMapOneToOneAndFormatOnlyWhenOn() {
        List<String> calls = new ArrayList<>();
        Throwable boom = new IllegalStateException("boom");
        org.slf4j.Logger target = (org.slf4j.Logger) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {org.slf4j.Logger.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("is")) {
                        return !name.equals("isTraceEnabled"); // trace off, the rest on
                    }
                    if (name.equals("getName")) {
                        return "t";
                    }
                    calls.add(name + ":" + args[0] + (args.length > 1 && args[1] == boom ? ":thrown" : ""));
                    return null;
                });
        System.Logger bridge = new Slf4jLoggerFinder.Bridge(target);
        bridge.log(Level.WARNING, "w", boom);
        bridge.log(Level.INFO, "op {0} rc {1}", "start", 7);
        bridge.log(Level.DEBUG, "d");
        bridge.log(Level.ERROR, "e");
        bridge.log(Level.TRACE, "never formatted {0}", new Object() {
            @Override
            public String toString() {
                throw new AssertionError("formatted although trace is off");
            }
        });
        assertFalse(bridge.isLoggable(Level.OFF));
        assertEquals(List.of("warn:w:thrown", "info:op start rc 7", "debug:d", "error:e"), calls);
        assertSame(target, ((Slf4jLoggerFinder.Bridge) bridge).target());
    }
}
