/**
 * Cluster transport for crmd: a sealed JGroups 5.5.7 channel over TCP with a static member
 * list, membership views in node names, and typed envelopes carrying crmd's bytes.
 *
 * <h2>Using it (crmd)</h2>
 * <pre>{@code
 * ClusterKey key = ClusterKey.load(Path.of("/etc/pulse/authkey"));     // crmd --generate-key: ClusterKey.generate(path)
 * MessagingConfig config = MessagingConfig.builder("pulse", "node1")
 *         .listenOn("192.0.2.1", 7800)                              // a second listenOn = a second link
 *         .peer("192.0.2.1", 7800).peer("192.0.2.2", 7800).peer("192.0.2.3", 7800)
 *         .failureDetectionMs(500)                                  // the one timing knob
 *         .clusterKey(key)
 *         .build();
 * Messenger m = Messenger.start(config, listener);                  // listener: onView / onSuspect / onMessage
 * log(m.describeTiming());
 * m.send("node2", "cib.diff", bytes);                               // false if node2 is not in the view
 * m.broadcast("cib.diff", bytes);                                   // every other member
 * m.sendToEach(members, "cib.diff", bytes);                          // one multicast when they are all the others
 * m.request(m.view().members(), "cib.commit", bytes, 2_000)         // CompletableFuture<Replies>
 *         .thenAccept(replies -> queue.add(new CommitAcked(replies)));
 * m.reply(requestEnvelope, "cib.committed", bytes);                 // in answer to a REQUEST
 * m.close();                                                        // graceful leave
 * }</pre>
 * Every callback and every request future arrive on the messenger's single delivery thread
 * ({@code pulse-messaging-NODE}), in order; see {@link org.pulse.messaging.MessagingListener}.
 *
 * <h2>Security</h2>
 * On by default; {@code insecure()} must be asked for. Every JGroups message, headers included,
 * is sealed with AES-256-GCM under a key derived from the cluster key
 * ({@link org.pulse.messaging.SealProtocol}), right above the transport: a node without the key
 * is never discovered, never joins, and nothing it sends reaches a protocol or crmd. Refused
 * messages are counted and logged (rate-limited) with the sender. A replayed message is refused
 * by a per-sender-session window ({@link org.pulse.messaging.ReplayWindow}). The sealed header
 * names the sender and its incarnation ({@link org.pulse.messaging.Incarnations}): only the
 * configured nodes ({@code memberNames}) are heard; an earlier incarnation of a node is refused
 * once a later one was heard, also after the receiver itself restarted (both counters are kept in
 * {@code stateDir}); a second process under a live node's name, or under the receiver's own, is
 * refused. Below the seal: connections to the cluster port only from configured nodes'
 * addresses ({@link org.pulse.messaging.PeerAddressFilter}), frames of at most 4 MiB, JGroups
 * diagnostics off; FD_SOCK2's port (+100) keeps only configured nodes' addresses too
 * ({@link org.pulse.messaging.PeerFilteredFdSock}).
 *
 * <p>Views: {@link org.pulse.messaging.ClusterView#id()} names the creator's incarnation, so a view
 * id never repeats, also after every node restarted; crmd tags what must not outlive its view
 * (operation reports, forwarded writes and their answers) with it and refuses other views'. A
 * message whose sender is not a member of the view the listener was told of is held for at most
 * {@link org.pulse.messaging.Messenger#HOLD_NON_MEMBER_MS} ms (views install at slightly different
 * moments) and otherwise dropped and counted: crmd never hears a non-member.
 *
 * <p>Not covered at this layer: a replay of a node's current incarnation sent to a receiver that
 * restarted after recording and before it hears that node again (the window is the time until
 * the node's next message, a heartbeat interval in practice); such a message is of an earlier
 * view, which crmd refuses. A stranger on a configured node's own address can open connections
 * (it can do nothing with them; on FD_SOCK2's it learns the cluster name and that node's address). During a rolling key change a node opens traffic sealed
 * with any key in {@code acceptKeys} and seals with its own key only.
 *
 * <h2>Suspicions that do not lie</h2>
 * A suspicion confirmed by VERIFY_SUSPECT2 reaches GMS (and so crmd, which fences) only if this
 * node was not itself starved of CPU while it formed ({@link org.pulse.messaging.PauseWatch}) and
 * no other member heard the suspect lately ({@link org.pulse.messaging.SuspicionGuard}, fed by
 * {@link org.pulse.messaging.HeardTap}); held suspicions are asked again while the suspect stays
 * silent, for at most max(2 s, 4 D) of this node's running time (30 s of wall time at most). The trade-off and the figures: {@code messaging/README.md}.
 *
 * <h2>Ordered fan-out</h2>
 * JGroups carries a sender's multicasts (NAKACK2) and unicasts (UNICAST3) in two streams, each in
 * order, with no order between them. So a message names the last message of the other stream its
 * sender sent to that receiver before it (an order section in the envelope: {@link
 * org.pulse.messaging.SendOrder}), and the receiver holds it until that one was delivered ({@link
 * org.pulse.messaging.DeliveryOrder}): each receiver hears a sender's messages in the order they were
 * sent to it, whichever stream carried them (replies aside). With that, crmd's DC sends a CIB change
 * to every member as one multicast, serialized and sealed once ({@link
 * org.pulse.messaging.Messenger#sendToEach}), and a member never applies it before the join's CIB
 * sent to it before. Order sections go only where every member's address advertises reading them
 * (an older node would refuse them): with one such member in the view, a fan-out is one unicast
 * each, as before. A held message whose predecessor never comes (lost in a view change) is dropped
 * after {@link org.pulse.messaging.Messenger#HOLD_OUT_OF_ORDER_MS} ms and counted.
 *
 * <h2>Redundant links</h2>
 * With two {@code listenOn} addresses, {@link org.pulse.messaging.MultiLinkTCP} sends every
 * packet on both links, each link with its own sender thread and bounded queue, and receives
 * on both; a node is lost only when all its links are. FD_SOCK2 still uses the first link only,
 * which is harmless: on a cut link it sees no reset, and if it suspects anyway, VERIFY_SUSPECT2
 * checks over both links. Peers declare their second address with
 * {@code peer(firstLink, secondLink)}.
 */
package org.pulse.messaging;
