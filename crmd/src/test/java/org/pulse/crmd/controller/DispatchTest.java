package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The controller's event and message dispatch (and the runtime's dispatch of effects) is
 * exhaustive: every record of Event, Message and Effect has its Kind (the switch expressions over Kind do not compile without a branch for each), and
 * a type without one is refused as an error naming it, never ignored.
 */
class DispatchTest {
    @Test
    void everyEventAndMessageRecordHasExactlyOneKind() {
        assertKinds(Event.class, Event.KINDS, Event.Kind.values());
        assertKinds(Message.class, Message.KINDS, Message.Kind.values());
        // the runtime and the simulation switch over the effects' kinds the same way
        assertKinds(Effect.class, Effect.KINDS, Effect.Kind.values());
    }

    @Test
    void everyEffectHasItsKind() {
        assertEquals(Effect.Kind.SEND, new Effect.Send("b", new Message.ShutdownGranted("v1")).kind());
        assertEquals(Effect.Kind.LOG, new Effect.Log(Effect.Log.Level.INFO, "x").kind());
        assertEquals(Arrays.stream(Effect.Kind.values()).map(Enum::name).collect(Collectors.toSet()),
                Effect.KINDS.keySet().stream().map(k -> Kinds.constantName(k.getSimpleName()))
                        .collect(Collectors.toSet()));
    }

    private static void assertKinds(Class<?> sealed, Map<Class<?>, ?> table, Enum<?>[] kinds) {
        Set<Class<?>> permitted = Set.of(sealed.getPermittedSubclasses());
        assertEquals(permitted, table.keySet(), "every " + sealed.getSimpleName() + " record has a kind");
        assertEquals(kinds.length, Set.copyOf(table.values()).size(), "one record per kind");
    }

    /** A sealed family that forgot a record's kind, as a new Event record added without one would be. */
    sealed interface Family permits Family.Known, Family.Forgotten {
        enum Kind { KNOWN }

        record Known() implements Family {
        }

        record Forgotten() implements Family {
        }
    }

    @Test
    void aTypeWithoutAKindIsAnErrorNamingIt() {
        Map<Class<?>, Family.Kind> table = Kinds.table(Family.class, Family.Kind.class);
        assertEquals(Family.Kind.KNOWN, Kinds.of(table, new Family.Known(), "family"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kinds.of(table, new Family.Forgotten(), "family"));
        assertTrue(e.getMessage().contains("Forgotten"), e.getMessage());
    }

    enum Stale { KNOWN, GONE }

    @Test
    void aKindWithoutItsRecordFailsWhenTheTableIsBuilt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kinds.table(Family.class, Stale.class));
        assertTrue(e.getMessage().contains("GONE"), e.getMessage());
    }

    @Test
    void theDcRoleRefusesAMessageMeantForMembers() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b"), ControllerTest.cib("", ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b"));
        Controller dc = c.nodes.get("a");
        assertTrue(dc.isDc());
        // a member's message reaches the DC's role only through a routing mistake: an error, not a no-op
        DcRole role = dcRole(dc);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> role.onMessage("b", new Message.ShutdownGranted("v1")));
        assertTrue(e.getMessage().contains("SHUTDOWN_GRANTED"), e.getMessage());
    }

    @Test
    void kindNamesFollowTheRecordNames() {
        assertEquals("VIEW_CHANGED", Kinds.constantName("ViewChanged"));
        assertEquals(Arrays.stream(Message.Kind.values()).map(Enum::name).collect(Collectors.toSet()),
                Message.KINDS.keySet().stream().map(k -> Kinds.constantName(k.getSimpleName()))
                        .collect(Collectors.toSet()));
    }

    private static DcRole dcRole(Controller c) throws Exception {
        var f = Controller.class.getDeclaredField("dc");
        f.setAccessible(true);
        return (DcRole) f.get(c);
    }
}
