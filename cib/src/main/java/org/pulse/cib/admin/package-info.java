/**
 * The admin protocol: how {@code crm}, the agent shims and tests talk to crmd over its admin
 * socket (DESIGN.md §11). Defined here, once, so that the shell never links the daemon.
 *
 * <p>Framing: one JSON object per line (UTF-8, terminated by {@code \n}); JSON escapes newlines
 * inside strings, so a message is always exactly one line. The client sends an
 * {@link org.pulse.cib.admin.AdminRequest}, the server answers with one
 * {@link org.pulse.cib.admin.AdminResponse} carrying the same {@code id}.
 *
 * <pre>
 * request:  {"protocol":1,"id":"c1-7","op":"resource","args":{"action":"stop","resource":"vip"}}
 * result:   {"protocol":1,"id":"c1-7","ok":true,"result":{"version":"0.12.0"}}
 * error:    {"protocol":1,"id":"c1-7","ok":false,"error":{"code":"not-found","message":"no resource 'vip' ..."}}
 * </pre>
 *
 * <p>An operation is a name plus typed arguments (strings, whole numbers, booleans), so new
 * operations need no change here; the known ones and their arguments are in
 * {@link org.pulse.cib.admin.AdminOp}. {@link org.pulse.cib.admin.AdminCodec} encodes and decodes,
 * refusing bad JSON and unknown protocol versions with a message that says what to do.
 */
package org.pulse.cib.admin;
