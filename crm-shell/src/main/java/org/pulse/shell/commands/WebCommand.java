package org.pulse.shell.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.shell.Crm;
import org.pulse.shell.CrmException;
import org.pulse.shell.source.AdminClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm web token}: asks crmd (over the admin socket, which knows who is asking) for a token
 * of the web console, bound to the asking user and valid for {@code --lifetime}; prints the token,
 * when it expires and where the console is.
 */
@Command(name = "web", mixinStandardHelpOptions = true, description = "The web console: 'web token [--lifetime DURATION]' prints a login token for"
        + " the user running crm (default lifetime 1h, at most 7d).")
public final class WebCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Crm crm;

    @Option(names = "--lifetime", paramLabel = "DURATION", description = "How long the token is valid: 30m, 8h, 2d"
            + " (default 1h).")
    String lifetime = "1h";

    @Parameters(paramLabel = "ARGS", arity = "0..1", description = "token")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.size() != 1 || !args.get(0).equals("token")) {
            crm.stderr.println("ERROR: crm web knows one command: crm web token [--lifetime DURATION]");
            return 1;
        }
        long seconds;
        try {
            seconds = seconds(lifetime);
        } catch (IllegalArgumentException e) {
            crm.stderr.println("ERROR: " + e.getMessage());
            return 1;
        }
        AdminClient client = new AdminClient(crm.socketPath());
        try {
            AdminResponse r = client.require(new AdminRequest(client.nextId(), AdminOp.WEB_TOKEN,
                    AdminArgs.of("lifetime", seconds)));
            crm.stdout.println(r.result().requireString("token"));
            crm.stderr.println("for " + r.result().requireString("user") + ", valid until "
                    + r.result().requireString("expires") + r.result().string("url").map(u -> "; console: " + u).orElse(""));
            return 0;
        } catch (CrmException e) {
            crm.stderr.println("ERROR: " + e.getMessage());
            return 1;
        } catch (org.pulse.cib.admin.AdminProtocolException e) {
            crm.stderr.println("ERROR: crmd's answer lacks " + e.getMessage());
            return 1;
        }
    }

    /** 90s, 30m, 8h, 2d, or plain seconds; 1 s to 7 days. */
    static long seconds(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd]?)").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--lifetime " + text + " is not a duration; write e.g. 30m, 8h or 2d");
        }
        long n = Long.parseLong(m.group(1));
        long s = switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86400;
            default -> n;
        };
        if (s < 1 || s > 7 * 86400) {
            throw new IllegalArgumentException("--lifetime " + text + " is out of range: 1 s to 7 days");
        }
        return s;
    }
}
