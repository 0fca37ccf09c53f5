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

    /** crmsh's options level: here only a message saying what Pulse has instead (Shell.NOT_HERE). */
    @Command(name = "options", description = "None here: output, editor and force are per command (--output, $EDITOR, -F).")
    public static final class Options extends Crm.LevelWords {
    }

    /** crmsh's assist level: a message (Shell.NOT_HERE). */
    @Command(name = "assist", description = "None here: write the colocation and order yourself.")
    public static final class Assist extends Crm.LevelWords {
    }

    /** crmsh's script level: a message (Shell.NOT_HERE). */
    @Command(name = "script", description = "None here: crm configure load update FILE runs crm commands.")
    public static final class Script extends Crm.LevelWords {
    }

    /** crmsh's template level: a message (Shell.NOT_HERE). */
    @Command(name = "template", description = "None here: configure rsc_template; configure load update FILE.")
    public static final class Template extends Crm.LevelWords {
    }

    /** crmsh's report: a message (Shell.NOT_HERE). */
    @Command(name = "report", description = "None here: crmd's logs, crm history, crm status --output json.")
    public static final class Report extends Crm.LevelWords {
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
