package dev.preempt.internal.sched;

import java.util.concurrent.ForkJoinPool;
import jdk.internal.misc.CarrierThread;

/**
 * A carrier's thread as the JDK's own kind, {@code jdk.internal.misc.CarrierThread}, so that the JDK tells
 * it when a process enters and leaves a blocking call. {@code jdk.internal.misc.Blocker} brackets the
 * calls the JDK knows to block an OS thread (file {@code force}/sync, pipes to child processes, the
 * console, DNS look-ups, direct I/O) with {@link #beginBlocking()} / {@link #endBlocking()}, but only when
 * the carrier under the virtual thread is a {@code CarrierThread}; for its ForkJoinPool that is how the
 * pool grows while a carrier is blocked. Here it is how a spare carrier takes the blocked one's place
 * at once (see {@link Carrier#beginBlocking}).
 *
 * <p>Compiled apart from the rest of the runtime (with {@code jdk.internal.misc} exported to it) and
 * loaded only where it fits: see {@link CarrierThreads}. The pool it hands to its superclass is never
 * used: {@link #run} runs Preempt's carrier loop, and {@link #getQueuedTaskCount} reports one task so
 * that the JDK's own submit shortcuts for a yielding virtual thread ({@code externalSubmit} /
 * {@code lazySubmit} to the carrier's pool when its queue is empty) never take a process out of
 * Preempt's queues.
 */
final class JdkCarrierThread extends CarrierThread implements CarrierHost {

    /** Never given a task: the superclass needs a pool, and this one stays empty (it starts no thread). */
    private static final ForkJoinPool UNUSED = new ForkJoinPool(1);

    private final Carrier carrier;

    JdkCarrierThread(Carrier carrier, String name) {
        super(UNUSED);
        this.carrier = carrier;
        setName(name);
    }

    @Override
    public Carrier carrier() {
        return carrier;
    }

    @Override
    public void run() {
        carrier.loop();
    }

    /** On this thread, a process mounted, inside {@code Blocker.begin}: the call may block the OS thread. */
    @Override
    public boolean beginBlocking() {
        return carrier.beginBlocking();
    }

    /** Inside {@code Blocker.end}, and after every yield of a virtual thread on this carrier. */
    @Override
    public void endBlocking() {
        carrier.endBlocking();
    }

    @Override
    public int getQueuedTaskCount() {
        return 1;
    }
}
