package org.pulse.shell.source;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibPatchException;
import org.pulse.cib.acl.AclDenial;
import org.pulse.cib.acl.AclSubject;
import org.pulse.cib.acl.CibAcl;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;

/**
 * A CIB file seen as the user named by CIB_user sees it, as Pacemaker's tools do with CIB_file and
 * CIB_user: reads are filtered by the file's ACLs; a write is the change the user made to what
 * it saw, replayed on the whole file and refused (nothing written) when the ACLs do not allow it,
 * so what the user could not see is never lost. Unrestricted users (root, hacluster, or
 * enable-acl not true) see and write the file as it is.
 */
public final class AclCibSource implements CibSource {
    private final FileCibSource file;
    private final AclSubject subject;

    public AclCibSource(FileCibSource file, AclSubject subject) {
        this.file = file;
        this.subject = subject;
    }

    /** The user and its groups (from id -Gn, as the system knows them; none when it does not). */
    public static AclSubject subject(String user) {
        Set<String> groups = new TreeSet<>();
        try {
            Process p = new ProcessBuilder("id", "-Gn", "--", user).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                try (InputStream in = p.getInputStream()) {
                    for (String g : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim().split("\\s+")) {
                        if (!g.isEmpty()) {
                            groups.add(g);
                        }
                    }
                }
            } else {
                p.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            // no id(1): the user's acl_target alone applies
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new AclSubject(user, groups);
    }

    @Override
    public String name() {
        return file.name();
    }

    @Override
    public String describe() {
        return file.describe() + " as user " + subject.user();
    }

    @Override
    public XmlElement load() throws CrmException {
        return CibAcl.filterForRead(file.load(), subject);
    }

    @Override
    public XmlElement replace(XmlElement before, XmlElement after) throws CrmException {
        XmlElement full = file.load();
        if (!CibAcl.restricted(full, subject)) {
            return file.replace(before, after);
        }
        if (!CibAcl.filterForRead(full, subject).equals(before)) {
            throw new CrmException(file.describe() + " was changed by someone else since it was read; nothing was"
                    + " written. Run the command again");
        }
        Cib result;
        try {
            result = CibDiff.diff(Cib.of(before), Cib.of(after)).apply(Cib.of(full));
        } catch (CibPatchException | IllegalArgumentException e) {
            throw new CrmException("cannot apply the change to " + file.describe() + ": " + e.getMessage());
        }
        Optional<AclDenial> denied = CibAcl.checkWrite(full, result.root(), subject);
        if (denied.isPresent()) {
            throw new CrmException(denied.get().message() + "; nothing was written to " + file.describe());
        }
        return CibAcl.filterForRead(file.replace(full, result.root()), subject);
    }
}
