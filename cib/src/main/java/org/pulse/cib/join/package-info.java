/**
 * Bootstrap without SSH: how a new node gets the cluster key and the node list from a running
 * node ({@code crm cluster join}), and how the running nodes' {@code crmd.conf} files are edited.
 * Defined here, once, because both the shell (the joining side) and crmd (the answering side)
 * speak it and the shell never links the daemon.
 *
 * <p>The channel: a TCP connection to the answering node's cluster address at port
 * {@code + }{@value org.pulse.cib.join.JoinWire#PORT_OFFSET}, authenticated and encrypted with a
 * key derived from a one-time token's secret ({@link org.pulse.cib.join.JoinToken}); the token also
 * pins the cluster key's fingerprint, so a joining node writes a key only if it is the one the
 * token was made for. See {@link org.pulse.cib.join.JoinWire} for the exchange and its bounds.
 */
package org.pulse.cib.join;
