package org.pulse.policy;

/**
 * A colocation between two placement units, after sets are expanded: {@code dependent} is
 * placed relative to {@code primary}. {@code score} is the clipped integer score.
 */
record Colocation(String id, Rsc dependent, Rsc primary, int score, Role dependentRole, Role primaryRole,
                  String nodeAttribute, boolean influence) {
}
