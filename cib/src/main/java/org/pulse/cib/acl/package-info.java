/**
 * Pacemaker's access control lists, pure: {@link org.pulse.cib.acl.CibAcl#filterForRead} (what a
 * user may see), {@link org.pulse.cib.acl.CibAcl#checkWrite} (whether a change from one CIB to the
 * next touches only what it may write, or the {@link org.pulse.cib.acl.AclDenial} naming the rule).
 * crmd applies them to its admin socket's callers; crm applies them offline with CIB_user.
 */
package org.pulse.cib.acl;
