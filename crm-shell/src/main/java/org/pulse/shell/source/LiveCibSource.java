package org.pulse.shell.source;

import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.config.Rebase;
import org.pulse.shell.config.Tree;

/**
 * The running cluster's CIB through crmd's admin socket. A change is sent as a diff naming the
 * version it was made from, so crmd refuses it when someone else changed the CIB meanwhile
 * (nothing is then applied, and the shell says to reload and retry).
 */
public final class LiveCibSource implements CibSource {
    private final AdminClient client;

    public LiveCibSource(AdminClient client) {
        this.client = client;
    }

    public AdminClient client() {
        return client;
    }

    @Override
    public String name() {
        return "live";
    }

    @Override
    public String describe() {
        return "the cluster (crmd at " + client.socket() + ")";
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public XmlElement load() throws CrmException {
        AdminResponse r = client.require(AdminRequest.query(client.nextId()));
        try {
            String xml = r.result().requireString("xml");
            return Cib.parse("crmd", xml).root();
        } catch (AdminProtocolException | CibException e) {
            throw new CrmException("crmd sent a CIB the shell cannot read: " + e.getMessage());
        }
    }

    /** One status request: crmd's answer carries the CIB as well as its words on the partition. */
    @Override
    public ForStatus loadForStatus() throws CrmException {
        AdminResponse r = client.require(AdminRequest.status(client.nextId()));
        try {
            XmlElement cib = Cib.parse("crmd", r.result().requireString("xml")).root();
            java.util.Map<String, String> partition = new java.util.LinkedHashMap<>();
            for (String key : new String[] {"quorum", "wait_for_all", "blocked", "fencing_pending", "fencing_failed",
                    "fence_history"}) {
                Object v = r.result().asMap().get(key);   // wait_for_all is a boolean on the wire
                if (v != null) {
                    partition.put(key, v.toString());
                }
            }
            return new ForStatus(cib, partition);
        } catch (AdminProtocolException | CibException e) {
            throw new CrmException("crmd sent a CIB the shell cannot read: " + e.getMessage());
        }
    }

    /**
     * A running cluster updates the status section all the time, so a diff made from the CIB as
     * read may name a version that has moved on. The change is then made again on the new CIB and
     * sent again (five tries in all): when only the status moved, as it was; when someone else changed
     * other configuration objects, carried over onto theirs ({@link Rebase}); when they changed an
     * object this change changes too, it is refused, naming the objects.
     */
    @Override
    public XmlElement replace(XmlElement before, XmlElement after) throws CrmException {
        XmlElement base = before;
        XmlElement wanted = after;
        for (int attempt = 1; ; attempt++) {
            Cib from = Cib.of(base);
            Cib to = from.next(wanted);
            CibDiff diff = CibDiff.diff(from, to);
            AdminResponse resp = client.call(AdminRequest.patch(client.nextId(), diff.toJson()));
            if (resp.ok()) {
                return load();
            }
            if (!AdminError.VERSION_MISMATCH.equals(resp.error().code()) || attempt >= 5) {
                throw new CrmException(resp.error().message() + " [" + resp.error().code() + "]");
            }
            XmlElement latest = load();
            XmlElement mine = Tree.section(wanted, "configuration");
            XmlElement theirs = Tree.section(latest, "configuration");
            if (!theirs.equals(Tree.section(base, "configuration"))) {
                // Someone else changed the configuration (the DC writing the nodes section just after
                // start, another operator): carry this change over when it touches other objects.
                Rebase.Result r = Rebase.rebase(Tree.section(base, "configuration"), mine, theirs);
                if (!r.conflicts().isEmpty()) {
                    throw new CrmException("the cluster's configuration was changed by someone else meanwhile, in "
                            + "what this change changes too (" + String.join(", ", r.conflicts()) + "); nothing was "
                            + "applied. Look at it again (configure refresh) and redo the change");
                }
                mine = r.configuration();
            }
            // Apply the configuration change to the latest CIB and send it again.
            wanted = Tree.withSection(latest, "configuration", mine);
            base = latest;
        }
    }

    /** A resource or node command crmd performs itself (cleanup, failcount reset, ...). */
    public AdminArgs command(AdminRequest request) throws CrmException {
        return client.require(request).result();
    }
}
