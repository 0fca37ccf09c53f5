package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/** The two halves of ordered delivery across JGroups' unicast and multicast streams, without a network. */
class DeliveryOrderTest {
    private static final long HOLD = 1_000;
    private final Address a = UUID.randomUUID();
    private final Address b = UUID.randomUUID();
    private final Address c = UUID.randomUUID();
    private final List<String> dropped = new ArrayList<>();

    private static DeliveryOrder.Arrival<String> uni(Address from, long id, long after) {
        return new DeliveryOrder.Arrival<>(from, true, id, after, "u" + id);
    }

    private static DeliveryOrder.Arrival<String> multi(Address from, long id, long after) {
        return new DeliveryOrder.Arrival<>(from, false, id, after, "m" + id);
    }

    @Test
    void aMulticastWaitsForTheUnicastSentBeforeItAndTakesItsStreamAlong() {
        DeliveryOrder<String> order = new DeliveryOrder<>(HOLD, 100);
        assertEquals(List.of(), order.arrived(multi(a, 2, 1), 0, dropped), "m2 must follow u1");
        assertEquals(List.of(), order.arrived(multi(a, 3, 0), 0, dropped), "m3 follows m2 in its stream");
        assertEquals(List.of("u7"), order.arrived(uni(b, 7, 0), 0, dropped), "another sender is not held");
        assertTrue(order.holding());
        assertEquals(List.of("u1", "m2", "m3"), order.arrived(uni(a, 1, 0), 0, dropped));
        assertFalse(order.holding());
        assertEquals(List.of(), dropped);
    }

    @Test
    void aUnicastWaitsForTheMulticastSentBeforeIt() {
        DeliveryOrder<String> order = new DeliveryOrder<>(HOLD, 100);
        assertEquals(List.of("u1"), order.arrived(uni(a, 1, 0), 0, dropped));
        assertEquals(List.of(), order.arrived(uni(a, 3, 2), 0, dropped));
        assertEquals(List.of(), order.arrived(uni(a, 4, 0), 0, dropped));
        assertEquals(List.of("m2", "u3", "u4"), order.arrived(multi(a, 2, 1), 0, dropped));
    }

    @Test
    void aMessageWhosePredecessorNeverComesIsDroppedAfterTheHoldAndNoLongerHoldsOthers() {
        DeliveryOrder<String> order = new DeliveryOrder<>(HOLD, 100);
        assertEquals(List.of(), order.arrived(multi(a, 5, 4), 0, dropped));
        assertEquals(List.of(), order.arrived(uni(a, 6, 5), 10, dropped), "u6 waits for m5, which waits for u4");
        assertEquals(List.of(), order.expire(HOLD - 1, dropped));
        assertEquals(List.of("u6"), order.expire(HOLD, dropped), "m5 dropped, so u6 no longer waits");
        assertEquals(List.of("m5"), dropped);
        assertFalse(order.holding());
        assertEquals(List.of("u4"), order.arrived(uni(a, 4, 0), HOLD, dropped), "a late predecessor is delivered as it comes");
    }

    @Test
    void heldMessagesAreBoundedPerSender() {
        DeliveryOrder<String> order = new DeliveryOrder<>(HOLD, 2);
        order.arrived(multi(a, 10, 9), 0, dropped);
        order.arrived(multi(a, 11, 0), 1, dropped);
        assertEquals(List.of(), dropped);
        assertEquals(List.of("m11", "m12"), order.arrived(multi(a, 12, 0), 2, dropped), "the oldest gives way, the rest follow");
        assertEquals(List.of("m10"), dropped);
        assertFalse(order.holding());
    }

    @Test
    void aSenderThatLeftTheViewHasItsHeldMessagesDropped() {
        DeliveryOrder<String> order = new DeliveryOrder<>(HOLD, 100);
        order.arrived(multi(a, 2, 1), 0, dropped);
        order.arrived(multi(b, 2, 1), 0, dropped);
        order.retainSenders(b::equals, dropped);
        assertEquals(List.of("m2"), dropped);
        assertEquals(List.of("u1", "m2"), order.arrived(uni(b, 1, 0), 0, new ArrayList<>()));
    }

    /**
     * Whatever the interleaving of the two streams at the receiver, each receiver gets exactly what was sent to
     * it, in the order sent: SendOrder's sections read by DeliveryOrder, over random sends to two receivers.
     */
    @Test
    void randomInterleavingsOfTheTwoStreamsDeliverInSendOrder() {
        long seed = System.nanoTime();
        System.out.println("DeliveryOrderTest seed " + seed);
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            SendOrder sender = new SendOrder();
            Map<Address, List<DeliveryOrder.Arrival<String>>> unicasts = Map.of(b, new ArrayList<>(), c, new ArrayList<>());
            Map<Address, List<DeliveryOrder.Arrival<String>>> multicasts = Map.of(b, new ArrayList<>(), c, new ArrayList<>());
            Map<Address, List<String>> sent = Map.of(b, new ArrayList<>(), c, new ArrayList<>());
            for (long id = 1; id <= 30; id++) {
                if (rnd.nextInt(3) == 0) {
                    Map<String, Long> after = sender.multicast(id, List.of(b, c), x -> x == b ? "b" : "c");
                    for (Address r : List.of(b, c)) {
                        multicasts.get(r).add(multi(a, id, after.getOrDefault(r == b ? "b" : "c", 0L)));
                        sent.get(r).add("m" + id);
                    }
                } else {
                    Address r = rnd.nextBoolean() ? b : c;
                    unicasts.get(r).add(uni(a, id, sender.unicast(r, id)));
                    sent.get(r).add("u" + id);
                }
            }
            for (Address r : List.of(b, c)) {
                // Each stream in order, the two merged at random: what JGroups may do.
                List<Boolean> picks = new ArrayList<>();
                unicasts.get(r).forEach(x -> picks.add(true));
                multicasts.get(r).forEach(x -> picks.add(false));
                Collections.shuffle(picks, rnd);
                DeliveryOrder<String> receiver = new DeliveryOrder<>(HOLD, 1000);
                List<String> got = new ArrayList<>();
                int u = 0;
                int m = 0;
                for (boolean pick : picks) {
                    got.addAll(receiver.arrived(pick ? unicasts.get(r).get(u++) : multicasts.get(r).get(m++), 0, dropped));
                }
                assertEquals(sent.get(r), got, "seed " + seed + " round " + round);
            }
        }
        assertEquals(List.of(), dropped);
    }
}
