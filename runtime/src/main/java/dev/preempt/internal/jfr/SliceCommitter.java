package dev.preempt.internal.jfr;

import dev.preempt.internal.sched.Proc;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits SliceEnd events on a thread of its own. Carriers hand it what they measured; it commits
 * within about a millisecond.
 *
 * <p>Why not commit on the carrier: on JDK 25, events that a carrier thread commits itself are lost
 * once processes start or end on it (measured: 100 processes spawned and ended on one carrier, 0 of
 * about 200 SliceEnd events reached the recording, while the ProcessStart/ProcessExit events the
 * processes committed themselves all did). A plain thread that never carries a virtual thread does
 * not have the problem.
 *
 * <p>The queue is bounded ({@link #MAX_BACKLOG}): past it, slices are dropped and counted rather than
 * let a recording run the heap out.
 */
final class SliceCommitter implements Runnable {

    static final int MAX_BACKLOG = 1 << 20;
    /** Idle poll while SliceEnd is recorded: how late an event may be committed. */
    private static final long IDLE_PARK_NANOS = 1_000_000;
    /** Idle poll while it is not (a recording ended): the thread stays but costs next to nothing. */
    private static final long DORMANT_PARK_NANOS = 1_000_000_000;

    /** One measured slice. */
    private record Slice(Proc proc, int carrier, int reductions, long nanos, boolean preempted) {}

    private static final ConcurrentLinkedQueue<Slice> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger BACKLOG = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static volatile Thread thread;

    private SliceCommitter() {}

    /** Starts the thread once (it then stays, parked when idle), or wakes it from its dormant poll. */
    static synchronized void ensureStarted() {
        if (thread != null) {
            LockSupport.unpark(thread);
            return;
        }
        Thread t = new Thread(new SliceCommitter(), "preempt-jfr-slices");
        t.setDaemon(true);
        t.start();
        thread = t;
    }

    /** Carrier side: queue a slice (dropped if the backlog is full). */
    static void submit(Proc p, int carrier, int reductions, long nanos, boolean preempted) {
        if (BACKLOG.incrementAndGet() > MAX_BACKLOG) {
            BACKLOG.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        QUEUE.offer(new Slice(p, carrier, reductions, nanos, preempted));
    }

    /** Slices dropped because the backlog was full. */
    static long dropped() {
        return DROPPED.get();
    }

    @Override
    public void run() {
        while (true) {
            Slice s = QUEUE.poll();
            if (s == null) {
                LockSupport.parkNanos(EventTypes.SLICE_END.isEnabled() ? IDLE_PARK_NANOS : DORMANT_PARK_NANOS);
                continue;
            }
            BACKLOG.decrementAndGet();
            try {
                commit(s);
            } catch (Throwable ignored) {
                // one bad slice must not stop the others
            }
        }
    }

    private static void commit(Slice s) {
        SliceEndEvent e = new SliceEndEvent();
        e.sliceTime = s.nanos;
        if (!e.shouldCommit()) return; // disabled since, or shorter than minSliceTime
        e.pid = s.proc.pid().toString();
        e.carrier = s.carrier;
        e.reductions = s.reductions;
        e.preempted = s.preempted;
        e.scheduler = s.proc.scheduler().name();
        e.commit();
    }
}
