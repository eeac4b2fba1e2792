package dev.preempt.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.stream.Stream;

/**
 * Whether the monitor a thread is blocked entering is owned by one of some other threads: read from
 * the JDK's own thread snapshots ({@code jdk.internal.vm.ThreadSnapshot}, what thread dumps are made
 * of, JDK 24+), which give a thread's blocker and the monitors each of its frames holds, mounted or not.
 * A deterministic scheduler asks it when a process blocks on a monitor: held by another of its own
 * processes (preempted inside {@code synchronized}), nothing can free it while the carrier waits, so
 * waiting for the unblocker would only cost real time.
 *
 * <p>Any thread. A snapshot is a handshake with the thread: slow (microseconds), for rare paths only.
 * Needs {@code jdk.internal.vm} opened to the runtime (the agent does that); without it, or on a JDK
 * without snapshots, {@link #ownerAmong} answers null: cannot tell.
 */
public final class MonitorOwners {

    private static final MethodHandle OF, BLOCKED_ON, OWNS_ANY, STACK, OWNED_AT; // ThreadSnapshot's, as Object

    static {
        MethodHandle of = null, blockedOn = null, ownsAny = null, stack = null, ownedAt = null;
        try {
            Class<?> c = Class.forName("jdk.internal.vm.ThreadSnapshot");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            of = l.findStatic(c, "of", MethodType.methodType(c, Thread.class)).asType(MethodType.methodType(Object.class, Thread.class));
            blockedOn = l.findVirtual(c, "blockedOn", MethodType.methodType(Object.class)).asType(MethodType.methodType(Object.class, Object.class));
            ownsAny = l.findVirtual(c, "ownsMonitors", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            stack = l.findVirtual(c, "stackTrace", MethodType.methodType(StackTraceElement[].class))
                    .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
            ownedAt = l.findVirtual(c, "ownedMonitorsAt", MethodType.methodType(Stream.class, int.class))
                    .asType(MethodType.methodType(Stream.class, Object.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            of = null; // not open to us, or a JDK without it: cannot tell
        }
        OF = of;
        BLOCKED_ON = blockedOn;
        OWNS_ANY = ownsAny;
        STACK = stack;
        OWNED_AT = ownedAt;
    }

    private MonitorOwners() {}

    /**
     * Whether one of {@code others} owns the monitor {@code blocked} is waiting to enter.
     *
     * @param blocked a thread blocked entering a monitor
     * @param others the threads to look at ({@code blocked} not among them)
     * @return TRUE or FALSE, or null if it cannot tell (no snapshots here, or {@code blocked} no longer blocked)
     */
    public static Boolean ownerAmong(Thread blocked, Iterable<Thread> others) {
        if (OF == null) return null;
        try {
            Object snapshot = OF.invokeExact(blocked);
            if (snapshot == null) return null;
            Object monitor = BLOCKED_ON.invokeExact(snapshot);
            if (monitor == null) return null;
            for (Thread t : others) {
                Object s = OF.invokeExact(t);
                if (s != null && owns(s, monitor)) return Boolean.TRUE;
            }
            return Boolean.FALSE;
        } catch (IllegalStateException e) {
            return null; // no longer blocked
        } catch (Throwable e) {
            return null; // a changed JDK: cannot tell
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean owns(Object snapshot, Object monitor) throws Throwable {
        if (!(boolean) OWNS_ANY.invokeExact(snapshot)) return false;
        int depth = ((StackTraceElement[]) STACK.invokeExact(snapshot)).length;
        for (int d = 0; d < depth; d++) {
            if (((Stream<Object>) OWNED_AT.invokeExact(snapshot, d)).anyMatch(o -> o == monitor)) return true;
        }
        return false;
    }
}
