package org.pulse.shell.levels;

import org.pulse.shell.Crm;
import picocli.CommandLine.Command;

/** The picocli faces of the shell's own levels: each hands its words to the shared interpreter. */
public final class LevelCommands {
    private LevelCommands() {
    }

    @Command(name = "configure", description = "Configuration: primitive, group, clone, location, ..., show, edit, verify, commit.")
    public static final class Configure extends Crm.LevelWords {
    }

    @Command(name = "resource", description = "Resources: start, stop, restart, move, ban, clear, cleanup, status, locate, failcount.")
    public static final class Resource extends Crm.LevelWords {
    }

    @Command(name = "node", description = "Nodes: standby, online, maintenance, ready, attribute, show.")
    public static final class Node extends Crm.LevelWords {
    }

    @Command(name = "cib", description = "Shadow CIBs: new, use, diff, commit, delete, list.")
    public static final class CibShadow extends Crm.LevelWords {
    }

    @Command(name = "site", description = "Tickets, as crmsh's site level: ticket grant|revoke|standby|activate|show|time|delete TICKET.")
    public static final class Site extends Crm.LevelWords {
    }

    @Command(name = "maintenance", description = "Maintenance mode, as crmsh's level: on|off [RSC] (maintenance-mode, or one resource's maintenance).")
    public static final class Maintenance extends Crm.LevelWords {
    }

    /** crmsh's corosync level: here only a message saying where Pulse's membership is configured. */
    @Command(name = "corosync", description = "None here: Pulse's nodes talk over JGroups (crmd.conf; crm cluster add|remove).")
    public static final class Corosync extends Crm.LevelWords {
    }

    @Command(name = "status", description = "Cluster status as crm_mon shows it; --output text|json|xml, --watch.")
    public static final class Status extends Crm.LevelWords {
    }

    /** crmsh's "crm help [LEVEL|COMMAND]": the shell's own help, one-shot. */
    @Command(name = "help", description = "Help as the shell gives it: 'help' lists the levels, 'help LEVEL' its "
            + "commands, 'help COMMAND' one command's usage.")
    public static final class Help extends Crm.LevelWords {
    }

    @Command(name = "verify", description = "Check the configuration; exit status 1 when it has errors.")
    public static final class Verify extends Crm.LevelWords {
    }
}
