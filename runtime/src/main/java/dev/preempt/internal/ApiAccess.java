package dev.preempt.internal;

import dev.preempt.Pid;
import dev.preempt.internal.sched.Proc;

/**
 * A bridge to package-private corners of the public API (the JDK's SharedSecrets pattern), so that
 * the internal packages can make pids without a public constructor.
 */
public final class ApiAccess {

    /** Implemented inside {@code dev.preempt}. */
    public interface PidFactory {
        Pid newPid(long id, Proc proc);

        Proc procOf(Pid pid);
    }

    private static volatile PidFactory pids;

    private ApiAccess() {}

    public static void register(PidFactory factory) {
        pids = factory;
    }

    public static Pid newPid(long id, Proc proc) {
        return pids().newPid(id, proc);
    }

    /** The process a pid names (alive or not). */
    public static Proc procOf(Pid pid) {
        return pids().procOf(pid);
    }

    private static PidFactory pids() {
        PidFactory f = pids;
        if (f == null) {
            try {
                Class.forName("dev.preempt.Pid", true, ApiAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = pids;
        }
        return f;
    }
}
