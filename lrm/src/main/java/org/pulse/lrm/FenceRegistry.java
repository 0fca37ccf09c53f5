package org.pulse.lrm;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which fence devices are registered on this node: the part of Pacemaker's fencer the LRM plays. A fence
 * device has no process; "running here" means "registered with this node's fencer and usable from here".
 *
 * <p>Registrations are kept as marker files under {@code HA_RSCTMP/stonith/} because they must outlive the
 * LRM, as the fencer's outlive a restart of Pacemaker's executor: a crmd that restarts (or whose start of
 * the device ran before, or was acknowledged by the controller without reaching the LRM) would otherwise
 * answer "not running" for a device the CIB has running here, and every such monitor would add to its
 * fail count. {@code HA_RSCTMP} is a tmpfs on a real node, so a reboot forgets them, as it should: a
 * powered-off node has nothing registered. Without an {@code HA_RSCTMP} the markers live in memory only.
 *
 * <p>A device stopped by this LRM is remembered as stopped (in memory) until it starts again, so that a
 * monitor of it is "not running" without running its agent. Thread-safe.
 */
final class FenceRegistry {
    private static final Logger LOG = System.getLogger(FenceRegistry.class.getName());
    static final String DIR = "stonith";

    private final Path dir; // null: in memory only
    private final Set<String> registeredInMemory = ConcurrentHashMap.newKeySet();
    private final Set<String> stoppedHere = ConcurrentHashMap.newKeySet();

    FenceRegistry(Path haRsctmp) {
        this.dir = haRsctmp == null ? null : haRsctmp.resolve(DIR);
    }

    /** The device started here (its start's monitor passed). */
    void register(String deviceId) {
        stoppedHere.remove(deviceId);
        registeredInMemory.add(deviceId);
        if (dir != null) {
            try {
                Files.createDirectories(dir);
                Path marker = marker(deviceId);
                if (!Files.exists(marker)) {
                    Files.writeString(marker, deviceId + "\n");
                }
            } catch (IOException e) {
                // The in-memory registration still holds for this LRM's lifetime; only a restart would forget it.
                LOG.log(Level.WARNING, "cannot record fence device " + deviceId + " as registered in " + dir + ": " + e
                        + "; after a restart of this node's crmd a probe of it would say 'not running'");
            }
        }
    }

    /** The device was stopped here: it is not registered any more. */
    void unregister(String deviceId) {
        stoppedHere.add(deviceId);
        registeredInMemory.remove(deviceId);
        if (dir != null) {
            try {
                Files.deleteIfExists(marker(deviceId));
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove the registration of fence device " + deviceId + " in " + dir + ": " + e);
            }
        }
    }

    /** Registered by this LRM or, before it, by a previous one on this node since the last boot. */
    boolean isRegistered(String deviceId) {
        return registeredInMemory.contains(deviceId) || (dir != null && Files.exists(marker(deviceId)));
    }

    /** Stopped by this LRM and not started since: truly not running here. */
    boolean wasStoppedHere(String deviceId) {
        return stoppedHere.contains(deviceId);
    }

    /** One file per device; the id is encoded so that no id can name a path outside the directory. */
    Path marker(String deviceId) {
        return dir.resolve("device-" + URLEncoder.encode(deviceId, StandardCharsets.UTF_8));
    }
}
