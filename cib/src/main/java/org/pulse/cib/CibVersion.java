package org.pulse.cib;

import java.util.Comparator;

/**
 * A CIB's version, Pacemaker's triple, compared in order: {@code admin_epoch} (bumped only by
 * an administrator, to force a CIB to win), {@code epoch} (every configuration change),
 * {@code num_updates} (every status change). When partitions merge, the highest version wins.
 */
public record CibVersion(long adminEpoch, long epoch, long numUpdates) implements Comparable<CibVersion> {
    public static final CibVersion ZERO = new CibVersion(0, 0, 0);

    private static final Comparator<CibVersion> ORDER = Comparator.comparingLong(CibVersion::adminEpoch)
            .thenComparingLong(CibVersion::epoch)
            .thenComparingLong(CibVersion::numUpdates);

    public CibVersion {
        if (adminEpoch < 0 || epoch < 0 || numUpdates < 0) {
            throw new IllegalArgumentException("CIB version parts must not be negative: "
                    + adminEpoch + "." + epoch + "." + numUpdates);
        }
    }

    /** After a configuration change: epoch+1, num_updates back to 0. */
    public CibVersion nextConfiguration() {
        return new CibVersion(adminEpoch, epoch + 1, 0);
    }

    /** After a status-only change. */
    public CibVersion nextStatus() {
        return new CibVersion(adminEpoch, epoch, numUpdates + 1);
    }

    public boolean isNewerThan(CibVersion other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(CibVersion other) {
        return ORDER.compare(this, other);
    }

    /** "admin_epoch.epoch.num_updates", as Pacemaker's tools print it. */
    @Override
    public String toString() {
        return adminEpoch + "." + epoch + "." + numUpdates;
    }
}
