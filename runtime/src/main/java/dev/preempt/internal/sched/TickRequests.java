package dev.preempt.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How many processes have a request bit set ({@link Proc#asked}): while zero, the tick hook in
 * {@code ticks=flag} mode is one load of {@link #count} and a branch, on every thread. Written by the
 * processes whose bits change (any thread, atomically); read by every tick. It lives here, beside
 * {@code Proc} which writes it, so that the hooks package depends on the scheduler and not the reverse.
 */
public final class TickRequests {

    private TickRequests() {}

    /**
     * {@code ticks=flag} (the agent's option, system property {@code preempt.ticks}): ticks read
     * {@link #count} and spend nothing. Constant: the JIT folds the tests of it.
     */
    public static final boolean FLAG_MODE = "flag".equals(System.getProperty("preempt.ticks"));

    /** Processes with a request bit set; read by {@code Reductions.tick()} on every call in flag mode. */
    public static volatile int count;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findStaticVarHandle(TickRequests.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A process's first request bit was set (+1) or its bits were taken (-1). */
    static void add(int delta) {
        COUNT.getAndAdd(delta);
    }
}
