package dev.preempt.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A carrier thread: one per core, running processes one slice at a time.
 *
 * <p>Its loop ({@link #findRunnable()}): every other round look at the global queue first (so that a
 * process woken by a timer or from outside waits at most about one slice), then the {@code runnext}
 * slot (a process that a process on this carrier just woke; it runs on what is left of the waker's
 * slice, as in Go, so a ping-pong pair cannot starve the queue), then the local queue, then the global
 * queue, then steal half of another carrier's queue; spin briefly; finally register as idle, look once
 * more, and park.
 *
 * <p>Only this thread pushes onto its local queue and {@code runnext}: the scheduler pushes here when
 * the caller is this carrier itself, or a process mounted on it (whose {@link Proc#carrier} this thread
 * wrote before mounting it).
 */
public final class Carrier extends Thread {

    private static final VarHandle RUNNEXT, PARKED;
    private static final long SPIN_NANOS = 20_000;
    /** An idle carrier that fires the next timer spins the last stretch before it. */
    private static final long TIMER_SPIN_NANOS = 60_000;
    /** A parked carrier re-checks the queues this often even without a wake-up (a safety net only). */
    private static final long PARK_BACKSTOP_NANOS = 100_000_000;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNEXT = l.findVarHandle(Carrier.class, "runnext", Proc.class);
            PARKED = l.findVarHandle(Carrier.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SchedulerCore sched;
    final int index;
    final RunQueue runq = new RunQueue();
    /** The process mounted now, or null. */
    volatile Proc current;
    @SuppressWarnings("unused")
    private volatile Proc runnext;
    @SuppressWarnings("unused")
    volatile boolean parked;
    private int schedTick;
    private boolean fromRunnext;
    /** What the last process left of its slice; a process taken from runnext runs on it. */
    private int leftover;
    private final Proc[] spill = new Proc[RunQueue.CAPACITY / 2];

    // ---- statistics: written by this thread only, read racily by samplers ----
    volatile long slices, steals, parks;

    Carrier(SchedulerCore sched, int index, long stackSize) {
        super(null, null, sched.name + "-carrier-" + index, stackSize);
        this.sched = sched;
        this.index = index;
        setDaemon(true);
    }

    /**
     * The carrier loop. Nothing ends it but shutdown: every Throwable, OutOfMemoryError and
     * StackOverflowError included, is caught (and {@link SchedulerCore#internalError} itself never throws),
     * because a lost carrier strands every process queued on it.
     */
    @Override
    public void run() {
        while (!sched.shutdown) {
            try {
                Proc p = findRunnable();
                if (p != null) runSlice(p);
            } catch (Throwable t) {
                sched.internalError(this, t);
            }
        }
    }

    private void runSlice(Proc p) {
        int start = fromRunnext && leftover > 0 ? leftover : sched.budget;
        p.budget = start;
        p.sliceStart = start;
        p.carrier = this;
        p.mounts++; // only the carrier that dequeued it writes this
        current = p;
        boolean timed = sched.observeSlices;
        long t0 = timed ? System.nanoTime() : 0;
        long preemptionsBefore = timed ? p.preemptions : 0;
        try {
            p.cont.run(); // mounts the virtual thread; returns when it yields, parks or ends
        } catch (Throwable t) {
            sched.internalError(this, t); // the JDK's task does not throw; never let it end this thread
        }
        current = null;
        int left = p.budget;
        int spent = p.sliceStart - left;
        leftover = Math.max(0, left);
        p.account(spent);
        slices++;
        if (timed) sched.sliceEnded(p, this, spent, System.nanoTime() - t0, p.preemptions != preemptionsBefore);
    }

    /**
     * Whether another process could use this carrier now: something queued here or globally, a timer
     * due, or (with stealing) work queued on another carrier. Called by the running process when its
     * budget runs out; a few volatile reads.
     */
    boolean hasOtherWork() {
        if (runq.size() > 0 || runnext != null || !sched.global.isEmpty()) return true;
        long due = sched.timers.next();
        if (due != Long.MAX_VALUE && due - System.nanoTime() <= 0) return true;
        if (sched.stealing) {
            for (Carrier o : sched.carriers) {
                if (o != this && o.runq.size() > 0) return true;
            }
        }
        return false;
    }

    /** The process mounted on this carrier now, or null (racy). */
    public Proc running() {
        return current;
    }

    /** The scheduler this carrier belongs to. */
    public SchedulerCore scheduler() {
        return sched;
    }

    /** True while this carrier fires timers: the processes it wakes are new work for idle carriers. */
    boolean firingTimers;

    /** Fires due timers, if any. */
    private void fireTimers() {
        long due = sched.timers.next();
        if (due != Long.MAX_VALUE && due - System.nanoTime() <= 0) {
            firingTimers = true;
            try {
                sched.timers.fire(System.nanoTime());
            } finally {
                firingTimers = false;
            }
        }
    }

    /** Finds the next process to run, parking when there is none. May return null (then loop). */
    private Proc findRunnable() {
        Proc p;
        fromRunnext = false;
        fireTimers();
        if ((++schedTick & 1) == 0 && (p = sched.global.poll()) != null) return p;
        if ((p = (Proc) RUNNEXT.getAndSet(this, null)) != null) {
            if (leftover > 0) {
                fromRunnext = true;
                return p;
            }
            pushLocal(p, false); // the chain used up its slice: go behind the others
        }
        if ((p = runq.poll()) != null) return p;
        if ((p = sched.global.poll()) != null) return p;
        return findWorkSlow();
    }

    /** Each other carrier's slice count when this one began looking for work (see stealOrGlobal). */
    private long[] slicesSeen;

    private Proc findWorkSlow() {
        Carrier[] all = sched.carriers;
        if (slicesSeen == null) slicesSeen = new long[all.length];
        for (int i = 0; i < all.length; i++) slicesSeen[i] = all[i].slices;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        do {
            Proc p = stealOrGlobal(false);
            if (p != null) return p;
            if (sched.timers.next() - System.nanoTime() <= 0) return null; // a timer is due: fire it
            Thread.onSpinWait();
        } while (System.nanoTime() - spinUntil < 0 && !sched.shutdown);

        // Register as idle, then look again: a producer enqueues and then reads the idle count, we
        // write the idle count and then read the queues (both full fences), so one of us sees the other.
        PARKED.setVolatile(this, true);
        sched.idleCount.incrementAndGet();
        Proc p = stealOrGlobal(true);
        if (p == null) p = runq.poll();
        if (p != null) {
            unregisterIdle();
            return p;
        }
        parks++;
        long park = PARK_BACKSTOP_NANOS;
        Timers timers = sched.timers;
        boolean watching = false;
        long due = timers.next();
        if (due != Long.MAX_VALUE && (timers.watcher.get() == this || timers.watcher.compareAndSet(null, this))) {
            // This carrier fires the next timer: park until just before it, then spin to it (parkNanos
            // wakes up to ~50 us late on Linux).
            watching = true;
            due = timers.next();
            park = Math.min(park, due - System.nanoTime() - TIMER_SPIN_NANOS);
        }
        if (park > 0) LockSupport.parkNanos(this, park);
        unregisterIdle();
        if (watching) timers.watcher.compareAndSet(this, null);
        return null;
    }

    private void unregisterIdle() {
        if (PARKED.compareAndSet(this, true, false)) sched.idleCount.decrementAndGet();
    }

    /** Called by a producer that saw this carrier idle. */
    boolean tryWake() {
        if (PARKED.compareAndSet(this, true, false)) {
            sched.idleCount.decrementAndGet();
            LockSupport.unpark(this);
            return true;
        }
        return false;
    }

    private Proc stealOrGlobal(boolean lastLook) {
        Proc p = sched.global.poll();
        if (p != null) return p;
        if (!sched.stealing) return null;
        Carrier[] all = sched.carriers;
        int n = all.length;
        int start = (index + 1 + ((schedTick++) & 0x7fffffff) % Math.max(1, n - 1)) % n;
        for (int i = 0; i < n; i++) {
            Carrier victim = all[(start + i) % n];
            if (victim == this) continue;
            p = victim.runq.stealInto(runq);
            // A process in another carrier's runnext normally runs as soon as that carrier's current
            // process parks (a ping-pong, a ring). Take it only if that carrier has been in one slice
            // all the while we looked for work: otherwise stealing it just bounces the work between cores.
            if (p == null && lastLook && victim.slices == slicesSeen[victim.index]) {
                p = (Proc) RUNNEXT.getAndSet(victim, null);
            }
            if (p != null) {
                steals++;
                return p;
            }
        }
        return null;
    }

    /**
     * This carrier's running process woke {@code p}: it goes to {@code runnext} and runs as soon as the
     * waker parks or yields; a process already there moves to the local queue. Owner thread only.
     */
    void pushNext(Proc p) {
        Proc old = (Proc) RUNNEXT.getAndSet(this, p);
        if (old != null) pushLocal(old, true);
    }

    /** Appends to the local queue (spilling half to the global queue when full). Owner thread only. */
    void pushLocal(Proc p, boolean newWork) {
        if (!runq.offer(p)) {
            int n = runq.drainHalf(spill);
            for (int i = 0; i < n; i++) {
                sched.global.offer(spill[i]);
                spill[i] = null;
            }
            if (!runq.offer(p)) sched.global.offer(p);
            newWork = true;
        }
        if (newWork) sched.wakeIdle();
    }

    /** Processes queued here now (racy). */
    public int queueLength() {
        return runq.size() + (runnext != null ? 1 : 0);
    }

    public int index() {
        return index;
    }

    public long slices() {
        return slices;
    }

    public long steals() {
        return steals;
    }

    public long parks() {
        return parks;
    }
}
