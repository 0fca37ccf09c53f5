package org.pulse.cib.model;

import java.util.List;

/**
 * A {@code <rule>}: expressions joined by {@code boolean-op} (and/or). {@code score} and
 * {@code scoreAttribute} matter where the rule sits in a location constraint.
 */
public record Rule(String id, String booleanOp, String score, String scoreAttribute, String role,
                   List<RuleExpression> expressions) implements RuleExpression {
    public Rule {
        expressions = List.copyOf(expressions);
    }

    @Override
    public boolean matches(RuleContext ctx) {
        boolean or = "or".equalsIgnoreCase(booleanOp);
        if (expressions.isEmpty()) {
            // Pacemaker: an empty rule is true for "and"-less evaluation only when there is nothing to deny
            return !or;
        }
        for (RuleExpression e : expressions) {
            boolean m = e.matches(ctx);
            if (or && m) {
                return true;
            }
            if (!or && !m) {
                return false;
            }
        }
        return !or;
    }
}
