package dev.preempt.internal.sched;

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
 * code into the process's own, where the exit lands as after any interrupted call. Subtasks a worker has
 * started run to their end (a fork/join task cannot be stopped), their result dropped.
 *
 * <p>Only those classes: a task an application made, or a {@code CompletableFuture}'s, may have other
 * waiters, whom a cancel would fail; their waits are {@code Waits}' (a kill ends the process's wait and
 * leaves the task alone).
 *
 * <p>Any thread, with the process's own interrupt. The blocker is read racily: if the process has left
 * the wait, it is null, another wait's, or a task that is done, and a cancel of a done task does nothing.
 */
final class OwnJdkTasks {

    private OwnJdkTasks() {}

    /**
     * Cancels the task {@code t} is parked for, if the JDK made it for {@code t}'s call alone.
     *
     * @param t a killed process's thread
     */
    static void cancelAwaitedBy(Thread t) {
        if (LockSupport.getBlocker(t) instanceof ForkJoinTask<?> task && madeForItsCaller(task.getClass())) {
            task.cancel(false);
        }
    }

    /** Whether a task of class {@code c} is one the JDK creates, invokes and waits for inside one call. */
    static boolean madeForItsCaller(Class<?> c) {
        if (c.getClassLoader() != null) return false; // not the JDK's
        String name = c.getName();
        return name.startsWith("java.util.stream.") || name.startsWith("java.util.ArraysParallelSortHelpers$")
                || name.startsWith("java.util.ArrayPrefixHelpers$") || name.startsWith("java.util.concurrent.ConcurrentHashMap$");
    }
}
