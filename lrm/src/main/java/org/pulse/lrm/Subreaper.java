package org.pulse.lrm;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the JVM the reaper of the agents' orphans, where it can.
 *
 * <p>Why: an agent's background children (IPaddr2's send_arp, a killed agent's children, a daemon's master
 * killed by an operator) outlive the agent and are re-parented. Under systemd, PID 1 reaps them. In
 * containers and sandboxes whose PID 1 does not reap, they stay zombies, and a zombie answers
 * {@code kill -0}: apache's monitor then says a dead httpd is running (ocf-contract §11.11).
 *
 * <p>How: {@code prctl(PR_SET_CHILD_SUBREAPER, 1)} makes orphans of the JVM's descendants its children, and a
 * timer reaps, with {@code waitpid(pid, NULL, WNOHANG)}, each child that has been a zombie for a whole
 * period. The JDK reaps the processes it started itself at once (its reaper thread waits on each), so a
 * zombie that stays is an orphan, never one of the JDK's. Java 17 has no stable way to call prctl: this
 * uses the incubating foreign linker by reflection, so it works only when the JVM runs with
 * {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}; otherwise it says so and
 * does nothing (the LRM works as before; orphans are then PID 1's business).
 */
final class Subreaper {
    private static final Logger LOG = System.getLogger(Subreaper.class.getName());
    static final int PR_SET_CHILD_SUBREAPER = 36;
    static final int WNOHANG = 1;
    static final long PERIOD_MS = 1_000;

    /**
     * Links waitpid on the first orphan to reap, not at start: each downcall handle the linker makes spins
     * dozens of LambdaForm classes (JIT, metaspace, CPU while crmd starts), and most nodes never reap one.
     */
    private final Callable<MethodHandle> linkWaitpid;
    private MethodHandle waitpid;
    private final Object nullAddress;
    private final long selfPid = ProcessHandle.current().pid();
    private Set<Long> zombiesLastTime = new HashSet<>();

    private Subreaper(Callable<MethodHandle> linkWaitpid, Object nullAddress) {
        this.linkWaitpid = linkWaitpid;
        this.nullAddress = nullAddress;
    }

    /** Becomes the subreaper and starts reaping on {@code timer}; empty (with the reason logged) when it cannot. */
    static Optional<Subreaper> tryEnable(ScheduledExecutorService timer) {
        if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) {
            LOG.log(Level.INFO, "orphan reaping off: run the JVM with --add-modules jdk.incubator.foreign "
                    + "--enable-native-access=ALL-UNNAMED to have the LRM reap its agents' orphans");
            return Optional.empty();
        }
        try {
            Class<?> linkerClass = Class.forName("jdk.incubator.foreign.CLinker");
            Class<?> layoutClass = Class.forName("jdk.incubator.foreign.MemoryLayout");
            Class<?> descClass = Class.forName("jdk.incubator.foreign.FunctionDescriptor");
            Class<?> addressable = Class.forName("jdk.incubator.foreign.Addressable");
            Class<?> addressClass = Class.forName("jdk.incubator.foreign.MemoryAddress");
            Class<?> lookupClass = Class.forName("jdk.incubator.foreign.SymbolLookup");
            Object linker = linkerClass.getMethod("getInstance").invoke(null);
            Object lookup = linkerClass.getMethod("systemLookup").invoke(null);
            Method lookupMethod = lookupClass.getMethod("lookup", String.class);
            Object cInt = linkerClass.getField("C_INT").get(null);
            Object cLong = linkerClass.getField("C_LONG").get(null);
            Object cPointer = linkerClass.getField("C_POINTER").get(null);
            Method of = descClass.getMethod("of", layoutClass, layoutClass.arrayType());
            Method downcall = linkerClass.getMethod("downcallHandle", addressable, MethodType.class, descClass);

            Object layouts = java.lang.reflect.Array.newInstance(layoutClass, 5);
            java.lang.reflect.Array.set(layouts, 0, cInt);
            for (int i = 1; i < 5; i++) {
                java.lang.reflect.Array.set(layouts, i, cLong);
            }
            MethodHandle prctl = (MethodHandle) downcall.invoke(linker, symbol(lookupMethod, lookup, "prctl"),
                    MethodType.methodType(int.class, int.class, long.class, long.class, long.class, long.class),
                    of.invoke(null, cInt, layouts));
            Callable<MethodHandle> linkWaitpid = () -> {
                Object wlayouts = java.lang.reflect.Array.newInstance(layoutClass, 3);
                java.lang.reflect.Array.set(wlayouts, 0, cInt);
                java.lang.reflect.Array.set(wlayouts, 1, cPointer);
                java.lang.reflect.Array.set(wlayouts, 2, cInt);
                return (MethodHandle) downcall.invoke(linker, symbol(lookupMethod, lookup, "waitpid"),
                        MethodType.methodType(int.class, int.class, addressClass, int.class), of.invoke(null, cInt, wlayouts));
            };
            // invokeExact with the handle's own types: invokeWithArguments spun a spreader's LambdaForms too
            int rc = (int) prctl.invokeExact(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
            if (rc != 0) {
                LOG.log(Level.WARNING, "orphan reaping off: prctl(PR_SET_CHILD_SUBREAPER) returned " + rc);
                return Optional.empty();
            }
            Subreaper s = new Subreaper(linkWaitpid, addressClass.getField("NULL").get(null));
            timer.scheduleWithFixedDelay(s::reapOnce, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
            LOG.log(Level.INFO, "the LRM's JVM (pid " + s.selfPid + ") reaps its agents' orphans");
            return Optional.of(s);
        } catch (Throwable e) {
            // Most often: --enable-native-access missing (IllegalCallerException).
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            LOG.log(Level.INFO, "orphan reaping off: " + cause + " (needs --enable-native-access=ALL-UNNAMED)");
            return Optional.empty();
        }
    }

    private static Object symbol(Method lookupMethod, Object lookup, String name) throws ReflectiveOperationException {
        Optional<?> sym = (Optional<?>) lookupMethod.invoke(lookup, name);
        return sym.orElseThrow(() -> new IllegalStateException("libc has no " + name));
    }

    /** Reaps the children that were zombies at the previous pass and still are; returns how many. */
    synchronized int reapOnce() {
        Set<Long> now = zombieChildren();
        int reaped = 0;
        for (Long pid : now) {
            if (zombiesLastTime.contains(pid)) {
                try {
                    if (waitpid == null) {
                        waitpid = linkWaitpid.call();
                    }
                    int r = (int) waitpid.invokeWithArguments(pid.intValue(), nullAddress, WNOHANG);
                    if (r == pid.intValue()) {
                        reaped++;
                    }
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "could not reap orphan " + pid + ": " + e);
                }
            }
        }
        now.removeIf(pid -> !Files.exists(Path.of("/proc/" + pid)));
        zombiesLastTime = now;
        return reaped;
    }

    /**
     * Zombie children of the JVM's threads that orphans are re-parented to. The kernel hands an orphan to the first
     * live thread of the subreaper (find_new_reaper, find_alive_thread), which is the main thread, the group leader,
     * for as long as it lives: then only its list is read. Reading all ~80 threads' lists every second was 0.2 % of
     * a core of an idle node. The JDK's own children sit in the lists of the threads that started them; it reaps
     * them itself. Should the leader be gone (a JVM whose launching thread ended), every thread's list is read.
     */
    private Set<Long> zombieChildren() {
        Path leader = Path.of("/proc/self/task/" + selfPid);
        if (isLive(leader)) {
            Set<Long> out = new HashSet<>();
            addZombieChildren(leader, out);
            return out;
        }
        Set<Long> out = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                addZombieChildren(task, out);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "cannot list the JVM's children: " + e);
        }
        return out;
    }

    /** Whether the thread {@code task} (a /proc/self/task entry) runs, or may: not a zombie, not gone. */
    private static boolean isLive(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void addZombieChildren(Path task, Set<Long> out) {
        String children;
        try {
            children = Files.readString(task.resolve("children")).trim();
        } catch (IOException | RuntimeException e) {
            return; // the thread ended meanwhile
        }
        if (children.isEmpty()) {
            return;
        }
        for (String c : children.split("\\s+")) {
            long pid = Long.parseLong(c);
            if (isZombie(pid)) {
                out.add(pid);
            }
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
