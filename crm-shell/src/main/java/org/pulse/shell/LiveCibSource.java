package org.pulse.shell;

import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.xml.XmlElement;

/**
 * The running cluster's CIB through crmd's admin socket. A change is sent as a diff naming the
 * version it was made from, so crmd refuses it when someone else changed the CIB meanwhile
 * (nothing is then applied, and the shell says to reload and retry).
 */
final class LiveCibSource implements CibSource {
    private final AdminClient client;

    LiveCibSource(AdminClient client) {
        this.client = client;
    }

    AdminClient client() {
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

    @Override
    public XmlElement replace(XmlElement before, XmlElement after) throws CrmException {
        Cib from = Cib.of(before);
        Cib to = from.next(after);
        CibDiff diff = CibDiff.diff(from, to);
        client.require(AdminRequest.patch(client.nextId(), diff.toJson()));
        return load();
    }

    /** A resource or node command crmd performs itself (cleanup, failcount reset, ...). */
    AdminArgs command(AdminRequest request) throws CrmException {
        return client.require(request).result();
    }
}
