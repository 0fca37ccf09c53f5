package org.pulse.lrm;

/**
 * How a daemon's JVM starts agent processes. JDK 17 on Linux spawns through {@code jspawnhelper} by default
 * (POSIX_SPAWN): every agent run execs that helper first, then the agent's {@code setsid}, then the agent. An
 * exec costs ~5 ms on this VM and 50-100 ms more while the machine is busy, and agents run on every failover's
 * path (the fence agent, then each start in turn). VFORK execs the command directly from the JVM (the default on
 * Linux up to JDK 11): one program fewer per operation. Measured with /bin/true at load 26-33, taking turns:
 * median 110-128 ms POSIX_SPAWN, 39-67 ms VFORK.
 */
public final class SpawnMechanism {
    /** The JDK's switch; read once, when the first process is started. */
    static final String PROPERTY = "jdk.lang.Process.launchMechanism";

    private SpawnMechanism() {
    }

    /**
     * Called first in a daemon's main, before anything starts a process: VFORK unless the operator chose a
     * mechanism (-Djdk.lang.Process.launchMechanism=...). Returns the mechanism in force.
     */
    public static String preferVfork() {
        String chosen = choose(System.getProperty(PROPERTY));
        System.setProperty(PROPERTY, chosen);
        return chosen;
    }

    /** The mechanism to use given the operator's setting ({@code null}: none). */
    static String choose(String operatorSetting) {
        return operatorSetting == null || operatorSetting.isBlank() ? "VFORK" : operatorSetting;
    }
}
