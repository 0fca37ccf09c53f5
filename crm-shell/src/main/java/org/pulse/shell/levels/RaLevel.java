package org.pulse.shell.levels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.shell.CrmException;
import org.pulse.shell.parse.Token;

/**
 * The ra level of the interactive shell. The commands themselves are the LRM engineer's
 * {@code crm ra} (RaCommand, run through picocli); this level only lets {@code ra} be entered
 * like the other levels ({@code crm(live)ra# info IPaddr}).
 */
final class RaLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("list", "list [<class> [<provider>]]   the classes, providers or agents");
        USAGE.put("classes", "classes   the agent classes (ocf with its providers)");
        USAGE.put("providers", "providers <type> [ocf]   the OCF providers with an agent <type>");
        USAGE.put("info", "info <agent>   parameters and advised timeouts of an agent");
        USAGE.put("test", "test <agent> [<name>=<value>...]   run an agent's lifecycle locally");
    }

    RaLevel() {
        super("ra", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        List<String> args = new ArrayList<>();
        for (Token t : words) {
            args.add(t.text());
        }
        return shell.external("ra", args);
    }
}
