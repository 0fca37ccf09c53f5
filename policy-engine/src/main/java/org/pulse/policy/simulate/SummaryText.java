package org.pulse.policy.simulate;

import java.util.ArrayList;
import java.util.List;
import org.pulse.policy.SummaryItem;

/**
 * crm_simulate's "Transition Summary" lines from the engine's {@link SummaryItem}s, laid out as
 * crm_simulate lays them out: the change padded to 8, the resource's id and the details in
 * columns as wide as the whole summary needs (crm_simulate's growth rule), then the reason.
 */
public final class SummaryText {
    /** crm_simulate's starting column widths, for the resource id and the details. */
    private static final int FIRST_WIDTH = 5;

    private SummaryText() {
    }

    /** The lines, each starting with "  * ", in the items' order. */
    public static List<String> lines(List<SummaryItem> items) {
        List<String> out = new ArrayList<>(items.size());
        // crm_simulate's columns only grow, and its scheduler has already logged the same summary once
        // in the same process when it prints it: the widths are those left after a whole pass
        int rscWidth = FIRST_WIDTH;
        int detailWidth = FIRST_WIDTH;
        for (SummaryItem i : items) {
            if (!i.nodeAction()) {
                int len = i.resource().length();
                if (len > rscWidth) {
                    rscWidth = len + 2;   // its growth rule: two more than the id that did not fit
                }
                detailWidth = Math.max(detailWidth, details(i).length());
            }
        }
        for (SummaryItem i : items) {
            if (i.nodeAction()) {
                out.add("  * " + i.change() + " " + i.from() + (i.reason() == null ? "" : " '" + i.reason() + "'"));
                continue;
            }
            String details = details(i);
            String reason = reason(i);
            out.add(String.format("  * %-8s   %-" + rscWidth + "s   ( %" + detailWidth + "s )%s", i.change(), i.resource(),
                    details, reason == null ? "" : "  " + reason));
        }
        return out;
    }

    private static String reason(SummaryItem i) {
        if (i.reason() != null) {
            return "due to " + i.reason() + (i.runnable() ? "" : " (blocked)");
        }
        return i.runnable() ? null : "blocked";
    }

    /** Where from and to, with the roles when a promotable role is involved. */
    private static String details(SummaryItem i) {
        String role = i.role();
        String next = i.nextRole();
        // a role shown: active in a promotable role now, or going to be promoted
        boolean needRole = "Unpromoted".equals(role) || "Promoted".equals(role) || "Promoted".equals(next);
        String from = i.from();
        String to = i.to();
        boolean sameHost = from != null && from.equals(to);
        boolean sameRole = role.equals(next);
        if (from == null) {
            return needRole ? role + " -> " + next + " " + to : to;
        }
        if (to == null) {
            return needRole ? role + " " + from : from;
        }
        if (sameRole && sameHost) {
            return needRole ? role + " " + from : from;
        }
        if (sameRole) {
            return needRole ? from + " -> " + to + " " + role : from + " -> " + to;
        }
        if (sameHost) {
            return role + " -> " + next + " " + from;
        }
        return role + " " + from + " -> " + next + " " + to;
    }
}
