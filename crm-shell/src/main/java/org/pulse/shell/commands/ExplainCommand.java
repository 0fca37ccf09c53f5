package org.pulse.shell.commands;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pulse.cib.model.Scores;
import org.pulse.policy.Explanation;
import org.pulse.policy.ScoreContribution;
import org.pulse.policy.Transition;
import org.pulse.shell.Crm;
import org.pulse.shell.CrmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code crm explain RSC}: where the resource runs (or why it cannot), in words, with its
 * score on every node and each term's source (constraint, rule, stickiness, failure).
 */
@Command(name = "explain", mixinStandardHelpOptions = true, description = "Explain where a resource runs or why it cannot, with its score per node.")
public final class ExplainCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Crm crm;

    @Parameters(index = "0", paramLabel = "RSC", description = "The resource (primitive or group) id.")
    String resource;

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        Transition t;
        try {
            t = SimulateCommand.scheduleOffline(crm);
        } catch (CrmException e) {
            crm.stderr.println(e.getMessage().replace("simulate:", "explain:"));
            return 1;
        }
        Explanation e = t.explanations().explain(resource);
        if (e == null) {
            crm.stderr.println("explain: no resource '" + resource + "' in the CIB; known: "
                    + String.join(", ", t.explanations().resourceIds()));
            return 1;
        }
        out.println(sentence(e));
        out.println();
        out.println("Score per node (a node not listed may not run it at all):");
        for (Map.Entry<String, Integer> n : e.totals().entrySet()) {
            String cannot = e.cannotHost().get(n.getKey());
            out.printf("  %-20s %10s%s%n", n.getKey(), Scores.format(n.getValue()),
                    n.getKey().equals(e.assigned()) ? "   <- chosen"
                            : cannot != null ? "   (" + cannot + ": takes no resources, whatever the score)" : "");
        }
        out.println();
        out.println("Where the scores come from:");
        for (ScoreContribution c : e.contributions()) {
            if (c.score() == 0 && c.source().equals("symmetric cluster")) {
                continue;
            }
            out.printf("  %-20s %10s  %s%n", c.node(), signed(c.score()), c.source());
        }
        return 0;
    }

    static String sentence(Explanation e) {
        String r = e.resource();
        if (e.endNode() != null) {
            if (e.current() != null && !e.current().equals(e.endNode())) {
                return r + " moves from " + e.current() + " to " + e.endNode() + ": " + e.endNode()
                        + " has the highest score it may use.";
            }
            if (e.current() == null) {
                return r + " will start on " + e.endNode() + ": it has the highest score it may use.";
            }
            boolean higherButUnable = false;
            int here = e.totals().getOrDefault(e.endNode(), 0);
            for (Map.Entry<String, Integer> n : e.totals().entrySet()) {
                higherButUnable |= n.getValue() > here && e.cannotHost().containsKey(n.getKey());
            }
            return r + " runs on " + e.endNode() + " and stays there: " + (higherButUnable
                    ? "no node that may take resources scores higher." : "no node scores higher.");
        }
        String why = e.reason() == null ? "no node can run it" : e.reason();
        if (e.current() != null) {
            return r + " is running on " + e.current() + " but will be stopped: " + why + ".";
        }
        return r + " is not running and will not start: " + why + ".";
    }

    private static String signed(int score) {
        String s = Scores.format(score);
        return score > 0 ? "+" + s : s;
    }
}
