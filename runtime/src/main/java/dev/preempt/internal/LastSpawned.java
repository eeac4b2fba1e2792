package dev.preempt.internal;

import dev.preempt.Pid;

/**
 * Per thread, the pid of the process it last started by calling an {@code @Process} method: written by
 * the rewritten call ({@code ProcessEntry}), read by {@code Preempt.lastSpawned()}. Thread-confined.
 */
public final class LastSpawned {

    private LastSpawned() {}

    private static final ThreadLocal<Pid> LAST = new ThreadLocal<>();

    /**
     * The calling thread's last started process.
     *
     * @return its pid, or null if this thread started none
     */
    public static Pid get() {
        return LAST.get();
    }

    /**
     * Records the calling thread's last started process.
     *
     * @param pid the new process
     */
    public static void set(Pid pid) {
        LAST.set(pid);
    }
}
