package dev.preempt.internal.sched;

import dev.preempt.internal.engine.VirtualThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A carrier: one per core (plus spares while carriers are blocked), running processes one slice at a
 * time on its own OS thread ({@link #thread}, made by {@link CarrierThreads}).
 *
 * <p>Its loop ({@link #findRunnable()}): every other round look at the shared queues first, the queue of
 * processes woken from outside (a poller, a plain thread, the watchdog) before the global queue of
 * preempted ones (so that a woken process waits about a slice, and preempted ones get their turn), then the {@code runnext}
 * slot (a process that a process on this carrier just woke; it runs on what is left of the waker's
 * slice, as in Go, so a ping-pong pair cannot starve the queue), then the local queue, then the global
 * queue, then steal half of another carrier's queue; spin briefly; finally register as idle, look once
 * more, and park. High-priority processes come before all of it but the sub-pollers' turns;
 * low-priority ones after it, and first on one round in eight.
 *
 * <p><b>Thread contract.</b> Only this carrier's thread pushes onto its local queue and {@code runnext}:
 * the scheduler pushes here when the caller is this carrier's thread, or a process mounted on it (whose
 * {@link Proc#carrier} this thread wrote before mounting it, and whose thread is the process's own, see
 * {@link Proc#of}). Any thread may take from them (stealing, and the {@link Watchdog} when it hands a
 * held carrier's work to the others).
 *
 * <p><b>Held carriers.</b> A carrier is held while its process is in a call that blocks the OS thread
 * (the JDK says so through {@link #beginBlocking()}, on carriers of the JDK's kind) or has run one slice
 * for longer than the hand-off threshold (the watchdog says so: {@link #handedOff}). Either way it counts
 * as blocked in {@link Spares}, which puts a spare carrier in its place; its queued work goes to the
 * global queue, and what its process wakes meanwhile goes there too. When the slice ends the carrier
 * is an ordinary one again, and a spare retires.
 */
public final class Carrier {

    private static final VarHandle RUNNEXT, PARKED, HANDED_OFF, SPARE_STATE, DEFERRED;
    private static final long SPIN_NANOS = 20_000;
    /**
     * While a high-priority process lives, a sub-poller that yielded here polls again after at most this
     * many slices (else after everything queued ahead of it). Echo benchmark, 10,000 connections, a
     * high-priority probe, single runs: deferring without a bound left the probe's readiness in the
     * kernel's epoll list behind everyone's (p99 189 ms); 16, 8, 4, 2 slices gave 10.6, 8.6, 8.2, 7.5 ms
     * at 59,500-64,800 round trips/s against 70,800 (each poll finds fewer sockets ready).
     */
    private static final int POLL_DEFER_SLICES = 8;
    /** An idle carrier that fires the next timer spins the last stretch before it. */
    private static final long TIMER_SPIN_NANOS = 60_000;
    /**
     * A parked carrier re-checks the queues this often even without a wake-up (a safety net only). A test
     * that must see a lost wake-up as a hang sets {@code -Dpreempt.parkBackstopMillis} high (it-tests:
     * {@code WakeUpsIT}).
     */
    private static final long PARK_BACKSTOP_NANOS = Long.getLong("preempt.parkBackstopMillis", 100) * 1_000_000L;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNEXT = l.findVarHandle(Carrier.class, "runnext", Proc.class);
            PARKED = l.findVarHandle(Carrier.class, "parked", boolean.class);
            HANDED_OFF = l.findVarHandle(Carrier.class, "handedOff", boolean.class);
            SPARE_STATE = l.findVarHandle(Carrier.class, "spareState", int.class);
            DEFERRED = l.findVarHandle(Carrier.class, "deferredSystem", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SchedulerCore sched;
    final int index;
    /** A spare: it runs while carriers are blocked, and retires to {@link Spares}' pool when not needed. */
    final boolean spare;
    final Thread thread;
    final RunQueue runq = new RunQueue();
    /** The process mounted now, or null. */
    volatile Proc current;
    @SuppressWarnings("unused")
    private volatile Proc runnext;
    @SuppressWarnings("unused")
    volatile boolean parked;
    private int schedTick;
    /** Counts scheduling rounds for the low-priority queue's one round in eight. */
    private int lowTick;
    private boolean fromRunnext;
    /** What the last process left of its slice; a process taken from runnext runs on it. */
    private int leftover;
    private final Proc[] spill = new Proc[RunQueue.CAPACITY / 2];

    /** Written and read by this carrier's thread only: it runs a sub-poller's task ({@link #runSystemTask}). */
    boolean inSystemTask;
    /**
     * A sub-poller that yielded on this carrier after waking processes ({@link #deferSystemTask}): it runs
     * again once the processes queued here before it have run. Set by this carrier's thread; taken by it
     * or (getAndSet) by any thread that moves this carrier's work away.
     */
    @SuppressWarnings("unused")
    private volatile Runnable deferredSystem;
    /** The slice count at which {@link #deferredSystem} is due even if the local queue never empties. */
    private long deferredUntil;
    /** Written by this carrier's thread only: a process on it is inside a call the JDK marks as blocking. */
    volatile boolean inBlockingCall;
    /** Set (CAS) by the watchdog when it gave this carrier's place to a spare; cleared (CAS) here when the slice ends. */
    @SuppressWarnings("unused")
    volatile boolean handedOff;

    // ---- a spare's life: ACTIVE (running the loop) -> POOLED (parked in the pool) -> ACTIVE ... -> DEAD ----
    static final int ACTIVE = 0, POOLED = 1, DEAD = 2;
    volatile int spareState = ACTIVE;

    /** A spare's state change, by CAS: activation races with the spare ending itself after its keep-alive. */
    boolean casSpareState(int from, int to) {
        return SPARE_STATE.compareAndSet(this, from, to);
    }

    // ---- what the watchdog saw of this carrier, written by the watchdog thread only ----
    long wdSlices = -1;
    Proc wdProc;
    long wdSince;
    long wdRefills;
    /** The mounted process's budget when the watchdog last looked: a change means it reached ticks. */
    int wdBudget;
    /** Last round found this carrier held; a second one running hands it off. */
    boolean wdSuspect;
    /** This carrier's OS thread id (Linux), or -1: the watchdog asks the OS whether it sleeps in a call. */
    volatile long osThreadId = -1;
    long wdCpu = -1;
    long wdCpuSince;
    boolean wdHeld;
    boolean wdSlowed;
    String wdReason;
    StackTraceElement[] wdStack;

    // ---- statistics: written by this thread only, read racily by samplers ----
    volatile long slices, steals, parks, systemTasks;

    Carrier(SchedulerCore sched, int index, boolean spare, long stackSize) {
        this.sched = sched;
        this.index = index;
        this.spare = spare;
        this.thread = CarrierThreads.newThread(this, sched.name + (spare ? "-spare-" : "-carrier-") + index, stackSize);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * The carrier loop, run by {@link #thread}. Nothing ends it but shutdown (or, for a spare, a long
     * time unused in the pool): every Throwable, OutOfMemoryError and StackOverflowError included, is
     * caught (and {@link SchedulerCore#internalError} itself never throws), because a lost carrier
     * strands every process queued on it.
     */
    void loop() {
        if (sched.det != null) { // a deterministic scheduler's only carrier runs that scheduler's loop instead
            sched.det.loop(this);
            return;
        }
        osThreadId = ThreadUse.currentOsThreadId();
        try {
            loopUntilShutdown();
        } finally {
            releaseDeferredSystemTask(); // never strand a sub-poller: it goes on elsewhere, or to the JDK's pool
        }
    }

    private void loopUntilShutdown() {
        while (!sched.shutdown) {
            try {
                if (spare && spareState != ACTIVE) {
                    if (!sched.spares.waitInPool(this)) return; // unused for long: this thread ends
                    continue;
                }
                Proc p = findRunnable();
                if (p != null) runSlice(p);
                if (spare && spareState == ACTIVE && sched.spares.surplus()) retire();
            } catch (Throwable t) {
                sched.internalError(this, t);
            }
        }
    }

    private void runSlice(Proc p) {
        if (!p.claimMount()) return; // a second entry while it runs elsewhere: that carrier requeues it after
        int cap = p.budgetCap;
        int start = fromRunnext && leftover > 0 ? Math.min(leftover, cap) : cap;
        p.budget = start;
        p.sliceStart = start;
        p.mountedBy(this);
        current = p;
        p.mounting();
        boolean timed = sched.observeSlices;
        long t0 = timed ? System.nanoTime() : 0;
        long preemptionsBefore = timed ? p.preemptions : 0;
        try {
            p.cont.run(); // mounts the virtual thread; returns when it yields, parks or ends
        } catch (Throwable t) {
            sched.internalError(this, t); // the JDK's task does not throw; never let it end this thread
        }
        current = null;
        p.takeAsked(); // a request for this slice is moot now; one left set would slow every tick
        p.cancelAgainIfParked();
        if (inBlockingCall) endBlocking(); // the JDK ends it at the yield; this only guards the count
        if (handedOff && HANDED_OFF.compareAndSet(this, true, false)) sched.spares.unblocked();
        int left = p.budget;
        int spent = p.sliceStart - left;
        leftover = Math.max(0, left);
        p.account(spent);
        if (p.releaseMount()) pushLocal(p, true); // an entry was dropped while it ran: it may have been its next turn
        slices++;
        if (timed) sched.sliceEnded(p, this, spent, System.nanoTime() - t0, p.preemptions != preemptionsBefore);
    }

    // =====================================================================================
    // Held carriers
    // =====================================================================================

    /**
     * This carrier's thread, a process mounted, just before a call the JDK knows may block the OS thread
     * (through {@code Blocker.begin}). Counts this carrier as blocked (a spare takes its place when the
     * others are busy), and hands its queued work to the global queue. Returns false if it was already
     * inside such a call (nested: the outer one counts). Allocation-light, never parks.
     */
    boolean beginBlocking() {
        if (inBlockingCall) return false;
        inBlockingCall = true;
        sched.spares.blocked();
        shedQueue();
        return true;
    }

    /** This carrier's thread: the blocking call returned (also called by the JDK after every yield). */
    void endBlocking() {
        if (!inBlockingCall) return;
        inBlockingCall = false;
        sched.spares.unblocked();
    }

    /** Whether this is a spare that should retire: more spares run than carriers are held. */
    boolean surplusSpare() {
        return spare && sched.spares.surplusNow();
    }

    /** Whether this carrier is held (blocked in a call, or handed off by the watchdog): push no work here. */
    boolean held() {
        return inBlockingCall || handedOff;
    }

    /** The watchdog: this carrier has been in one slice too long; counts it blocked. False if it already was. */
    boolean handOff() {
        if (!HANDED_OFF.compareAndSet(this, false, true)) return false;
        sched.spares.blocked();
        return true;
    }

    /** Owner: moves everything queued here to the global queue, for the other carriers. */
    private void shedQueue() {
        releaseDeferredSystemTask();
        boolean moved = false;
        Proc p = (Proc) RUNNEXT.getAndSet(this, null);
        if (p != null) {
            sched.global.offer(p);
            moved = true;
        }
        while ((p = runq.poll()) != null) {
            sched.global.offer(p);
            moved = true;
        }
        if (moved) sched.wakeIdle();
    }

    /** Any thread (the watchdog): takes this carrier's queued work as a thief would, onto the global queue. */
    void giveAwayQueue() {
        releaseDeferredSystemTask();
        boolean moved = false;
        Proc p = (Proc) RUNNEXT.getAndSet(this, null);
        if (p != null) {
            sched.global.offer(p);
            moved = true;
        }
        while ((p = runq.steal()) != null) {
            sched.global.offer(p);
            moved = true;
        }
        if (moved) sched.wakeIdle();
    }

    /** A spare, not needed any more: hands its queue to the others and goes to the pool. */
    private void retire() {
        shedQueue();
        spareState = POOLED;
        sched.spares.pooled(this);
    }

    // =====================================================================================
    // Finding work
    // =====================================================================================

    /**
     * Whether another process could use this carrier now: something queued here or globally, a timer
     * due, or (with stealing) work queued on another carrier. Called by the running process when its
     * budget runs out; a few volatile reads.
     */
    boolean hasOtherWork() {
        // Deterministic: every budget-out is a scheduling step (the chooser may pick the same process again).
        if (sched.det != null) return true;
        if (runq.size() > 0 || runnext != null || sched.sharedWorkWaiting()) return true;
        long due = sched.timers.next();
        if (due != Long.MAX_VALUE && due - System.nanoTime() <= 0) return true;
        if (sched.stealing) {
            for (Carrier o : sched.all) {
                if (o != this && o.runq.size() > 0) return true;
            }
        }
        return false;
    }

    /**
     * The process mounted on this carrier now, or null (racy).
     *
     * @return the running process, or null when idle
     */
    public Proc running() {
        return current;
    }

    /**
     * The scheduler this carrier belongs to.
     *
     * @return the scheduler
     */
    SchedulerCore scheduler() {
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
        // Every other round the shared queues come first, a sub-poller before woken before preempted; on
        // the others this carrier's own work does, so neither can starve the other.
        boolean sharedFirst = (++schedTick & 1) == 0;
        if (runDeferredSystemTask(false) || sharedFirst && runSystemTask()) return null;
        // High priority before everything but the sub-pollers' turns (a high-priority process that
        // never waits must not cut a socket's wake-ups off); low priority first on one round in eight.
        if ((p = sched.high.poll()) != null) return p;
        if ((++lowTick & 7) == 0 && (p = sched.low.poll()) != null) return p;
        if (sharedFirst && ((p = sched.woken.poll()) != null || (p = sched.global.poll()) != null)) return p;
        if ((p = (Proc) RUNNEXT.getAndSet(this, null)) != null) {
            if (leftover > 0) {
                fromRunnext = true;
                return p;
            }
            pushLocal(p, false); // the chain used up its slice: go behind the others
        }
        if ((p = runq.poll()) != null) return p;
        if (runDeferredSystemTask(true) || runSystemTask()) return null;
        if ((p = sched.woken.poll()) != null || (p = sched.global.poll()) != null) return p;
        return findWorkSlow();
    }

    /**
     * Runs one queued task of the JDK's sub-pollers, if there is one ({@link SystemThreads}): it mounts
     * the sub-poller's virtual thread here until it parks or yields (one non-blocking poll and the
     * unparks of what was ready). No process is mounted meanwhile.
     */
    private boolean runSystemTask() {
        Runnable task = sched.system.poll();
        if (task == null) return false;
        runSystem(task);
        return true;
    }

    /**
     * Runs the sub-poller that yielded here, when it is due: once this carrier's queue is empty
     * ({@code queueEmpty}, the caller just found it so), or after as many slices as were queued ahead
     * of it. It then polls again after the processes it woke have run, not between them (each poll
     * in between would find little and cost a system call and a mount), as the JDK's own pool does by
     * queueing a yielded virtual thread behind the others.
     */
    private boolean runDeferredSystemTask(boolean queueEmpty) {
        if (deferredSystem == null || !queueEmpty && slices < deferredUntil) return false;
        Runnable task = (Runnable) DEFERRED.getAndSet(this, null);
        if (task == null) return false; // moved away meanwhile
        runSystem(task);
        return true;
    }

    /**
     * This carrier's thread, inside {@link #runSystemTask}: the sub-poller it runs yielded, and the JDK
     * resubmits it. Keeps it here, behind what is queued now (see {@link #runDeferredSystemTask}), or
     * behind {@link #POLL_DEFER_SLICES} of it while a high-priority process lives (its socket would
     * otherwise wait in the kernel's ready list, where priorities mean nothing).
     * False if one is deferred already (then it goes to the shared queue).
     */
    boolean deferSystemTask(Runnable task) {
        if (deferredSystem != null || held()) return false;
        int ahead = runq.size();
        deferredUntil = slices + (sched.highProcesses.get() > 0 ? Math.min(ahead, POLL_DEFER_SLICES) : ahead) + 1;
        deferredSystem = task;
        return true;
    }

    /** Any thread: the deferred sub-poller task, if any, to the shared queue (this carrier is held or stops). */
    void releaseDeferredSystemTask() {
        Runnable task = (Runnable) DEFERRED.getAndSet(this, null);
        if (task != null) SystemThreads.INSTANCE.execute(task);
    }

    private void runSystem(Runnable task) {
        inSystemTask = true;
        try {
            task.run();
        } catch (Throwable t) {
            sched.internalError(this, t); // the JDK's task does not throw; never let it end this thread
        }
        inSystemTask = false;
        systemTasks++;
    }

    /** Each other carrier's slice count when this one began looking for work (see stealOrGlobal). */
    private long[] slicesSeen = new long[0];
    private Carrier[] seen;

    private Proc findWorkSlow() {
        Carrier[] all = sched.all;
        seen = all;
        if (slicesSeen.length < all.length) slicesSeen = new long[all.length];
        for (int i = 0; i < all.length; i++) slicesSeen[i] = all[i].slices;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        do {
            Proc p = stealOrGlobal(false);
            if (p != null) return p;
            if (sched.timers.next() - System.nanoTime() <= 0) return null; // a timer is due: fire it
            if (!sched.system.isEmpty()) return null; // a sub-poller is due: run it
            if (spare && sched.spares.surplus()) {
                retire();
                return null;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - spinUntil < 0 && !sched.shutdown);

        // Register as idle, then look again: a producer enqueues and then reads the idle count, we
        // write the idle count and then read the queues (both full fences), so one of us sees the other.
        PARKED.setVolatile(this, true);
        sched.idleCount.incrementAndGet();
        Proc p = stealOrGlobal(true);
        if (p == null) p = runq.poll();
        if (p != null || !sched.system.isEmpty()) {
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
        sched.watchdog.busy(); // work may follow: the watchdog stops dozing
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
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /** Wakes this carrier's thread wherever it parks (timers, shutdown). */
    void unpark() {
        LockSupport.unpark(thread);
    }

    private Proc stealOrGlobal(boolean lastLook) {
        Proc p = sched.high.poll();
        if (p == null) p = sched.woken.poll();
        if (p == null) p = sched.global.poll();
        if (p != null) return p;
        if (!sched.stealing) return sched.low.poll();
        Carrier[] all = seen;
        int n = all.length;
        int start = (index + 1 + ((schedTick++) & 0x7fffffff) % Math.max(1, n - 1)) % n;
        for (int i = 0; i < n; i++) {
            int at = (start + i) % n;
            Carrier victim = all[at];
            if (victim == this) continue;
            p = victim.runq.stealInto(runq);
            // A process in another carrier's runnext normally runs as soon as that carrier's current
            // process parks (a ping-pong, a ring). Take it only if that carrier has been in one slice
            // all the while we looked for work: otherwise stealing it just bounces the work between cores.
            if (p == null && lastLook && victim.slices == slicesSeen[at]) {
                p = (Proc) RUNNEXT.getAndSet(victim, null);
            }
            if (p != null) {
                steals++;
                return p;
            }
        }
        return sched.low.poll(); // after every normal process, here and on the other carriers
    }

    /**
     * This carrier's running process woke {@code p}: it goes to {@code runnext} and runs as soon as the
     * waker parks or yields; a process already there moves to the local queue. Owner thread only.
     */
    void pushNext(Proc p) {
        assert ownedHere() : "runnext is owner-only: " + Thread.currentThread() + " on " + this;
        Proc old = (Proc) RUNNEXT.getAndSet(this, p);
        if (old != null) pushLocal(old, true);
    }

    /** Appends to the local queue (spilling half to the global queue when full). Owner thread only. */
    void pushLocal(Proc p, boolean newWork) {
        assert ownedHere() : "the local queue is owner-only: " + Thread.currentThread() + " on " + this;
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

    /**
     * Processes queued here now (racy).
     *
     * @return the local queue's length, plus one for a process in {@code runnext}
     */
    public int queueLength() {
        return runq.size() + (runnext != null ? 1 : 0);
    }

    /**
     * The carrier's number in its scheduler: 0 to n-1 for its own carriers, n and up for spares.
     *
     * @return the index
     */
    public int index() {
        return index;
    }

    /**
     * Whether this is a spare carrier (running only while others are blocked).
     *
     * @return true for a spare
     */
    boolean isSpare() {
        return spare;
    }

    /**
     * Slices run on this carrier so far.
     *
     * @return the count
     */
    public long slices() {
        return slices;
    }

    /**
     * Times this carrier stole work so far (half of another carrier's queue, or its {@code runnext}).
     *
     * @return the count
     */
    public long steals() {
        return steals;
    }

    /**
     * Times this carrier parked, idle, so far.
     *
     * @return the count
     */
    public long parks() {
        return parks;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * For the asserts of owner-only methods: the caller runs on this carrier's OS thread (the carrier
     * itself, a process mounted on it, or a sub-poller it runs).
     */
    private boolean ownedHere() {
        return VirtualThreads.currentCarrier() == thread;
    }

    @Override
    public String toString() {
        return thread.getName();
    }
}
