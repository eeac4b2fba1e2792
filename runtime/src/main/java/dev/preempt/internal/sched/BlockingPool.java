package dev.preempt.internal.sched;

import dev.preempt.Ref;
import dev.preempt.internal.mail.Signal;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs a process's blocking call on a platform thread of its own while the process waits in receive,
 * holding no carrier: BEAM's dirty schedulers, for code the JDK does not mark as blocking (JNI, native
 * libraries, a FIFO) or that runs long with no tick. {@code dev.preempt.Preempt.blocking} is the API.
 *
 * <p>The pool grows by one thread per call in flight up to {@code preempt.blockingThreads} (256 by
 * default), then queues; an idle thread ends after a minute. The answer comes back as a tagged reply
 * (the mechanism {@code call} uses), so an exit signal that ends the waiting process unwinds it at once;
 * the call is then interrupted and its answer, when it comes, is dropped.
 */
public final class BlockingPool {

    private static final int MAX_THREADS = Integer.getInteger("preempt.blockingThreads", 256);
    private static final ThreadPoolExecutor POOL = daemonPool(MAX_THREADS, "preempt-blocking-");

    private BlockingPool() {}

    /** Grows by a thread per task in flight up to {@code threads}, then queues; shrinks when idle. */
    private static ThreadPoolExecutor daemonPool(int threads, String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** What the call did: its value, or what it threw. */
    private record Outcome(Object value, Throwable thrown) {}

    /**
     * Runs {@code call} on the pool and waits for it: inside a process without holding a carrier, on a
     * plain thread by running it there (a plain thread may block). Returns its value or throws what it
     * threw, unchanged.
     *
     * @param <T> what the call returns
     * @param call the blocking work
     * @return what {@code call} returned
     * @throws Exception what {@code call} threw
     */
    public static <T> T run(Callable<T> call) throws Exception {
        Proc self = Proc.current();
        if (self == null) return call.call();
        Ref tag = Ref.make();
        Signal mark = self.mark();
        Future<?> running = POOL.submit(() -> {
            Outcome o;
            try {
                o = new Outcome(call.call(), null);
            } catch (Throwable t) {
                o = new Outcome(null, t);
            }
            self.reply(tag, o);
        });
        Outcome o;
        boolean answered = false;
        try {
            o = (Outcome) self.awaitReply(tag, mark);
            answered = true;
        } finally {
            if (!answered) running.cancel(true); // the process is ending (an exit signal): interrupt the call
        }
        if (o.thrown == null) {
            @SuppressWarnings("unchecked")
            T v = (T) o.value;
            return v;
        }
        if (o.thrown instanceof Exception e) throw e;
        if (o.thrown instanceof Error e) throw e;
        throw new IllegalStateException(o.thrown);
    }

    /**
     * Interrupts {@code t} from a pool thread, never from the caller's: an interrupt runs the interrupted
     * thread's blocker on the interrupting thread (an interruptible channel closes itself, waiting for its
     * close lock), and a carrier that interrupted a process parked in a {@code FileChannel} call waited
     * there for another process's fsync, with every process queued behind it.
     *
     * <p>Only if {@code still} holds when the time comes: the wait the caller saw may be over by then,
     * and an interrupt that lands in running code is seen by its next interruptible call, wherever that
     * is (a helper's Lucene indexers, killed 25 times a run, took 125 interrupts while they ran in 6 runs,
     * and one in 13 runs closed the writer's {@code write.lock} channel, {@code ClosedByInterruptException},
     * and so the writer as tragic). The check and the interrupt are two steps: a wait that ends between
     * them still gets the interrupt, a window of a few hundred nanoseconds instead of up to 10 ms.
     *
     * @param t the thread to interrupt
     * @param delayNanos how long to wait first (0: at once)
     * @param still whether {@code t} is still where an interrupt is wanted (read on the pool thread)
     */
    static void interruptLater(Thread t, long delayNanos, BooleanSupplier still) {
        onInterrupter(delayNanos, () -> {
            if (still.getAsBoolean()) Proc.interruptForExit(t); // every interrupt here is for an exit
        });
    }

    /**
     * Runs {@code interrupting} on an interrupter thread, {@code delayNanos} from now: an interrupt that
     * must first look at where the process waits ({@code Proc.interruptParked}).
     *
     * @param delayNanos how long to wait first (0: at once)
     * @param interrupting what decides and interrupts
     */
    static void onInterrupter(long delayNanos, Runnable interrupting) {
        if (delayNanos <= 0) INTERRUPTERS.execute(interrupting);
        else CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS, INTERRUPTERS).execute(interrupting); // timed by the JDK's delayer thread
    }

    /**
     * Run the interrupts, apart from {@link #POOL}: a process's blocking call never waits behind them.
     * Before, each delayed interrupt parked a thread of the pool until its time, and a killed process that
     * kept parking in a library (Logback's appender lock) filled all 256 within half a second: unrelated
     * processes' {@code blocking} calls waited 0.3-10 s (a helper's; {@code KillSitesTest}). Few threads:
     * an interrupt is short but for an interruptible channel's close, which may wait for the channel.
     */
    private static final ThreadPoolExecutor INTERRUPTERS = daemonPool(4, "preempt-interrupter-");

    /**
     * Runs the interrupt path once, interrupting no one, and leaves an interrupter thread started: the
     * first kill's interrupt came over 10 ms late on a cold JVM (the pool, its thread and its classes made
     * on the spot), so a process that parked in a 10 ms sleep just after the kill slept through it
     * (TrapExitsRaceTest, round 1, 2 runs of 7 on a 2-core machine). Any thread; a scheduler's start calls it.
     */
    static void warmInterrupters() {
        INTERRUPTERS.prestartCoreThread();
        interruptLater(Thread.currentThread(), 0, () -> false);
        interruptLater(Thread.currentThread(), 1, () -> false);
    }

    /**
     * Threads in the pool now (racy).
     *
     * @return the count
     */
    static int threads() {
        return POOL.getPoolSize();
    }
}
