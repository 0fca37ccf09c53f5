package org.pulse.lrm;

import java.util.Objects;

/**
 * Which agent runs a resource: {@code ocf:PROVIDER:TYPE}, {@code lsb:TYPE} or {@code stonith:TYPE}, the same
 * spelling as a CIB primitive's class/provider/type and as crmsh's {@code ra info} argument.
 *
 * @param standard "ocf", "lsb" or "stonith"
 * @param provider the OCF provider ("heartbeat", "pulse"); null for lsb and stonith
 * @param type     the agent's file name
 */
public record AgentRef(String standard, String provider, String type) {
    public static final String OCF = "ocf";
    public static final String LSB = "lsb";
    public static final String STONITH = "stonith";

    public AgentRef {
        Objects.requireNonNull(standard, "standard");
        Objects.requireNonNull(type, "type");
        if (!standard.equals(OCF) && !standard.equals(LSB) && !standard.equals(STONITH)) {
            throw new IllegalArgumentException("agent class '" + standard + "' is not supported: use ocf, lsb or stonith");
        }
        if (standard.equals(OCF) && (provider == null || provider.isEmpty())) {
            throw new IllegalArgumentException("ocf agent '" + type + "' needs a provider, as in ocf:heartbeat:" + type);
        }
        if (!standard.equals(OCF)) {
            provider = null;
        }
        checkName(type, "type");
        if (provider != null) {
            checkName(provider, "provider");
        }
    }

    /** Agent names become path components: refuse anything that could leave the agent directory. */
    private static void checkName(String name, String what) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("agent " + what + " '" + name + "' is not a plain file name");
        }
    }

    public static AgentRef ocf(String provider, String type) {
        return new AgentRef(OCF, provider, type);
    }

    /**
     * Parses crmsh's spellings: {@code ocf:pulse:Dummy}, {@code ocf:Dummy} (provider heartbeat, as crmsh
     * assumes), {@code lsb:ssh}, {@code stonith:fence_xyz}, and a bare {@code Dummy} (= ocf:heartbeat:Dummy).
     */
    public static AgentRef parse(String spec) {
        String[] parts = spec.split(":", -1);
        try {
            switch (parts.length) {
                case 1:
                    return new AgentRef(OCF, "heartbeat", parts[0]);
                case 2:
                    return parts[0].equals(OCF) ? new AgentRef(OCF, "heartbeat", parts[1]) : new AgentRef(parts[0], null, parts[1]);
                case 3:
                    return new AgentRef(parts[0], parts[1], parts[2]);
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent '" + spec + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("agent '" + spec + "' is not CLASS:PROVIDER:TYPE (e.g. ocf:pulse:Dummy, lsb:ssh, stonith:fence_xyz)");
    }

    @Override
    public String toString() {
        return provider == null ? standard + ":" + type : standard + ":" + provider + ":" + type;
    }
}
