/**
 * The CIB: Pacemaker's cluster information base as an immutable document, with its version,
 * diffs, validation and on-disk store (DESIGN.md §3).
 *
 * <ul>
 *   <li>{@link org.pulse.cib.Cib}: the document ({@code parse}, {@code read}, {@code toXml}),
 *       its {@link org.pulse.cib.CibVersion}, copy-on-write edits ({@code withConfigurationSection},
 *       {@code withElementReplaced}, {@code withNodeState}, ...) and {@code next(newTree)}, which
 *       bumps the version as Pacemaker does (configuration: epoch; status: num_updates).</li>
 *   <li>{@link org.pulse.cib.CibDiff}: {@code diff(a, b)}, {@code apply(cib)} (refused with a
 *       {@link org.pulse.cib.CibPatchException} unless the CIB is at the diff's from-version),
 *       {@code toJson}/{@code fromJson} for replication.</li>
 *   <li>{@link org.pulse.cib.CibValidator}: problems ({@link org.pulse.cib.CibProblem}, errors and
 *       warnings) with file, line, id, what is wrong and what to do; what {@code crm verify} prints.</li>
 *   <li>{@link org.pulse.cib.CibStore}: cib.xml + cib.xml.sig (SHA-256), atomic writes, backups,
 *       refusal of files whose digest does not match.</li>
 * </ul>
 * The typed view for the policy engine is in {@code org.pulse.cib.model}; the admin protocol
 * spoken over crmd's socket is in {@code org.pulse.cib.admin}; the XML tree is in
 * {@code org.pulse.cib.xml}.
 */
package org.pulse.cib;
