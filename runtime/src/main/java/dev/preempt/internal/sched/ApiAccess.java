package dev.preempt.internal.sched;

import dev.preempt.Pid;

/**
 * A bridge to package-private corners of the public API (the JDK's SharedSecrets pattern), so that
 * the internal packages can make pids without a public constructor.
 */
public final class ApiAccess {

    /** Implemented inside {@code dev.preempt}. */
    public interface PidFactory {
        /**
         * Makes the pid of a new process.
         *
         * @param id the process's serial number
         * @param proc the process
         * @return its pid
         */
        Pid newPid(long id, Proc proc);

        /**
         * The process a pid names.
         *
         * @param pid the pid
         * @return its process, alive or not
         */
        Proc procOf(Pid pid);

        /**
         * Makes the pid of a process of another node (for the distribution layer).
         *
         * @param node the node's name
         * @param id the number the pid prints in the middle
         * @param serial the number the pid prints last
         * @param address the distribution layer's own form of the pid; equal addresses make equal pids
         * @return the remote pid
         */
        Pid newRemotePid(String node, long id, long serial, Object address);

        /**
         * The distribution layer's form of a remote pid.
         *
         * @param pid the pid
         * @return what {@link #newRemotePid} was given, or null for a local pid
         */
        Object addressOf(Pid pid);
    }

    private static volatile PidFactory pids;

    private ApiAccess() {}

    /**
     * Installs the factory; {@code Pid}'s static initialiser calls it.
     *
     * @param factory the factory
     */
    public static void register(PidFactory factory) {
        pids = factory;
    }

    /**
     * Makes the pid of a new process.
     *
     * @param id the process's serial number
     * @param proc the process
     * @return its pid
     */
    public static Pid newPid(long id, Proc proc) {
        return pids().newPid(id, proc);
    }

    /**
     * The process a pid names (alive or not).
     *
     * @param pid the pid
     * @return its process
     * @throws UnsupportedOperationException if {@code pid} is remote
     */
    public static Proc procOf(Pid pid) {
        return pids().procOf(pid);
    }

    /**
     * Makes the pid of a process of another node; see {@link PidFactory#newRemotePid}.
     *
     * @param node the node's name
     * @param id the number the pid prints in the middle
     * @param serial the number the pid prints last
     * @param address the distribution layer's own form of the pid
     * @return the remote pid
     */
    public static Pid newRemotePid(String node, long id, long serial, Object address) {
        return pids().newRemotePid(node, id, serial, address);
    }

    /**
     * The distribution layer's form of a remote pid.
     *
     * @param pid the pid
     * @return its address, or null for a local pid
     */
    public static Object addressOf(Pid pid) {
        return pids().addressOf(pid);
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
