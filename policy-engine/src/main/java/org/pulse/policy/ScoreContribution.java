package org.pulse.policy;

/**
 * One term of a resource's score on a node: its value and its source in words
 * ("location constraint loc-1", "resource-stickiness (running here)", "fail count 3 ≥ migration-threshold 3").
 */
public record ScoreContribution(String node, int score, String source) {
}
