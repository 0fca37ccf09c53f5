package org.pulse.crmd.runtime;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.cib.CibValidator;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.acl.AclSubject;
import org.pulse.cib.acl.CibAcl;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.crmd.controller.AdminCommand;
import org.pulse.crmd.controller.AdminResult;
import org.pulse.crmd.controller.CibEdit;
import org.pulse.crmd.controller.Requester;
import org.pulse.crmd.controller.StatusReport;

/**
 * Translates the admin protocol (org.pulse.cib.admin) into controller commands and back. Resource
 * and node commands become CIB edits the DC applies: start/stop set target-role, move/ban/clear
 * put or remove cli-prefer/cli-ban location constraints, standby/online set the node's standby
 * attribute, attribute-set/-delete/-get serve crm_attribute and attrd_updater.
 *
 * <p>Every request comes with its {@link AdminAccess.Caller}: reads are filtered by the CIB's ACLs
 * for haclient members (as Pacemaker filters queries), writes carry a {@link Requester} that the
 * DC checks against the ACLs and records on the CIB; agents (the agents' socket) get the reads and
 * node-attribute operations agents use and nothing else. An argument an operation does not take is
 * refused, so a misspelt option is never silently ignored.
 */
final class AdminHandler implements AutoCloseable {
    /** The arguments each operation takes. */
    static final Map<String, Set<String>> KNOWN_ARGS = Map.of(
            AdminOp.QUERY, Set.of("section"),
            AdminOp.STATUS, Set.of(),
            AdminOp.REPLACE, Set.of("xml", "force"),
            AdminOp.PATCH, Set.of("diff", "force"),
            AdminOp.RESOURCE, Set.of("action", "resource", "node", "force", "value"),
            AdminOp.NODE, Set.of("action", "node", "name", "value", "lifetime", "dampen", "force"),
            AdminOp.TICKET, Set.of("action", "ticket"),
            AdminOp.WEB_TOKEN, Set.of("lifetime"),
            AdminOp.CLUSTER, Set.of("action", "node", "address"),
            AdminOp.SIMULATE, ResidentScheduler.argNames());
    /** What agents may do on their socket: read, and node attributes (crm_attribute, attrd_updater, crm_node). */
    static final Set<String> AGENT_NODE_ACTIONS = Set.of("attribute-set", "attribute-delete", "attribute-get");

    private final CrmdRuntime runtime;
    private final ResidentScheduler scheduler;

    AdminHandler(CrmdRuntime runtime) {
        // -Dpulse.residentTimeoutMs: how long a simulate request may take (bench/scheduler raises it for
        // its 183 MB CIB on a loaded machine)
        this(runtime, new ResidentScheduler(ResidentScheduler::freeHeap,
                Long.getLong("pulse.residentTimeoutMs", ResidentScheduler.DEFAULT_TIMEOUT_MS),
                // -Dpulse.residentWarmUp=false: no warm-up (the scheduler then warms on its first requests)
                "false".equals(System.getProperty("pulse.residentWarmUp")) ? -1 : ResidentScheduler.WARM_UP_DELAY_MS,
                runtime::formed));
    }

    AdminHandler(CrmdRuntime runtime, ResidentScheduler scheduler) {
        this.runtime = runtime;
        this.scheduler = scheduler;
    }

    @Override
    public void close() {
        scheduler.close();
    }

    /** The request's arguments all known to its operation, or the refusal naming the first that is not. */
    static AdminResponse checkArguments(AdminRequest req) {
        Set<String> known = KNOWN_ARGS.get(req.op());
        if (known == null) {
            return null; // an unknown operation gets its own answer
        }
        for (String name : req.args().asMap().keySet()) {
            if (!known.contains(name)) {
                return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "operation '" + req.op()
                        + "' takes no argument '" + name + "'; it takes: "
                        + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))));
            }
        }
        return null;
    }

    /** Whether an agent may send this request on its socket; null when it may, else the refusal. */
    static AdminResponse checkAgent(AdminRequest req) throws AdminProtocolException {
        if (req.op().equals(AdminOp.QUERY) || req.op().equals(AdminOp.STATUS)) {
            return null;
        }
        String action = req.op().equals(AdminOp.NODE) ? req.args().string("action").orElse("") : "";
        if (AGENT_NODE_ACTIONS.contains(action)) {
            return null;
        }
        if ((action.equals("property-set") || action.equals("property-delete"))
                // Pacemaker's cluster options: agents may not set these. Agents such as pgsql and redis keep
                // their own state in cluster properties of their own names (crm_attribute --type crm_config
                // --name RSC_REPL_INFO), which stays allowed.
                && !ClusterOptions.KNOWN_NAMES.contains(req.args().string("name").orElse(""))) {
            return null;
        }
        String what = req.op() + req.args().string("action").map(a -> " " + a).orElse("");
        return AdminResponse.error(req.id(), AdminError.ACCESS_DENIED, "agents may not '" + what + "' through the"
                + " agents' socket: it offers query, status, node attribute-set/-delete/-get (crm_attribute,"
                + " attrd_updater, crm_node) and cluster properties of the agent's own (not Pacemaker's cluster"
                + " options); an operator uses crm on the admin socket");
    }

    /** Who asked, for the DC: the caller, the tool (the request id's first word, e.g. crm_attribute), this node. */
    Requester requester(AdminRequest req, AdminAccess.Caller caller) {
        String first = req.id().split("-", 2)[0];
        String client = first.matches("[A-Za-z_][A-Za-z0-9_.]{0,63}") ? first : "admin";
        return new Requester(caller.user(), caller.groups(), client, runtime.nodeName());
    }

    AdminResponse handle(AdminRequest req, AdminAccess.Caller caller) {
        AdminResponse refused = checkArguments(req);
        if (refused != null) {
            return refused;
        }
        try {
            if (caller.kind() == AdminAccess.Kind.AGENT && (refused = checkAgent(req)) != null) {
                return refused;
            }
        } catch (AdminProtocolException e) {
            return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, e.getMessage());
        }
        Call call = new Call(req, caller.kind() == AdminAccess.Kind.ACL ? new AclSubject(caller.user(), caller.groups())
                : null, requester(req, caller));
        return call.handle();
    }

    /** One request and who made it; {@code subject} is null for callers the ACLs do not limit. */
    private final class Call {
        private final AdminRequest req;
        private final AclSubject subject;
        private final Requester by;

        Call(AdminRequest req, AclSubject subject, Requester by) {
            this.req = req;
            this.subject = subject;
            this.by = by;
        }

        /** The CIB as this caller may read it. */
        Cib visible(Cib cib) {
            if (subject == null || cib == null) {
                return cib;
            }
            XmlElement filtered = CibAcl.filterForRead(cib.root(), subject);
            return filtered == cib.root() ? cib : Cib.of(filtered);
        }

        AdminResponse handle() {
            return AdminHandler.this.handle(this);
        }
    }

    /** Past the forwarder's deadline (AdminDeadlines): only an event loop that never answers meets this one. */
    private long writeTimeoutMs() {
        return runtime.config().writeDeadlines().socketMs();
    }

    private AdminResponse handle(Call call) {
        AdminRequest req = call.req;
        try {
            switch (req.op()) {
                case AdminOp.QUERY:
                    return query(call);
                case AdminOp.STATUS:
                    return status(call);
                case AdminOp.REPLACE: {
                    String xml = req.args().requireString("xml");
                    boolean force = req.args().flag("force", false);
                    String root = rootName(xml);
                    CibEdit edit = root.equals("cib") ? new CibEdit.ReplaceCib(xml)
                            : new CibEdit.ReplaceSection(root, xml);
                    return write(call, edit, force);
                }
                case AdminOp.PATCH:
                    return write(call, new CibEdit.Patch(req.args().requireString("diff")),
                            req.args().flag("force", false));
                case AdminOp.RESOURCE:
                    return resource(call);
                case AdminOp.NODE:
                    return node(call);
                case AdminOp.TICKET:
                    // crm_ticket's clock stamps last-granted; here the clock of the node the operator asked
                    return write(call, new CibEdit.Ticket(req.args().requireString("ticket"),
                            req.args().requireString("action"), java.time.Instant.now().getEpochSecond()), false);
                case AdminOp.WEB_TOKEN:
                    return webToken(call);
                case AdminOp.CLUSTER:
                    return cluster(call);
                case AdminOp.SIMULATE:
                    return simulate(call);
                default:
                    return AdminResponse.error(req.id(), AdminError.UNKNOWN_OP, "crmd does not know the operation '"
                            + req.op() + "'; known: query, replace, patch, status, resource, node, ticket, cluster, simulate");
            }
        } catch (AdminProtocolException e) {
            return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * crm simulate through the resident scheduler. The live CIB is scheduled only for callers who
     * may read all of it (a schedule of a filtered copy would be a wrong answer, and its text would
     * reveal what the filter hides). A CIB the caller brings is their own data, but crmd's
     * scheduler serves only callers the ACLs give some access: with ACLs on, a user with no role
     * (default deny) is refused.
     */
    private AdminResponse simulate(Call call) {
        AdminRequest req = call.req;
        XmlElement live = null;
        boolean ownCib = ResidentScheduler.bringsCib(req);
        if (!ownCib || call.subject != null) {
            AdminResult r = runtime.request(new AdminCommand.Query(), 10_000);
            if (!r.ok()) {
                return error(req, r);
            }
            live = r.cib().root();
        }
        if (call.subject != null && CibAcl.restricted(live, call.subject)) {
            if (ownCib && CibAcl.permissionsFor(live, call.subject).isEmpty()) {
                return AdminResponse.error(req.id(), AdminError.ACCESS_DENIED, "user '" + call.subject.user()
                        + "' has no ACL role on this cluster, and crmd's scheduler serves users who may read the CIB;"
                        + " simulate in the shell's own process: crm --cib-file FILE simulate --in-process");
            }
            if (!ownCib && !CibAcl.filterForRead(live, call.subject).equals(live)) {
                return AdminResponse.error(req.id(), AdminError.ACCESS_DENIED, "user '" + call.subject.user()
                        + "' may not read all of the CIB (its ACLs hide parts), and simulate schedules all of it;"
                        + " ask for read access to the whole CIB (an ACL role with read on /cib), or simulate a"
                        + " copy: crm --cib-file FILE simulate");
            }
        }
        return scheduler.simulate(req, ownCib ? null : live);
    }

    /** A console token for the caller itself: whoever may use the admin socket may log in as itself. */
    private AdminResponse webToken(Call call) throws AdminProtocolException {
        long lifetimeS = call.req.args().number("lifetime").orElse(3600L);
        if (lifetimeS < 1 || lifetimeS > WebTokens.MAX_LIFETIME_S) {
            return AdminResponse.error(call.req.id(), AdminError.BAD_REQUEST, "lifetime " + lifetimeS
                    + " s is out of range: 1 s to " + WebTokens.MAX_LIFETIME_S / 86400 + " days");
        }
        WebTokens tokens = runtime.webTokens();
        if (tokens == null || runtime.httpStarting()) {
            return AdminResponse.error(call.req.id(), AdminError.BAD_REQUEST, "crmd on " + runtime.nodeName()
                    + " is still starting; try again");
        }
        long expires = java.time.Instant.now().getEpochSecond() + lifetimeS;
        AdminArgs out = AdminArgs.of("token", tokens.issue(call.by.user(), expires), "user", call.by.user(),
                "expires", java.time.Instant.ofEpochSecond(expires).toString());
        String url = runtime.consoleUrl();
        return AdminResponse.ok(call.req.id(), url == null ? out : out.with("url", url));
    }

    private static String rootName(String xml) {
        int i = 0;
        while (i < xml.length()) {
            int lt = xml.indexOf('<', i);
            if (lt < 0) {
                return "";
            }
            char c = lt + 1 < xml.length() ? xml.charAt(lt + 1) : ' ';
            if (c == '?' || c == '!') {
                i = lt + 1;
                continue;
            }
            int end = lt + 1;
            while (end < xml.length() && !Character.isWhitespace(xml.charAt(end)) && xml.charAt(end) != '>'
                    && xml.charAt(end) != '/') {
                end++;
            }
            return xml.substring(lt + 1, end);
        }
        return "";
    }

    private AdminResponse query(Call call) throws AdminProtocolException {
        AdminRequest req = call.req;
        AdminResult r = runtime.request(new AdminCommand.Query(), 10_000);
        if (!r.ok()) {
            return error(req, r);
        }
        XmlElement root = call.visible(r.cib()).root();
        String section = req.args().string("section").orElse(null);
        XmlElement out = root;
        if (section != null && !section.equals("cib")) {
            out = find(root, section);
            if (out == null) {
                return AdminResponse.error(req.id(), AdminError.NOT_FOUND, "the CIB has no section '" + section
                        + "'" + (call.subject == null ? "" : " that user '" + call.subject.user() + "' may read")
                        + "; sections: configuration, status, crm_config, nodes, resources, constraints, ...");
            }
        }
        return AdminResponse.ok(req.id(), AdminArgs.of("xml", XmlWriter.toXml(out), "version",
                r.cib().version().toString()));
    }

    private static XmlElement find(XmlElement root, String name) {
        if (root.name().equals(name)) {
            return root;
        }
        for (XmlElement e : root.elements()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        for (XmlElement e : root.elements()) {
            XmlElement inner = find(e, name);
            if (inner != null && (e.name().equals("configuration"))) {
                return inner;
            }
        }
        return null;
    }

    /** The status answer's fields without the CIB's XML, and the CIB as the caller may read it (for the console). */
    record VisibleStatus(AdminResponse error, AdminArgs fields, Cib cib) {
    }

    VisibleStatus visibleStatus(String requestId, AdminAccess.Caller caller) {
        Call call = new Call(AdminRequest.status(requestId), caller.kind() == AdminAccess.Kind.ACL
                ? new AclSubject(caller.user(), caller.groups()) : null, null);
        return visibleStatus(call);
    }

    private AdminResponse status(Call call) {
        VisibleStatus v = visibleStatus(call);
        return v.error() != null ? v.error()
                : AdminResponse.ok(call.req.id(), v.fields().with("xml", XmlWriter.toXml(v.cib().root())));
    }

    private VisibleStatus visibleStatus(Call call) {
        AdminRequest req = call.req;
        AdminResult r = runtime.request(new AdminCommand.Status(), 10_000);
        if (!r.ok()) {
            return new VisibleStatus(error(req, r), null, null);
        }
        StatusReport s = r.status();
        Cib cib = call.visible(r.cib());
        AdminArgs out = AdminArgs.of("text", StatusText.render(s, cib), "node", s.node(),
                "version", s.cibVersion().toString(), "members", String.join(",", s.members()),
                "joined", s.joined());
        out = out.with("dc", s.dc()).with("quorate", s.quorate()).with("transition", s.transition())
                .with("quorum", s.quorumReason()).with("expected_votes", s.expectedVotes())
                .with("wait_for_all", s.waitingForAll());
        if (!s.blocked().isEmpty()) {
            StringBuilder b = new StringBuilder();
            s.blocked().forEach((rsc, why) -> b.append(rsc).append(": ").append(why).append('\n'));
            out = out.with("blocked", b.toString().strip());
        }
        if (!s.pendingFencing().isEmpty()) {
            out = out.with("fencing_pending", String.join(",", s.pendingFencing()));
        }
        if (!s.fencingGivenUp().isEmpty()) {
            StringBuilder b = new StringBuilder();
            s.fencingGivenUp().forEach((node, why) -> b.append(node).append(": ").append(why).append('\n'));
            out = out.with("fencing_failed", b.toString().strip());
        }
        if (!s.fenceHistory().isEmpty()) {
            out = out.with("fence_history", StatusText.fenceHistoryLines(s.fenceHistory()));
        }
        return new VisibleStatus(null, out, cib);
    }

    private AdminResponse write(Call call, CibEdit edit, boolean force) {
        return write(call.req, new AdminCommand.Write(edit, force, call.by));
    }

    private AdminResponse write(AdminRequest req, AdminCommand command) {
        AdminResult r = runtime.request(command, writeTimeoutMs());
        if (!r.ok()) {
            return error(req, r);
        }
        return AdminResponse.ok(req.id(), AdminArgs.of("version", r.version().toString(), "message", r.message()));
    }

    private AdminResponse resource(Call call) throws AdminProtocolException {
        AdminRequest req = call.req;
        String action = req.args().requireString("action");
        String rsc = req.args().requireString("resource");
        String node = req.args().string("node").orElse(null);
        boolean force = req.args().flag("force", false);
        switch (action) {
            case "start":
                return write(call, new CibEdit.ResourceMeta(rsc, "target-role", "Started"), force);
            case "stop":
                return write(call, new CibEdit.ResourceMeta(rsc, "target-role", "Stopped"), force);
            case "manage":
                return write(call, new CibEdit.ResourceMeta(rsc, "is-managed", "true"), force);
            case "unmanage":
                return write(call, new CibEdit.ResourceMeta(rsc, "is-managed", "false"), force);
            case "cleanup": {
                // Pacemaker 2's cleanup acts on what failed; refresh forgets the whole history (a re-probe).
                // Read here, written on the DC: a failure recorded in between is cleaned by the next cleanup.
                // Only for callers ACLs do not restrict: for the others the DC's write decides, so a
                // read-only user is refused (403) whether or not there is anything to clean.
                AdminResult current = call.subject != null ? null : runtime.request(new AdminCommand.Query(), 10_000);
                if (current != null && current.ok() && !current.cib().statusView().hasFailures(rsc, node)) {
                    return AdminResponse.ok(req.id(), AdminArgs.of("version", current.cib().version().toString(),
                            "message", rsc + " has no failures" + (node == null ? "" : " on " + node)
                                    + " to clean up (crm resource refresh forgets its whole history)"));
                }
                return write(call, new CibEdit.Cleanup(rsc, node), force);
            }
            case "refresh":
            case "failcount-delete":
                return write(call, new CibEdit.Cleanup(rsc, node), force);
            case "failcount-set": {
                if (node == null) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "resource failcount-set of " + rsc
                            + " needs the node: crm resource failcount " + rsc + " set NODE VALUE");
                }
                String value = req.args().string("value").orElse(null);
                if (value == null) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "resource failcount-set of " + rsc
                            + " on " + node + " needs 'value' (a whole number or INFINITY; 0 clears it)");
                }
                return write(call, new CibEdit.FailCount(rsc, node, value), force);
            }
            case "move":
            case "migrate":
                // decided by the DC on its own CIB and written as one change (cib's MoveBanClear, shared with the shell)
                return write(call, new CibEdit.Move(rsc, node), force);
            case "ban":
                if (node == null) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "resource ban needs a node");
                }
                return write(call, new CibEdit.Ban(rsc, node), force);
            case "clear":
            case "unmove":
            case "unmigrate":
                return write(call, new CibEdit.Clear(rsc), force);
            default:
                return AdminResponse.error(req.id(), AdminError.UNKNOWN_OP, "unknown resource action '" + action
                        + "'; known: start, stop, move, ban, clear, cleanup, manage, unmanage,"
                        + " failcount-set, failcount-delete");
        }
    }

    private AdminResponse node(Call call) throws AdminProtocolException {
        AdminRequest req = call.req;
        String action = req.args().requireString("action");
        String node = req.args().string("node").orElse(runtime.nodeName());
        boolean force = req.args().flag("force", false);
        switch (action) {
            case "standby":
                return write(call, new CibEdit.NodeAttribute(node, "standby", "on", false), force);
            case "online":
                return write(call, new CibEdit.NodeAttribute(node, "standby", "off", false), force);
            case "maintenance":
                return write(call, new CibEdit.NodeAttribute(node, "maintenance", "on", false), force);
            case "ready":
                return write(call, new CibEdit.NodeAttribute(node, "maintenance", "off", false), force);
            case "fence":
            case "clearstate": {
                // crm node fence|clearstate NODE: the node must be named (never "this node" by default)
                String target = req.args().string("node").orElse(null);
                if (target == null || target.isBlank()) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "node " + action + " needs the node"
                            + " to " + (action.equals("fence") ? "fence" : "clear the state of") + ": crm node " + action
                            + " NODE");
                }
                return write(call, action.equals("fence") ? new CibEdit.Fence(target) : new CibEdit.ClearState(target),
                        force);
            }
            case "attribute-set":
            case "attribute-delete": {
                String name = req.args().requireString("name");
                String value = action.equals("attribute-set") ? req.args().requireString("value") : null;
                boolean forever = "forever".equals(req.args().string("lifetime").orElse("reboot"));
                String dampen = req.args().string("dampen").orElse(null);
                if (dampen == null) {
                    return write(call, new CibEdit.NodeAttribute(node, name, value, !forever), force);
                }
                Long dampenMs = CibValidator.durationMs(dampen);
                if (dampenMs == null) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "dampen '" + dampen + "' for " + name
                            + " is not a duration; give seconds (5, 5s) or e.g. 500ms");
                }
                if (forever) {
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "dampening is for transient"
                            + " attributes (attrd_updater, lifetime reboot), not the permanent attribute " + name);
                }
                if (call.subject != null) {
                    // The dampened value is written later by this node itself, past the DC's ACL check.
                    return AdminResponse.error(req.id(), AdminError.ACCESS_DENIED, "dampening (attrd_updater -d) is"
                            + " for agents and for root/hacluster; user '" + call.subject.user() + "' sets " + name
                            + " without a delay, checked against the ACLs");
                }
                return write(req, new AdminCommand.DampenedAttribute(node, name, value, dampenMs));
            }
            case "attribute-get": {
                String name = req.args().requireString("name");
                boolean forever = "forever".equals(req.args().string("lifetime").orElse("reboot"));
                Cib cib = call.visible(runtime.request(new AdminCommand.Query(), 10_000).cib());
                String value = cib == null ? null : attribute(cib, node, name, forever);
                if (value == null) {
                    return AdminResponse.error(req.id(), AdminError.NOT_FOUND, "node " + node + " has no "
                            + (forever ? "permanent" : "transient") + " attribute '" + name + "'");
                }
                return AdminResponse.ok(req.id(), AdminArgs.of("name", name, "value", value, "node", node));
            }
            case "property-set":
            case "property-delete": {
                String name = req.args().requireString("name");
                String value = action.equals("property-set") ? req.args().requireString("value") : null;
                return write(call, new CibEdit.ClusterProperty(name, value), force);
            }
            default:
                return AdminResponse.error(req.id(), AdminError.UNKNOWN_OP, "unknown node action '" + action
                        + "'; known: standby, online, maintenance, ready, attribute-set, attribute-delete,"
                        + " attribute-get, property-set, property-delete, fence, clearstate");
        }
    }

    /**
     * crm cluster add/remove: the node list of every running member (NodeList). Root and hacluster
     * only: a node list is below the CIB's ACLs. A removed node's CIB entries go too, so it no longer votes.
     */
    private AdminResponse cluster(Call call) throws AdminProtocolException {
        AdminRequest req = call.req;
        if (call.subject != null) {
            return AdminResponse.error(req.id(), AdminError.ACCESS_DENIED, "changing the node list is for root and"
                    + " hacluster, not user '" + call.subject.user() + "'");
        }
        String action = req.args().requireString("action");
        String node = req.args().requireString("node");
        NodeList.Change change;
        try {
            switch (action) {
                case "add":
                    change = runtime.nodeList().add(node, req.args().requireString("address"), false);
                    break;
                case "remove":
                    change = runtime.nodeList().remove(node);
                    AdminResponse forgotten = forget(call, node);
                    if (!forgotten.ok()) {
                        return AdminResponse.error(req.id(), forgotten.error().code(), change.message()
                                + "; but its CIB entries were not deleted: " + forgotten.error().message()
                                + " (run crm cluster remove " + node + " again to retry)");
                    }
                    break;
                default:
                    return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, "unknown cluster action '" + action
                            + "'; known: add, remove");
            }
        } catch (org.pulse.cib.join.JoinException e) {
            return AdminResponse.error(req.id(), AdminError.BAD_REQUEST, e.getMessage());
        }
        return AdminResponse.ok(req.id(), AdminArgs.of("message", change.message(), "nodes",
                org.pulse.cib.join.ConfText.nodesValue(change.nodes())));
    }

    /** Deletes a removed node's entry in the nodes section and its node_state; retried on a version race. */
    private AdminResponse forget(Call call, String node) {
        AdminResponse last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            Cib cib = runtime.request(new AdminCommand.Query(), 10_000).cib();
            if (cib == null) {
                return AdminResponse.error(call.req.id(), AdminError.TIMEOUT, "no CIB to edit");
            }
            XmlElement root = cib.root();
            XmlElement next = root.withChildReplaced(e -> e.name().equals("configuration"),
                    root.element("configuration").orElseThrow().withChildReplaced(e -> e.name().equals("nodes"),
                            root.element("configuration").flatMap(c -> c.element("nodes")).orElseThrow()
                                    .withoutChildren(n -> node.equals(n.attr("uname", n.id())))));
            next = next.withChildReplaced(e -> e.name().equals("status"), next.element("status").orElseThrow()
                    .withoutChildren(n -> node.equals(n.attr("uname", n.id()))));
            if (next.equals(root)) {
                return AdminResponse.ok(call.req.id(), AdminArgs.of("message", "no CIB entries"));
            }
            last = write(call, new CibEdit.Patch(org.pulse.cib.CibDiff.diff(cib, Cib.of(next)).toJson()), false);
            if (last.ok() || !AdminError.VERSION_MISMATCH.equals(last.error().code())) {
                return last;
            }
        }
        return last;
    }

    static String attribute(Cib cib, String node, String name, boolean forever) {
        XmlElement root = cib.root();
        if (forever) {
            for (XmlElement n : root.element("configuration").flatMap(c -> c.element("nodes"))
                    .map(XmlElement::elements).orElse(List.of())) {
                if (node.equals(n.attr("uname", n.id()))) {
                    return nv(n, "instance_attributes", name);
                }
            }
            return null;
        }
        for (XmlElement ns : root.element("status").map(XmlElement::elements).orElse(List.of())) {
            if (node.equals(ns.attr("uname", ns.id()))) {
                for (XmlElement ta : ns.elements("transient_attributes")) {
                    String v = nv(ta, "instance_attributes", name);
                    if (v != null) {
                        return v;
                    }
                }
            }
        }
        return null;
    }

    private static String nv(XmlElement owner, String set, String name) {
        for (XmlElement s : owner.elements(set)) {
            for (XmlElement nv : s.elements("nvpair")) {
                if (name.equals(nv.attr("name"))) {
                    return nv.attr("value");
                }
            }
        }
        return null;
    }

    private static AdminResponse error(AdminRequest req, AdminResult r) {
        Map<String, String> codes = new TreeMap<>(Map.of(AdminResult.NOT_FOUND, AdminError.NOT_FOUND,
                AdminResult.NO_QUORUM, AdminError.NO_QUORUM, AdminResult.REFUSED, AdminError.REFUSED,
                AdminResult.INVALID, AdminError.INVALID_CIB, AdminResult.CONFLICT, AdminError.VERSION_MISMATCH,
                AdminResult.TIMEOUT, AdminError.TIMEOUT, AdminResult.UNCERTAIN, AdminError.TIMEOUT));
        return AdminResponse.error(req.id(), codes.getOrDefault(r.code(), r.code()), r.message());
    }
}
