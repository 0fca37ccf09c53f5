package org.pulse.shell.levels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.TicketCommands;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.parse.Syntax;
import org.pulse.shell.parse.Token;
import org.pulse.shell.source.LiveCibSource;

/**
 * crmsh's {@code site} level: {@code ticket grant|revoke|standby|activate|show|time|delete TICKET},
 * which crmsh runs as Pacemaker's crm_ticket does, on the ticket's {@code ticket_state} in the status
 * section ({@link TicketCommands}: on a CIB file here, on a running cluster by its DC). Granting and revoking
 * need {@code crm -F}, as crm_ticket needs --force: the shell cannot know whether another site holds the
 * ticket, and a revoke stops what depends on it.
 */
final class SiteLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();
    /** crmsh prints the time with Python's time.ctime. */
    private static final java.time.format.DateTimeFormatter CTIME = java.time.format.DateTimeFormatter.ofPattern(
            "EEE MMM ppd HH:mm:ss yyyy", java.util.Locale.ROOT);
    private static final List<String> VERBS = List.of("grant", "revoke", "standby", "activate", "show", "time", "delete");

    static {
        USAGE.put("ticket", "ticket grant|revoke|standby|activate|show|time|delete <ticket>   a ticket's state "
                + "(grant and revoke with crm -F)");
    }

    SiteLevel() {
        super("site", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        List<String> args = arguments(words);
        if (args.size() != 2 || !VERBS.contains(args.get(0))) {
            throw new CrmException("site ticket: usage: " + USAGE.get("ticket"));
        }
        String verb = args.get(0);
        String ticket = args.get(1);
        if (!Syntax.isValidId(ticket)) {
            throw new CrmException("site ticket: '" + ticket + "' is not a valid ticket name (letters, digits, '_', '.', "
                    + "'-'; a letter or '_' first)");
        }
        if (verb.equals("show") || verb.equals("time")) {
            Optional<XmlElement> state = state(s.source().load(), ticket);
            if (verb.equals("show")) {
                boolean granted = state.map(t -> "true".equalsIgnoreCase(t.attr("granted"))).orElse(false);
                s.out.println("ticket " + ticket + " is " + (granted ? "granted" : "revoked"));
                return 0;
            }
            String last = state.map(t -> t.attr("last-granted")).orElse(null);
            if (last == null || !last.matches("\\d+")) {
                throw new CrmException("site ticket time: ticket " + ticket + " was never granted");
            }
            s.out.println("ticket " + ticket + " last time granted on " + CTIME.format(java.time.Instant.ofEpochSecond(Long.parseLong(last)).atZone(s.clock.getZone())));
            return 0;
        }
        if ((verb.equals("grant") || verb.equals("revoke")) && !s.force) {
            throw new CrmException("site ticket " + verb + ": the shell cannot tell whether " + ticket + " is granted at "
                    + "another site" + (verb.equals("revoke") ? ", and revoking it stops what needs it" : "")
                    + "; if you know what you are doing, run it with crm -F (as crm_ticket needs --force)");
        }
        if (s.source() instanceof LiveCibSource live) {
            // written by the DC on its own CIB and confirmed like any write (TicketCommands, the rule used below too)
            var r = live.client().require(AdminRequest.ticket(live.client().nextId(), verb, ticket));
            if ("no change".equals(r.result().asMap().get("message"))) {
                s.info("ticket " + ticket + ": no change");
            }
            return 0;
        }
        long nowS = s.clock.instant().getEpochSecond();
        s.applyNow("site ticket " + verb, cib -> TicketCommands.apply(cib, ticket, verb, nowS));
        return 0;
    }

    private static Optional<XmlElement> state(XmlElement cib, String ticket) {
        return TicketCommands.state(cib, ticket);
    }
}
