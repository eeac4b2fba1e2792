package dev.preempt.internal.hooks;

import dev.preempt.ProcessExit;
import dev.preempt.internal.sched.OwnJdkTasks;
import dev.preempt.internal.sched.Proc;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * The JDK waits that ignore interrupts, made to end at an exit signal: the agent replaces a call to
 * {@code Lock.lock()}, {@code StampedLock}'s {@code writeLock()} and {@code readLock()},
 * {@code Condition.awaitUninterruptibly()}, {@code Semaphore.acquireUninterruptibly},
 * {@code CompletableFuture.join()}, {@code ForkJoinTask}'s {@code join()}, {@code quietlyJoin()} and
 * {@code invokeAll}, {@code ForkJoinPool.invoke},
 * {@code Phaser}'s waits and {@code ExecutorService.close()} in rewritten code with a call here. Not for
 * application code. Called on any thread.
 *
 * <p>Why: an exit signal that ends a process in a blocking JDK call interrupts its thread (Java's
 * cancellation, {@code Proc.stopForExit}), and these waits swallow the interrupt and wait on. A killed
 * process waited for its lock for as long as the holder kept it: forever in a deadlock, so that neither a
 * kill nor a supervisor could break one, where killing one side is how BEAM breaks it.
 *
 * <p>How: inside a process, and for the JDK's own classes only, each wait is its interruptible twin in a
 * loop. An interrupt makes the process act on its signals ({@code Proc.signalsFirst}): an exit among them
 * is thrown from here, before the lock is held (or, for a condition, with it held again, as any
 * {@code await} that throws), so the {@code finally} that would release it is not entered; but only in
 * the process's own code: in a library's, the wait goes on and the exit lands once the library returns
 * (thrown there, it cut the library's update between two steps). Any other
 * interrupt is the caller's: the wait goes on and the interrupt status is set again when it ends, which is
 * what the uninterruptible call does. One difference remains: a waiter a foreign interrupt woke queues
 * again at the back of a fair lock or semaphore, where the uninterruptible call keeps its place. Outside a
 * process, and for any other class (a subclass may give the call a meaning of its own), the original call
 * runs unchanged.
 */
public final class Waits {

    private Waits() {}

    /**
     * {@code Lock.lock()} (and {@code ReentrantLock.lock()}, a read-write lock's halves, and a {@code StampedLock}'s
     * lock views).
     *
     * @param lock the lock the rewritten call site locked
     */
    public static void lock(Lock lock) {
        if (Proc.current() == null || !ours(lock)) {
            lock.lock();
            return;
        }
        untilDone(lock::lockInterruptibly); // an exit ends the process there, the lock not taken
    }

    /**
     * {@code Condition.awaitUninterruptibly()}.
     *
     * @param condition the condition the call site waited on
     */
    public static void awaitUninterruptibly(Condition condition) {
        if (!(condition instanceof AbstractQueuedSynchronizer.ConditionObject
                || condition instanceof AbstractQueuedLongSynchronizer.ConditionObject) || Proc.current() == null) {
            condition.awaitUninterruptibly();
            return;
        }
        // An InterruptedException from await means no signal was taken (a signal that came first makes await
        // return with the interrupt set), and no one can signal while this thread holds the lock again, so
        // waiting once more loses nothing.
        untilDone(condition::await);
    }

    /**
     * {@code Semaphore.acquireUninterruptibly()}.
     *
     * @param semaphore the semaphore the call site acquired
     */
    public static void acquireUninterruptibly(Semaphore semaphore) {
        if (Proc.current() == null || !PLAIN_SEMAPHORE.get(semaphore.getClass())) {
            semaphore.acquireUninterruptibly(); // an override of the no-argument form is the call made
            return;
        }
        untilDone(semaphore::acquire);
    }

    /**
     * {@code Semaphore.acquireUninterruptibly(int)}.
     *
     * @param semaphore the semaphore the call site acquired
     * @param permits how many permits
     */
    public static void acquireUninterruptibly(Semaphore semaphore, int permits) {
        if (Proc.current() == null || !PLAIN_SEMAPHORE.get(semaphore.getClass())) {
            semaphore.acquireUninterruptibly(permits);
            return;
        }
        untilDone(() -> semaphore.acquire(permits));
    }

    /**
     * {@code StampedLock.writeLock()}: {@code writeLockInterruptibly()} in the loop, so an exit ends the
     * wait with the lock not taken.
     *
     * @param lock the lock the call site locked
     * @return the stamp
     */
    public static long writeLock(StampedLock lock) {
        if (Proc.current() == null || !PLAIN_STAMPED.get(lock.getClass())) return lock.writeLock();
        long[] stamp = {0};
        untilDone(() -> stamp[0] = lock.writeLockInterruptibly());
        return stamp[0];
    }

    /**
     * {@code StampedLock.readLock()}: {@code readLockInterruptibly()} in the loop.
     *
     * @param lock the lock the call site locked
     * @return the stamp
     */
    public static long readLock(StampedLock lock) {
        if (Proc.current() == null || !PLAIN_STAMPED.get(lock.getClass())) return lock.readLock();
        long[] stamp = {0};
        untilDone(() -> stamp[0] = lock.readLockInterruptibly());
        return stamp[0];
    }

    /** An interruptible wait. */
    private interface Interruptible {
        void await() throws InterruptedException;
    }

    /**
     * Runs {@code wait} until it completes: at each interrupt the process acts on its signals, so an exit
     * ends it there (where an exit may land, {@code Proc.signalsInWait}); any other interrupt is set again
     * once the wait is over.
     */
    private static void untilDone(Interruptible wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.await();
                break;
            } catch (InterruptedException e) {
                if (!Proc.signalsInWait()) interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * {@code CompletableFuture.join()}: waits with {@code get()}, then joins the completed future, so the
     * value, or the exception exactly as {@code join} throws it, is the future's own.
     *
     * @param future the future the call site joined
     * @return what {@code future.join()} returns
     */
    public static Object join(CompletableFuture<?> future) {
        if (future.isDone() || Proc.current() == null || !PLAIN_FUTURE.get(future.getClass())) return future.join();
        untilDone(() -> {
            try {
                future.get();
            } catch (ExecutionException | CancellationException e) {
                // completed: join below gives it as join does
            }
        });
        return future.join();
    }

    /**
     * {@code ForkJoinTask.join()} (a parallel task's result; {@code join} is final, so any task is taken).
     * A process is never a pool's worker, so its {@code join} only waits, uninterruptibly: its twin is
     * {@code get()}, and once the task is done {@code join} gives what it gives.
     *
     * @param task the task the call site joined
     * @return its value
     */
    public static Object join(ForkJoinTask<?> task) {
        if (Proc.current() == null) return task.join();
        awaitDone(task);
        try {
            return task.join();
        } catch (ProcessExit e) {
            if (e.isForCurrentThread()) throw e;
            throw foreign(e);
        }
    }

    /**
     * What a wait for a task ({@code join}, {@code invoke}, {@code invokeAll}) throws when the task failed
     * with a process's exit (it was running the task when it was killed, and the JDK kept the exit as the
     * task's exception): that same exit to that process, which it ends; to any other, this: a
     * {@code CancellationException} caused by it, which the
     * caller may catch, as it would if the task had been cancelled. Rethrown as it was, it ended the
     * joiner as {@code killed}, though nobody had sent it an exit (see {@link ProcessExit#isForCurrentThread}).
     */
    private static CancellationException foreign(ProcessExit e) {
        CancellationException c = new CancellationException("the task was ended by a kill of the process that ran it ("
                + e.getMessage() + ")");
        c.initCause(e);
        return c;
    }

    /**
     * {@code ForkJoinTask.quietlyJoin()}: waits as {@link #join(ForkJoinTask)} does, and neither returns
     * nor throws what the task gave, but for the process's own exit ({@link #rethrowOwnExit}).
     *
     * @param task the task the call site joined
     */
    public static void quietlyJoin(ForkJoinTask<?> task) {
        if (Proc.current() == null) {
            task.quietlyJoin();
            return;
        }
        awaitDone(task);
        rethrowOwnExit(task);
    }

    /**
     * After a quiet wait: the calling process's own exit, if the task failed with it (the exit landed in
     * the task's code while the process ran it, and the JDK kept it as the task's exception), so that the
     * process unwinds. The quiet forms report no exception, so a loop around them went on, the exit was
     * thrown again at each turn, and after 16 throws the process ended without unwinding: its
     * {@code finally} blocks never ran (a helper's loop around a {@code CountedCompleter}).
     */
    private static void rethrowOwnExit(ForkJoinTask<?> task) {
        if (task.isCompletedAbnormally() && task.getException() instanceof ProcessExit e && e.isForCurrentThread()) throw e;
    }

    /**
     * {@code ForkJoinTask.invoke()}: the JDK's call, the task noted as the process's own while it runs
     * ({@link OwnJdkTasks#invoking}). Its {@code compute} runs here, where an exit lands at a tick; a
     * {@code CountedCompleter} still pending after it then waits for its subtasks in the JDK's join, which
     * waits through interrupts, so a process killed there lived until a pool's worker had finished them.
     * Now an exit's interrupt cancels the task there, and {@code invoke} throws
     * {@code CancellationException} into the process's code, where the exit lands.
     *
     * @param task the task the call site invoked
     * @return its value
     */
    public static Object invoke(ForkJoinTask<?> task) {
        if (Proc.current() == null) return task.invoke();
        Thread self = Thread.currentThread();
        ForkJoinTask<?> outer = OwnJdkTasks.invoking(self, task);
        try {
            return task.invoke();
        } catch (ProcessExit e) {
            if (e.isForCurrentThread()) throw e;
            throw foreign(e);
        } finally {
            OwnJdkTasks.invoked(self, outer);
        }
    }

    /**
     * {@code ForkJoinTask.quietlyInvoke()}: as {@link #invoke(ForkJoinTask)}, returning nothing and throwing
     * nothing the task gave, but for the process's own exit ({@link #rethrowOwnExit}).
     *
     * @param task the task the call site invoked
     */
    public static void quietlyInvoke(ForkJoinTask<?> task) {
        if (Proc.current() == null) {
            task.quietlyInvoke();
            return;
        }
        Thread self = Thread.currentThread();
        ForkJoinTask<?> outer = OwnJdkTasks.invoking(self, task);
        try {
            task.quietlyInvoke();
        } finally {
            OwnJdkTasks.invoked(self, outer);
        }
        rethrowOwnExit(task);
    }

    /** Waits with {@code get()} until {@code task} is done, however it ended; in a process only. */
    private static void awaitDone(ForkJoinTask<?> task) {
        if (task.isDone()) return;
        untilDone(() -> {
            try {
                task.get(); // an external caller's get helps as join does: it may run the task here
            } catch (ExecutionException | CancellationException e) {
                // done: the caller reads how
            }
        });
    }

    /**
     * {@code ForkJoinTask.invokeAll(t1, t2)}, called as {@code ForkJoinTask.invokeAll} or unqualified in a
     * subclass (the agent takes a static call whose owner resolves to the JDK's method): forks {@code t2},
     * runs {@code t1} here, then waits for {@code t2} as {@link #join(ForkJoinTask)} does. As the JDK's:
     * if {@code t1} fails, {@code t2} is cancelled and {@code t1}'s exception thrown; else {@code t2}'s.
     * The JDK's waits for a task a pool's worker took ignore interrupts, so a process killed there lived
     * until the task was over. An exit that ends the wait cancels {@code t2} if it has not started.
     * {@code t1}'s own wait, for a {@code CountedCompleter} still pending after its {@code compute}, is the
     * JDK's {@code invoke}.
     *
     * @param t1 the task run here
     * @param t2 the task forked
     */
    public static void invokeAll(ForkJoinTask<?> t1, ForkJoinTask<?> t2) {
        if (Proc.current() == null) {
            ForkJoinTask.invokeAll(t1, t2);
            return;
        }
        if (t1 == null || t2 == null) throw new NullPointerException(); // before any fork, as the JDK's
        invokeAllHere(Arrays.asList(t1, t2));
    }

    /**
     * {@code ForkJoinTask.invokeAll(tasks...)}: forks all but the first, runs the first here, then waits
     * for the others in order as {@link #invokeAll(ForkJoinTask, ForkJoinTask)} does; at the first failure
     * the others are cancelled and its exception thrown (a null task: a {@code NullPointerException}).
     *
     * @param tasks the tasks
     */
    public static void invokeAll(ForkJoinTask<?>... tasks) {
        if (Proc.current() == null) {
            ForkJoinTask.invokeAll(tasks);
            return;
        }
        invokeAllHere(Arrays.asList(tasks));
    }

    /**
     * {@code ForkJoinTask.invokeAll(collection)}: as {@link #invokeAll(ForkJoinTask[])}, in the
     * collection's order.
     *
     * @param tasks the tasks
     * @param <T> the tasks' type
     * @return {@code tasks}
     */
    public static <T extends ForkJoinTask<?>> Collection<T> invokeAll(Collection<T> tasks) {
        if (Proc.current() == null) return ForkJoinTask.invokeAll(tasks);
        invokeAllHere(tasks instanceof List<T> list && tasks instanceof RandomAccess
                ? list : Arrays.asList(tasks.toArray(new ForkJoinTask<?>[0])));
        return tasks;
    }

    /** The JDK's {@code invokeAll} with its waits made {@link #awaitDone}'s. */
    private static void invokeAllHere(List<? extends ForkJoinTask<?>> tasks) {
        int last = tasks.size() - 1;
        Throwable failed = null;
        for (int i = last; i >= 0; i--) { // forked last first, as the JDK's, so the first to join is nearest the top
            ForkJoinTask<?> t = tasks.get(i);
            if (t == null) {
                failed = new NullPointerException();
                break;
            }
            if (i > 0) {
                t.fork();
                continue;
            }
            try {
                t.invoke();
            } catch (Throwable e) { // the task's exception, as invoke reports it (a kill that landed in it too)
                failed = seenHere(e);
            }
        }
        try {
            for (int i = 1; i <= last && failed == null; i++) {
                ForkJoinTask<?> t = tasks.get(i);
                if (t == null) continue;
                awaitDone(t);
                if (t.isCompletedAbnormally()) failed = seenHere(t.getException());
            }
        } catch (Throwable exit) { // an exit ended a wait: what has not started need not run
            cancelForked(tasks);
            throw exit;
        }
        if (failed != null) {
            cancelForked(tasks);
            Waits.<RuntimeException>sneakyThrow(failed);
        }
    }

    /** A task's failure as this caller throws it: another process's exit as {@link #foreign}, the rest as it is. */
    private static Throwable seenHere(Throwable failure) {
        return failure instanceof ProcessExit e && !e.isForCurrentThread() ? foreign(e) : failure;
    }

    private static void cancelForked(List<? extends ForkJoinTask<?>> tasks) {
        for (int i = 1; i < tasks.size(); i++) {
            ForkJoinTask<?> t = tasks.get(i);
            if (t != null) t.cancel(false);
        }
    }

    /** Throws {@code t} as it is, checked or not, as the JDK's {@code invokeAll} does. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * {@code Phaser.arriveAndAwaitAdvance()}: arrives, then waits for the phase's end with
     * {@code awaitAdvanceInterruptibly}, which the JDK's own call amounts to. Taken for a subclass too
     * unless it overrides one of the three (most subclasses only override {@code onAdvance}).
     *
     * @param phaser the phaser the call site arrived at
     * @return the next phase, or the (negative) phase if the phaser is terminated, as the JDK's call
     */
    public static int arriveAndAwaitAdvance(Phaser phaser) {
        // The JDK's call where it does not wait, or where what it returns differs from arrive + await: the
        // last arrival returns the next phase even when its onAdvance terminates the phaser (awaitAdvance
        // gives the negative phase: `while (p.arriveAndAwaitAdvance() >= 0)` ran one round fewer, a
        // helper's), and a tiered phaser's last arrival at its parent returns what the parent's call does.
        // A process that arrives last is never cut here, and a tiered one waits as the JDK's does. Left: if
        // the other parties all arrive between the count read here and this arrival, and its onAdvance
        // terminates the phaser, this returns the negative phase where the JDK's returns the next.
        if (!PLAIN_PHASER.get(phaser.getClass()) || phaser.getParent() != null || phaser.getUnarrivedParties() <= 1
                || Proc.current() == null) {
            return phaser.arriveAndAwaitAdvance();
        }
        int phase = phaser.arrive();
        return phase < 0 ? phase : awaitAdvanceUntilDone(phaser, phase);
    }

    /**
     * {@code Phaser.awaitAdvance(phase)}: waits for the end of {@code phase} with
     * {@code awaitAdvanceInterruptibly}, which returns what it returns (at once if the phaser is in
     * another phase or terminated). Taken for a subclass as {@link #arriveAndAwaitAdvance} is.
     *
     * @param phaser the phaser the call site waited on
     * @param phase the phase to wait out
     * @return the next phase, or what the JDK's call returns when it does not wait
     */
    public static int awaitAdvance(Phaser phaser, int phase) {
        if (Proc.current() == null || !PLAIN_PHASER.get(phaser.getClass())) return phaser.awaitAdvance(phase);
        return awaitAdvanceUntilDone(phaser, phase);
    }

    /** {@code awaitAdvanceInterruptibly(phase)} in {@link #untilDone}'s loop: what it returns at last. */
    private static int awaitAdvanceUntilDone(Phaser phaser, int phase) {
        int[] next = {phase};
        untilDone(() -> next[0] = phaser.awaitAdvanceInterruptibly(phase));
        return next[0];
    }

    /** Whether a phaser class keeps the JDK's arrive and waits (it may override {@code onAdvance}). */
    private static final ClassValue<Boolean> PLAIN_PHASER = inherits(method(Phaser.class, "arriveAndAwaitAdvance"),
            method(Phaser.class, "arrive"), method(Phaser.class, "awaitAdvance", int.class),
            method(Phaser.class, "awaitAdvanceInterruptibly", int.class));

    /**
     * Whether a class, the JDK's or an application's subclass of it, takes the methods a hook calls from
     * the JDK's class: then the hook's interruptible wait is the wait the call site meant. A subclass that
     * overrides one (a lock that counts its {@code lock()} calls) gets its own method called, as before.
     * Before, only the JDK's exact classes were taken, and a kill did not reach a process waiting on a
     * {@code MyLock extends ReentrantLock} (UninterruptibleWaitsIT).
     */
    private static final ClassValue<Boolean> PLAIN_REENTRANT = inherits(method(ReentrantLock.class, "lock"),
            method(ReentrantLock.class, "lockInterruptibly")),
            PLAIN_READ_LOCK = inherits(method(ReentrantReadWriteLock.ReadLock.class, "lock"),
                    method(ReentrantReadWriteLock.ReadLock.class, "lockInterruptibly")),
            PLAIN_WRITE_LOCK = inherits(method(ReentrantReadWriteLock.WriteLock.class, "lock"),
                    method(ReentrantReadWriteLock.WriteLock.class, "lockInterruptibly")),
            PLAIN_SEMAPHORE = inherits(method(Semaphore.class, "acquireUninterruptibly"),
                    method(Semaphore.class, "acquireUninterruptibly", int.class), method(Semaphore.class, "acquire"),
                    method(Semaphore.class, "acquire", int.class)),
            PLAIN_STAMPED = inherits(method(StampedLock.class, "writeLock"), method(StampedLock.class, "readLock"),
                    method(StampedLock.class, "writeLockInterruptibly"), method(StampedLock.class, "readLockInterruptibly")),
            PLAIN_FUTURE = inherits(method(CompletableFuture.class, "join"), method(CompletableFuture.class, "get"),
                    method(CompletableFuture.class, "isDone"));

    /** Whether a class declares none of {@code methods} itself (each a JDK class's public method). */
    private static ClassValue<Boolean> inherits(java.lang.reflect.Method... methods) {
        return new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> c) {
                try {
                    for (java.lang.reflect.Method m : methods) {
                        if (c.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != m.getDeclaringClass()) return false;
                    }
                    return true;
                } catch (NoSuchMethodException | LinkageError e) {
                    // LinkageError: getMethod resolves every public method's signature, and one names a class
                    // that is not there (an optional dependency); the plain call, as for an override
                    return false;
                }
            }
        };
    }

    private static java.lang.reflect.Method method(Class<?> c, String name, Class<?>... parameters) {
        try {
            return c.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * {@code ForkJoinPool.invoke(task)}: submits the task as {@code invoke} does, then waits as
     * {@link #join(ForkJoinTask)} does, and throws what {@code invoke} throws (a checked exception of the
     * task's wrapped in a {@code RuntimeException}). On the JDK's own {@code ForkJoinPool} only. A killed
     * process leaves the task to run on; its result is dropped.
     *
     * @param pool the pool the call site invoked
     * @param task the task
     * @return its value
     */
    public static Object invoke(ForkJoinPool pool, ForkJoinTask<?> task) {
        if (pool.getClass() != ForkJoinPool.class || Proc.current() == null) return pool.invoke(task);
        pool.execute(task);
        try {
            return join(task);
        } catch (RuntimeException | Error unchecked) {
            throw unchecked;
        } catch (Exception checked) { // join throws a task's checked exception as it is
            throw new RuntimeException(checked);
        }
    }

    /**
     * {@code ExecutorService.close()}, where it is the interface's own (a {@code ThreadPoolExecutor},
     * the executors of {@code Executors}), a virtual-thread-per-task executor's or a {@code ForkJoinPool}'s
     * (which do the same): shuts the executor down and waits for its tasks to end. An interrupt that is
     * not an exit does what the JDK's does: {@code shutdownNow()} once, waiting on, the interrupt status
     * set again at the end. An exit also calls {@code shutdownNow()}, then ends the process without
     * waiting for tasks that ignore their interrupt: the JDK's {@code close} waits for them by contract,
     * so a process killed in a try-with-resources of an executor lived as long as its slowest task.
     *
     * @param executor the executor the call site closed
     */
    public static void close(ExecutorService executor) {
        if (Proc.current() == null || !CLOSES_BY_DEFAULT.get(executor.getClass()) || executor == ForkJoinPool.commonPool()) {
            executor.close();
            return;
        }
        if (executor.isTerminated()) return;
        executor.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.DAYS)) break;
            } catch (InterruptedException e) {
                boolean exits;
                try {
                    exits = Proc.signalsInWait();
                } catch (Throwable exit) { // the exit: the tasks are interrupted, as at any interrupt of close
                    executor.shutdownNow();
                    throw exit;
                }
                if (!exits && !interrupted) {
                    executor.shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Whether an executor class's {@code close()} is the interface's own, or one that does the same. */
    private static final ClassValue<Boolean> CLOSES_BY_DEFAULT = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            if (c == ForkJoinPool.class || c.getName().equals("java.util.concurrent.ThreadPerTaskExecutor")) return true;
            try {
                return c.getMethod("close").getDeclaringClass() == ExecutorService.class;
            } catch (NoSuchMethodException | LinkageError e) { // LinkageError: see inherits
                return false;
            }
        }
    };

    private static boolean ours(Lock lock) {
        Class<?> c = lock.getClass();
        if (c == ReentrantLock.class || c == ReentrantReadWriteLock.ReadLock.class
                || c == ReentrantReadWriteLock.WriteLock.class || c == STAMPED_READ_VIEW || c == STAMPED_WRITE_VIEW) {
            return true;
        }
        if (lock instanceof ReentrantLock) return PLAIN_REENTRANT.get(c);
        if (lock instanceof ReentrantReadWriteLock.ReadLock) return PLAIN_READ_LOCK.get(c);
        return lock instanceof ReentrantReadWriteLock.WriteLock && PLAIN_WRITE_LOCK.get(c);
    }

    /** {@code StampedLock.asReadLock()}'s and {@code asWriteLock()}'s classes (not public). */
    private static final Class<?> STAMPED_READ_VIEW = new StampedLock().asReadLock().getClass(),
            STAMPED_WRITE_VIEW = new StampedLock().asWriteLock().getClass();
}
