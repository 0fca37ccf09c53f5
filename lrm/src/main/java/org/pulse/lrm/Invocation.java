package org.pulse.lrm;

import java.util.List;
import java.util.Map;

/**
 * Exactly what to run: the agent's argv (before the setsid/nsenter prefix), the variables to set over the
 * daemon's own environment, the inherited variables to drop, stdin (null: /dev/null), and the deadline.
 */
record Invocation(List<String> argv, Map<String, String> env, List<String> dropEnvPrefixes, byte[] stdin,
                  long timeoutMs) {
    Invocation {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        dropEnvPrefixes = List.copyOf(dropEnvPrefixes);
    }
}
