package dev.preempt.internal.sched;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.locks.LockSupport;

/**
 * The fork/join task a killed process waits for inside the JDK's own code, when the JDK made that task
 * for the process's call alone: a parallel stream's terminal operation ({@code java.util.stream}),
 * {@code Arrays.parallelSort} and {@code parallelPrefix}, a {@code ConcurrentHashMap} bulk operation.
 * Each creates its root task, runs {@code invoke()} on it and waits for the subtasks that pool workers
 * took in a join that ignores interrupts ({@code ForkJoinTask.awaitDone}), so an exit's interrupt woke
 * it only to wait again: a killed process lived until its stream was done. Cancelling such a task ends
 * that wait; its {@code invoke()} throws {@code CancellationException}, which unwinds through the JDK's
 * code into the process's own, where the exit lands as after any interrupted call. Subtasks already
 * forked run to their end, queued ones too (nothing stops them: a JDK task does not look at its root's
 * status), their result dropped.
 *
 * <p>And a task the process itself runs with {@code invoke()} or {@code quietlyInvoke()} in rewritten code
 * ({@code Waits.invoke}, which notes it here while the call lasts): its {@code compute} runs in the process,
 * and a {@code CountedCompleter} still pending after it waits for its subtasks in that same join. Such a
 * task is the process's computation; a thread that joins it meanwhile gets the {@code CancellationException}
 * a cancel gives. Any other task an application made, or a {@code CompletableFuture}'s, may have other
 * waiters, whom a cancel would fail; their waits are {@code Waits}' (a kill ends the process's wait and
 * leaves the task alone).
 *
 * <p>Any thread, with the process's own interrupt. The blocker is read racily: if the process has left
 * the wait, it is null, another wait's, or a task that is done, and a cancel of a done task does nothing.
 */
public final class OwnJdkTasks {

    private OwnJdkTasks() {}

    /**
     * Cancels the task {@code t} is parked for, if the JDK made it for {@code t}'s call alone.
     *
     * @param t a killed process's thread
     */
    static void cancelAwaitedBy(Thread t) {
        if (LockSupport.getBlocker(t) instanceof ForkJoinTask<?> task && (madeForItsCaller(task.getClass()) || INVOKING.get(t) == task)) {
            task.cancel(false);
        }
    }

    /** The task each process's thread is in {@code invoke()} of (the innermost), while it is. */
    private static final ConcurrentHashMap<Thread, ForkJoinTask<?>> INVOKING = new ConcurrentHashMap<>();

    /**
     * The calling process begins {@code invoke()} of {@code task}; pair with {@link #invoked} in a
     * {@code finally}.
     *
     * @param t the process's thread (the caller)
     * @param task the task it invokes
     * @return the task it was invoking before (an outer invoke), or null
     */
    public static ForkJoinTask<?> invoking(Thread t, ForkJoinTask<?> task) {
        return INVOKING.put(t, task);
    }

    /**
     * The calling process's {@code invoke()} is over.
     *
     * @param t the process's thread (the caller)
     * @param outer what {@link #invoking} returned
     */
    public static void invoked(Thread t, ForkJoinTask<?> outer) {
        if (outer == null) INVOKING.remove(t);
        else INVOKING.put(t, outer);
    }

    /** Whether a task of class {@code c} is one the JDK creates, invokes and waits for inside one call. */
    static boolean madeForItsCaller(Class<?> c) {
        if (c.getClassLoader() != null) return false; // not the JDK's
        String name = c.getName();
        return name.startsWith("java.util.stream.") || name.startsWith("java.util.ArraysParallelSortHelpers$")
                || name.startsWith("java.util.ArrayPrefixHelpers$") || name.startsWith("java.util.concurrent.ConcurrentHashMap$");
    }
}
