package dev.preempt.internal.sched;

import dev.preempt.Call;
import dev.preempt.CallException;
import dev.preempt.Down;
import dev.preempt.Exit;
import dev.preempt.ExitReason;
import dev.preempt.NoProcessException;
import dev.preempt.Pid;
import dev.preempt.Priority;
import dev.preempt.ProcessExit;
import dev.preempt.ProcessInfo;
import dev.preempt.Ref;
import dev.preempt.internal.engine.FrozenStack;
import dev.preempt.internal.engine.UnmountedStack;
import dev.preempt.internal.engine.VirtualThreads;
import dev.preempt.internal.mail.Mailbox;
import dev.preempt.internal.mail.Signal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One process: its thread of control (a virtual thread whose scheduler is this object), its mailbox,
 * its reduction budget, links and monitors.
 *
 * <p><b>Scheduling.</b> The JDK calls {@link #execute} whenever the thread becomes runnable (started,
 * yielded, unparked); the process then queues itself on a carrier. A carrier runs it by running the
 * continuation task it was handed, until the thread yields, parks or ends.
 *
 * <p><b>Ownership.</b> Links, monitors, the message list and the exit state are touched only by the
 * process itself: the signal protocol is in {@link Signals}, owner only, which Proc delegates to.
 * Others reach it only through its mailbox; it acts on their signals when it drains them: at receive,
 * sleep, yield, at a tick when signals wait, and at the end of each slice.
 *
 * <p><b>Lifecycle.</b> One field, {@link #state}, says where the process is in its life (new, active,
 * waiting in receive or sleep, unwinding after an exit was decided, exiting, exited); the diagram is
 * beside it. The process alone changes it once it has started; any thread reads it.
 *
 * <p><b>Waiting.</b> A receiver moves its {@link #state} to WAITING and then looks at its inbox once
 * more before it parks; a sender pushes its signal and then reads the state, unparking if WAITING.
 * Both are volatile accesses, so one of the two sees the other and no wake-up is lost (a spare unpark
 * only costs a spurious wake-up, which the receive loop absorbs).
 */
public final class Proc implements Executor, Runnable {

    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    private static final VarHandle REDUCTIONS, ASKED, SYS_PENDING, MOUNT, CARRIER, MOUNTS;

    static {
        try {
            REDUCTIONS = MethodHandles.lookup().findVarHandle(Proc.class, "reductions", long.class);
            ASKED = MethodHandles.lookup().findVarHandle(Proc.class, "asked", int.class);
            SYS_PENDING = MethodHandles.lookup().findVarHandle(Proc.class, "sysPending", int.class);
            MOUNT = MethodHandles.lookup().findVarHandle(Proc.class, "mount", int.class);
            CARRIER = MethodHandles.lookup().findVarHandle(Proc.class, "carrier", Carrier.class);
            MOUNTS = MethodHandles.lookup().findVarHandle(Proc.class, "mounts", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Pid pid;
    final SchedulerCore sched;
    final Thread thread;
    final Mailbox mailbox = new Mailbox();
    private final Runnable task;
    final long startNanos;

    /** Our thread's continuation task, which the JDK hands to {@link #execute}; the carrier runs it. */
    final Runnable cont;
    /** Reductions left in this slice. The running process's ticks decrement it; a carrier sets it at mount. */
    public int budget;
    /** The budget this slice started with (or was refilled to); the carrier accounts the difference. */
    int sliceStart;

    /**
     * Why this process must stop at its next tick ({@link #ASK_SLICE}, {@link #ASK_SIGNALS}), or 0. While
     * any process has a bit set, {@code Reductions.tick()} leaves its one-load fast path (see there).
     * Set by the watchdog (a slice that ran its time), by the carrier at mount (system signals wait) and
     * by the process itself (an exit it swallowed); taken by the process at the tick, and by the carrier
     * when the slice ends, so that no bit outlives its slice and keeps every tick on the slow path.
     */
    public volatile int asked;
    /** The slice has run its time: yield at the next tick if anyone else wants the carrier. */
    static final int ASK_SLICE = 1;
    /** System signals (exits, links, monitors) or an exit decided: act on them at the next tick. */
    static final int ASK_SIGNALS = 2;
    /**
     * {@code ticks=flag}: an exit waits for the process's own code ({@link #ownTickWanted}); the next tick
     * of its own code answers it, and a library's ticks leave it ({@link #answerInLibrary}).
     */
    static final int ASK_OWN_TICK = 4;
    /**
     * System signals pushed since the owner last drained; any thread increments, the owner resets. Its
     * two top bits say that one of them will end the process ({@link #stopForExit}): {@link #EXIT_PENDING},
     * and {@link #EXIT_NOW} if the next tick must act on it.
     */
    private volatile int sysPending;
    /** In {@link #sysPending}: an exit signal that ends the process waits in the inbox. */
    private static final int EXIT_PENDING = Integer.MIN_VALUE;
    /** In {@link #sysPending}: ... and the next tick acts on it (the carrier mounts the process with budget 0). */
    private static final int EXIT_NOW = 1 << 30;
    /** The carrier running it now (or last). Written by that carrier, holding the mount claim, before it mounts the thread. */
    volatile Carrier carrier;

    // ---- the mount claim: FREE -> CLAIMED (a carrier runs a slice) -> FREE, or -> CLAIMED_DROPPED -> FREE ----
    /**
     * Which carrier may run this process's slice: the one that set it from {@link #FREE} to
     * {@link #CLAIMED} ({@link #claimMount}); it sets it back when the slice is over
     * ({@link #releaseMount}). Only the holder writes the per-slice state ({@link #carrier}, the budget,
     * {@link #mounts}) and mounts the thread.
     *
     * <p>Why it exists: the JDK may queue a process twice. Taking the stack of an unmounted runnable
     * virtual thread from another thread ({@code Thread.getStackTrace}, as {@code Preempt.processInfo}
     * and the watchdog's JFR event do) suspends it and then submits it once more, "as the task may have
     * run while suspended" ({@code VirtualThread.tryGetStackTrace}). The JDK's own pool shrugs at a
     * second entry: its run returns at once. Here a carrier taking it while the process ran elsewhere
     * rewrote {@link #carrier} under the running process, whose next wake-up then pushed onto that other
     * carrier's owner-only queue from a foreign thread: processes lost, the scheduler hung
     * (StackTraceWhileRunningTest). A carrier that finds the claim held drops its entry and marks
     * {@link #CLAIMED_DROPPED}; the holder then queues the process once more when its slice is over,
     * since the dropped entry may have been its real next turn (a yield or wake-up submitted just before
     * the slice's bookkeeping ended). A stale entry taken while the claim is free only runs a slice in
     * which the JDK mounts nothing.
     */
    private volatile int mount;
    private static final int FREE = 0, CLAIMED = 1, CLAIMED_DROPPED = 2;

    /**
     * A carrier that dequeued this process: true if it may run the slice. False if another carrier
     * holds the claim (then this entry is dropped, and the holder requeues the process). Waits a little
     * first: mostly the holder is only finishing the bookkeeping of a slice whose process already
     * yielded, and then the entry in hand is the process's real next turn.
     */
    boolean claimMount() {
        for (int spins = 0; ; spins++) {
            int m = mount;
            if (m == FREE) {
                if (MOUNT.compareAndSet(this, FREE, CLAIMED)) return true;
            } else if (spins < CLAIM_SPINS) {
                Thread.onSpinWait();
            } else if (m == CLAIMED_DROPPED || MOUNT.compareAndSet(this, CLAIMED, CLAIMED_DROPPED)) {
                return false;
            }
        }
    }

    /**
     * A thread that is not a carrier (an interrupter looking at where the process waits): takes the claim
     * if it is free, so no carrier mounts the process until {@link #releaseMount}; false, and nothing
     * marked, if it is held.
     */
    boolean tryClaimMount() {
        return MOUNT.compareAndSet(this, FREE, CLAIMED);
    }

    /** About a microsecond of spinning: longer than a slice's bookkeeping, far shorter than a slice. */
    private static final int CLAIM_SPINS = 32;

    /**
     * The claim's holder, before it mounts the thread: the per-slice state. Plain (opaque) stores, not
     * volatile ones: the process reads them on the same OS thread, the claim's CAS and release order them
     * for the next holder, and other readers (the watchdog, samplers, the JFR observer) are racy anyway.
     * Each volatile store is a full fence on x86, as the claim's CAS is; these keep a slice's cost where
     * it was before the claim.
     */
    void mountedBy(Carrier c) {
        CARRIER.setOpaque(this, c);
        MOUNTS.setOpaque(this, mounts + 1);
    }

    /** The holder, its slice over: frees the claim; true if an entry was dropped meanwhile (requeue it). */
    boolean releaseMount() {
        return (int) MOUNT.getAndSet(this, FREE) == CLAIMED_DROPPED;
    }
    /** Set while it yields because its budget ran out (see {@link SchedulerCore#submit}). */
    boolean preempting;
    /** How many times a carrier has mounted it; a yield that did not change it was refused (pinned). */
    volatile long mounts;
    /** Reductions spent in finished slices (introspection, ProcessExit event). */
    volatile long reductions;
    /** Refused yields; an int that stops at its maximum (with {@link #refills} an int too, Proc is 8 bytes smaller). */
    volatile int pins;
    /**
     * Budgets refilled because nothing else wanted the carrier. Written by the process, read by the
     * {@link Watchdog}: a refill means the slice is in preemptible code, so it is not held, however long
     * it has run.
     */
    volatile int refills; // only compared for a change: wrapping round is harmless
    volatile long preemptions;

    // ---- lifecycle ----
    /*
     * The process's lifecycle. Transitions:
     *
     *       NEW -> ACTIVE      start(): its creator, just before Thread.start (which publishes it)
     *    ACTIVE -> WAITING     park(): receive or sleep is about to park the thread
     *   WAITING -> ACTIVE      park(): woken (a signal, its timer, a spurious unpark)
     *    ACTIVE -> UNWINDING   Signals.die: a signal decided it ends; ProcessExit thrown, finally blocks run
     * UNWINDING -> UNWINDING   Signals.die: another exit decided while unwinding (its reason replaces the first)
     *    ACTIVE -> EXITING     terminate(): the body returned or threw
     * UNWINDING -> EXITING     terminate(): the body ended, or it swallowed the exit Signals.SWALLOW_LIMIT times
     *   EXITING -> EXITED      terminate(): exit signals and Downs sent, exitReason published
     *
     * ACTIVE is running or runnable (or blocked in a JDK call): which, only the carrier knows
     * (Carrier.current) and the thread's state tells; state() asks them. A process parks in WAITING only
     * from ACTIVE: UNWINDING never parks (each receive or sleep first drains, which throws the exit
     * again), and after its body (an exit hook that waits) it stays EXITING or EXITED.
     *
     * Writers: the creator (NEW -> ACTIVE, before Thread.start, so before the process runs), then the
     * process itself alone; one writer at a time, so a plain volatile write, no CAS. Readers: any
     * thread. The values are ordered along the diagram: isAlive() is state < EXITING; the Registry's race with exit relies on EXITING being written (volatile) before
     * the name is released. The WAITING write and a sender's read of it are one side each of the Dekker
     * pairing with the mailbox's tail (see the class comment): park() writes WAITING, then reads the tail
     * (Mailbox.hasIncoming); signal() CASes the tail, then reads the state. Both volatile, so one of the
     * two sees the other and a wake-up is never lost.
     */
    private volatile int state;
    private static final int NEW = 0;
    private static final int ACTIVE = 1;
    private static final int WAITING = 2;
    private static final int UNWINDING = 3;
    private static final int EXITING = 4;
    private static final int EXITED = 5;

    /** Links, monitors, trapping exits, the exit decided, exit propagation: owner only (see {@link Signals}). */
    final Signals signals = new Signals(this);

    // ---- exit ----
    /** The reason it ended: written once before the state becomes EXITED, which publishes it. */
    private ExitReason exitReason;
    volatile String registeredName;
    private volatile Consumer<ExitReason> exitHook;

    Proc(SchedulerCore sched, Runnable task) {
        this.sched = sched;
        this.startNanos = sched.clock.nanoTime();
        this.budgetCap = sched.budget;
        this.task = task;
        this.pid = ApiAccess.newPid(NEXT_ID.getAndIncrement(), this);
        // Named by its pid, so that thread dumps, JFR method samples and the JDK's virtual-thread events
        // say which process they saw (registering a name adds it: see Registry).
        this.thread = sched.engine.newThread(this, pid.toString(), this); // run(): no lambda, 16 bytes a process
        mailbox.ownedBy(thread);
        this.cont = VirtualThreads.continuationOf(thread);
    }

    /**
     * The process's pid.
     *
     * @return the pid
     */
    public Pid pid() {
        return pid;
    }

    /**
     * The scheduler the process runs on.
     *
     * @return the scheduler
     */
    public SchedulerCore scheduler() {
        return sched;
    }

    /**
     * The process running on this thread, or null. Stable across carriers (it keys on the virtual thread).
     * A virtual thread that a process starts inherits the process as its scheduler (a JDK rule), so the
     * scheduler alone does not say whose thread this is: only the process's own thread is the process.
     *
     * @return the calling thread's process, or null
     */
    public static Proc current() {
        return of(Thread.currentThread());
    }

    /** The process whose own thread {@code t} is, or null (a plain thread, or a thread a process started). */
    static Proc of(Thread t) {
        return VirtualThreads.schedulerOf(t) instanceof Proc p && p.thread == t ? p : null;
    }

    /**
     * Like {@link #current()} but fails with a clear message outside a process.
     *
     * @param what the operation, for the message ({@code "receive"})
     * @return the calling thread's process
     * @throws IllegalStateException if the caller is not a process
     */
    public static Proc require(String what) {
        Proc p = current();
        if (p == null) {
            throw new IllegalStateException(what + " must be called inside a Preempt process (this is thread "
                    + Thread.currentThread() + "); start one with Preempt.spawn or Preempt.run"
                    + dev.preempt.internal.AgentStatus.hint());
        }
        return p;
    }

    /**
     * The JDK hands us our thread's continuation whenever it becomes runnable. A virtual thread that
     * this process started inherits us as its scheduler: a JDK socket sub-poller's tasks go to the
     * carriers ({@link SystemThreads}), any other's to the JDK's default scheduler, so it runs as an
     * ordinary virtual thread.
     */
    @Override
    public void execute(Runnable continuation) {
        if (continuation == cont) {
            sched.submit(this);
        } else if (!SystemThreads.INSTANCE.claim(continuation, sched)) {
            if (sched.det != null) sched.det.foreignThread(this);
            VirtualThreads.defaultScheduler().execute(continuation);
        }
    }

    void start() {
        moveTo(ACTIVE);
        sched.starter.start(thread);
    }

    /** A lifecycle transition (see {@link #state}); asserts it is one of the diagram's. */
    private void moveTo(int next) {
        assert allowed(state, next) : "lifecycle: " + state + " -> " + next + " for " + this;
        state = next;
    }

    private static boolean allowed(int from, int to) {
        return switch (to) {
            case ACTIVE -> from == NEW || from == WAITING;
            case WAITING -> from == ACTIVE;
            case UNWINDING, EXITING -> from == ACTIVE || from == UNWINDING;
            case EXITED -> from == EXITING;
            default -> false;
        };
    }

    // =====================================================================================
    // Body and exit
    // =====================================================================================

    /**
     * The body of this process's own thread: the JDK calls it once, on that thread. Not for callers (it
     * is public as {@link Runnable}'s method, which saves an object per process).
     *
     * @throws IllegalStateException if called on any other thread
     */
    @Override
    public void run() {
        if (Thread.currentThread() != thread) throw new IllegalStateException("Proc.run is its own thread's body");
        body();
    }

    private void body() {
        ExitReason r;
        try {
            drainSignals();
            task.run();
            r = lastSignals(ExitReason.NORMAL);
        } catch (ProcessExit e) {
            // Another process's exit, rethrown here by what they share (a fork/join task it was running when
            // killed fails with its exit, and every join rethrows it): a failure, not this process's exit.
            // Before, a process that joined such a task ended killed, though nobody had sent it an exit.
            r = state == UNWINDING ? lastSignals(null) : e.isForCurrentThread() ? e.reason() : lastSignals(ExitReason.exception(e));
        } catch (Throwable t) {
            OutOfMemory.check(t, sched, this); // by default the JVM ends here
            r = lastSignals(ExitReason.exception(t));
        }
        try {
            if (state < EXITING) terminate(r); // else Signals.rethrowExit ended it (and never returns)
        } catch (Throwable t) {
            sched.internalError(Thread.currentThread(), t);
        }
    }

    /**
     * Owner, as the body ends by itself (it returned or threw): acts on the system signals that came and
     * were not looked at yet. That happens when the body ends right after a blocking JDK call, which is
     * neither a receive nor a tick. An exit signal among them decides the reason: a kill that interrupted
     * the call ends the process {@code killed}, not {@code normal} or with what the interrupted call
     * threw. Links and monitors among them are set up, so they hear the real reason, not {@code noproc}
     * (a monitor taken while a process waited in an HTTP call heard {@code noproc} of its crash). A
     * process that was unwinding ends with the exit decided, unless a kill came during its last stretch:
     * then {@code killed}.
     *
     * @param ended the reason the body's end gives; ignored if an exit was decided (UNWINDING)
     */
    private ExitReason lastSignals(ExitReason ended) {
        if (sysPending != 0 || (state == UNWINDING && mailbox.hasIncoming())) { // see drainSignals
            try {
                try {
                    drainIncoming();
                } catch (ProcessExit e) { // UNWINDING now; a kill behind the exit that decided it makes it killed
                    if (mailbox.hasIncoming()) drainIncoming(); // only a kill throws now: this pass ends the drain
                }
            } catch (ProcessExit e) {
                // killed
            } catch (Throwable t) { // a bug of ours: the process still ends, with the reason it had
                sched.internalError(thread, t);
            }
        }
        return state == UNWINDING ? signals.pendingExit() : ended;
    }

    /**
     * True until the process begins exiting.
     *
     * @return whether it is alive
     */
    public boolean isAlive() {
        return state < EXITING;
    }

    /**
     * Called once before the process starts: hears its exit reason after its exit signals went out.
     *
     * @param hook called inside the process as it ends; what it throws is ignored
     */
    public void onExit(Consumer<ExitReason> hook) {
        exitHook = hook;
    }

    /**
     * The process's end, at the end of its body (or from {@link Signals#rethrowExit}): it is EXITING;
     * its name is released, its mailbox closed; signals that came too late are answered (a link gets
     * noproc, a monitor a noproc Down), exit signals go to its links and Downs to its monitors; then it
     * is EXITED and its exit hook hears the reason. Owner only.
     */
    void terminate(ExitReason reason) {
        // Ended by an exit signal (a link's crash, a kill): not a crash of its own, so no report. The
        // process whose crash it was has reported it (a boss with 200 linked workers made 201 reports).
        boolean bySignal = state == UNWINDING;
        moveTo(EXITING); // before the name is released (see Registry)
        boolean seen = exitHook != null || signals.heardOfBySomeone();
        if (!bySignal) CrashReports.processEnded(this, reason, seen);
        sched.processEnded(this, reason, seen);
        sched.registry.releaseOnExit(this);
        mailbox.close();
        if (sysPending < 0) sched.cancelled.remove(this); // after EXITING: see markExit
        signals.processEnded(reason);
        exitReason = reason;
        moveTo(EXITED); // publishes exitReason
        sched.processExited(this, reason);
        Consumer<ExitReason> hook = exitHook;
        if (hook != null) {
            try {
                hook.accept(reason);
            } catch (Throwable ignored) {
                // an exit hook must not disturb the exit
            }
        }
    }

    /** Owner: a signal decided the process ends ({@link Signals}); it is UNWINDING from now on. */
    void exitDecided() {
        moveTo(UNWINDING);
    }

    /** Whether an exit was decided and the process unwinds (racy unless the owner asks). */
    boolean unwinding() {
        return state == UNWINDING;
    }

    /** Whether the process has not started yet (its creator may still set up its links and monitors). */
    boolean isNew() {
        return state == NEW;
    }

    // =====================================================================================
    // Signals: sending and waking
    // =====================================================================================

    /** Any thread. Pushes a signal and wakes the process if it waits. False if it has exited. */
    boolean signal(Signal s) {
        if (s.kind != Signal.MESSAGE) SYS_PENDING.getAndAdd(this, 1); // before the push: the owner resets it before draining
        if (!mailbox.push(s)) return false;
        if (sched.det != null) sched.det.sent(this, s);
        int st = state;
        if (st == WAITING) {
            LockSupport.unpark(thread); // after the push: the Dekker pairing with park
        } else if (s.kind != Signal.MESSAGE) {
            if (st == ACTIVE) stopIfItEnds((SysSignal) s);
            else if (st == UNWINDING && Signals.killsUnwinding((SysSignal) s)) stopForExit();
        }
        return true;
    }

    /**
     * Any thread, having pushed {@code s} to this running process: interrupts it ({@link #stopForExit}) if
     * {@code s} will end it. The decision reads {@code trapExits}, which the owner may be changing, so it
     * is made holding the process's {@link Signals} monitor, which {@link #setTrapExits} holds to change
     * the flag: a decision is made either wholly before the change or wholly after it.
     */
    private void stopIfItEnds(SysSignal s) {
        if (!Signals.mayEnd(s)) return;
        synchronized (signals) {
            if (signals.endsProcess(s)) stopForExit();
        }
    }

    /**
     * Any thread, after pushing an exit signal that will end this process, which is not in Preempt's
     * own wait (a receive or sleep would have been woken): it runs, or it waits in a blocking JDK call
     * (a queue's {@code take}, {@code Thread.sleep}, a latch, a socket read, {@code Process.waitFor}),
     * where it reaches neither a receive nor a tick and would see the signal only once the call returned
     * by itself: never, for a {@code take()} nobody feeds (a supervisor could not stop such a worker).
     * So a thread parked in a JDK call is interrupted (from an interrupter thread, and not while the wait
     * is inside a library's code, see {@link #interruptParked}), which is how Java cancels a blocking call: the call
     * throws (or returns), and the handlers its exception runs through run to their end; the exit lands at
     * the next runtime operation, at the end of the body ({@link #lastSignals}), or at a tick once its
     * grace is over ({@link Signals#UNWIND_GRACE_NANOS}).
     *
     * <p>A process that runs is not interrupted: its interrupt status would be seen by the next
     * interruptible call it made, inside whatever library it is in, and an interruptible channel closes
     * itself there ({@code ClosedByInterruptException}: a kill closed Lucene's {@code write.lock} and its
     * writer as tragic). If it parks in a JDK call before the exit lands, its carrier interrupts it then
     * ({@link #cancelAgainIfParked}), or the watchdog if it parks pinned to its carrier
     * ({@link #exitDeadlinePassed}). It gets {@link #EXIT_AT_TICK_NANOS} to reach a runtime operation of its
     * own (a receive, a send), where the exit lands as it would in a process that waited; only then is it
     * thrown at a tick, and only where {@link ExitSites} lets it land. Thrown at the next tick, an exit
     * acted as {@code Thread.stop} inside whatever library code the process was in: a tick between two
     * steps of a shared structure's update left it broken for every process (Caffeine's cache kept
     * entries its eviction no longer saw; {@code KillSafetyIT}). A wait that ignores interrupts
     * ({@code synchronized} entry, a {@code FileInputStream} read) ends the process only once it is over.
     * An exit the process traps does not interrupt it (see {@link Signals#endsProcess}). Under a
     * deterministic scheduler, and for a kill of a process that is unwinding already, the next tick acts
     * (budget 0, a request: racy writes the process may undo by a decrement, as the watchdog's; it then
     * acts at its slice's end).
     */
    private void stopForExit() {
        if (sched.det == null && state == ACTIVE) {
            markExit();
            return;
        }
        SYS_PENDING.getAndBitwiseOr(this, EXIT_PENDING | EXIT_NOW); // a mount would give a fresh budget (see mounting)
        budget = 0;
        ask(ASK_SIGNALS);
        if (sched.det != null || parkedInJdkCall()) interruptForExit(thread); // else its carrier does if it parks
    }

    /**
     * Any thread: an exit that will end this ACTIVE process waits, with its deadline: the grace of a JDK
     * call's handlers if the process is parked in one (it is interrupted, {@link #interruptParked}), else the time it has to reach a
     * runtime operation (see {@link #stopForExit}).
     *
     * <p>Order: the mark is written before the thread's state is read, and its carrier writes the state
     * (parked) before it reads the mark ({@link #cancelAgainIfParked}); so either this sees the process
     * parked or its carrier sees the mark, and a process that was parking is interrupted by one of the two.
     * Read first, the state said "running" while the process parked in a {@code Thread.sleep}, and its
     * carrier, looking before the mark was there, left it asleep (TrapExitsRaceTest, 1 round in 50).
     */
    private void markExit() {
        Cancel fresh = new Cancel(System.nanoTime() + EXIT_AT_TICK_NANOS);
        Cancel earlier = sched.cancelled.putIfAbsent(this, fresh);
        SYS_PENDING.getAndBitwiseOr(this, EXIT_PENDING);
        if (parkedInJdkCall()) {
            Cancel c = earlier != null ? earlier : fresh;
            boolean grace = earlier == null; // the interrupted call's handlers get a grace
            BlockingPool.onInterrupter(0, () -> interruptParked(c, grace, 0));
        }
        // The process may have begun to exit since this sender found it ACTIVE: then terminate's removal
        // may have come first, and the entry would keep the dead process for good. Either that removal
        // sees this entry, or this read sees EXITING (the map's put and the state are both volatile).
        if (state >= EXITING) sched.cancelled.remove(this);
    }

    /**
     * Any thread: an exit that ends the process waits, and may be acted on at a tick {@code grace} from now.
     * Returns the waiting exit's entry (an earlier one, if one waits already).
     */
    private Cancel markExit(long grace) {
        Cancel fresh = new Cancel(System.nanoTime() + grace);
        Cancel earlier = sched.cancelled.putIfAbsent(this, fresh);
        SYS_PENDING.getAndBitwiseOr(this, EXIT_PENDING);
        return earlier != null ? earlier : fresh;
    }

    /** How long a running process has to reach a runtime operation before an exit is thrown at a tick. */
    static final long EXIT_AT_TICK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * The watchdog, looking at the process its carrier runs: if an exit waits for it and its deadline has
     * passed (see {@link #stopForExit}), the next tick acts on it. Without this, a process whose ticks
     * spend nothing ({@code ticks=flag}, a recursion) would reach no slice end to look at the deadline.
     * A process that reaches no tick is interrupted (at most every {@link #REINTERRUPT_NANOS}): one parked
     * on its carrier in a JDK wait (pinned: no unmount, so no carrier's {@link #cancelAgainIfParked}), and
     * one in a blocking native call ({@code carrier.inBlockingCall}: a {@code FileChannel} read of a pipe
     * nobody writes) once {@link ExitSites#IN_LIBRARY_NANOS} more have passed, as a slow call would return
     * by then; each only if it is still so when the pool thread interrupts it.
     */
    void exitDeadlinePassed(long now, Carrier carrier) {
        int pending = sysPending;
        if (pending >= 0 || state != ACTIVE) return;
        Cancel c = sched.cancelled.get(this);
        if (c == null || now - c.graceEnds < 0) return;
        if ((pending & EXIT_NOW) == 0) {
            SYS_PENDING.getAndBitwiseOr(this, EXIT_NOW);
            budget = 0;
            ask(ASK_SIGNALS);
        }
        if (now - c.nextInterrupt < 0) return;
        // Not on the watchdog: a channel closes itself on the interrupter. Each only while it is still so.
        // Pinned means still on this carrier: the watchdog read the process as its current just before,
        // and one that has since parked unmounted (a library's nap) is the interrupters' to decide
        // (interruptParked: not inside a library's window). Interrupted here, it was cut at the nap: one of
        // the two ways KillSitesTest's library step could be cut, which it was once in about 15 runs
        // (not reproduced on demand; the other is the claim's last try, see interruptParked).
        if (parkedPinnedTo(carrier)) {
            c.nextInterrupt = now + REINTERRUPT_NANOS;
            BlockingPool.interruptLater(thread, 0, () -> parkedPinnedTo(carrier));
        } else if (carrier.inBlockingCall && now - c.graceEnds >= ExitSites.IN_LIBRARY_NANOS) {
            c.nextInterrupt = now + REINTERRUPT_NANOS;
            BlockingPool.interruptLater(thread, 0, () -> carrier.inBlockingCall && carrier.current == this);
        }
    }

    /**
     * Whether its thread is parked in a JDK call (a wait an interrupt ends), not running, queued, or
     * blocked entering a monitor. Racy. Blocked is not parked: an interrupt does not end a monitor's entry,
     * and the status it left was seen by the next interruptible call, inside the library the process was
     * in (LibLoop, a helper's: a kill while a process entered a {@code synchronized} block closed its
     * {@code FileChannel}).
     */
    boolean parkedInJdkCall() {
        return switch (thread.getState()) {
            case WAITING, TIMED_WAITING -> true;
            default -> false;
        };
    }

    /** Whether it is parked in a JDK call while mounted on {@code carrier} (pinned: no unmount). Racy. */
    private boolean parkedPinnedTo(Carrier carrier) {
        return carrier.current == this && parkedInJdkCall();
    }

    /**
     * Owner, at a tick: whether an exit that ends the process waits but must not be acted on yet, because
     * it interrupted a JDK call and the handlers that call's exception runs through still have their grace,
     * or it came while the process ran and the process may still reach a runtime operation
     * ({@link #stopForExit}). Once the deadline has passed it is an exit for the next tick, as any other.
     */
    private boolean exitDeferred() {
        int pending = sysPending;
        if (pending >= 0 || (pending & EXIT_NOW) != 0) return false;
        Cancel c = sched.cancelled.get(this);
        if (c != null && System.nanoTime() - c.graceEnds < 0) return true;
        SYS_PENDING.getAndBitwiseOr(this, EXIT_NOW);
        return false;
    }

    /**
     * Its carrier, after a slice that ended in a park: a process whose exit waits (it was interrupted out
     * of a JDK call, see {@link #stopForExit}) and that parked in a JDK call again (its handler called one,
     * or a loop went back to its {@code take()}) is interrupted again, so that it cannot wait out its
     * exit.
     */
    void cancelAgainIfParked() {
        if (state == UNWINDING) {
            if (sched.det == null && parkedInJdkCall()) signals.parkedWhileUnwinding(thread);
        } else if (sysPending < 0 && state == ACTIVE && preempting) {
            Cancel c = sched.cancelled.get(this);
            if (c != null) c.queuedSince = System.nanoTime(); // see mounting
        } else if (sysPending < 0 && state == ACTIVE && parkedInJdkCall()) {
            Cancel c = sched.cancelled.get(this);
            long now = System.nanoTime();
            if (c == null || now - c.graceEnds >= 0) SYS_PENDING.getAndBitwiseOr(this, EXIT_NOW); // grace over: the first tick
            // At most every 10 ms: a wait that clears the interrupt and parks again (CompletableFuture.join,
            // Lock.lock, ExecutorService.close) woke at once each time, and a killed process in one burned
            // 1.6 cores until the wait ended (found by a helper re-testing the change).
            // One pending at a time: a loop that parks every millisecond (naps, a contended lock) queued
            // one per slice, each due later than the last (KillSitesTest).
            long delay = c == null ? 0 : Math.max(0, c.nextInterrupt - now);
            if (c != null) {
                if (c.interruptQueued) return;
                c.interruptQueued = true;
                c.nextInterrupt = now + delay + REINTERRUPT_NANOS;
            }
            BlockingPool.onInterrupter(delay, () -> { // not on the carrier: see BlockingPool.interruptLater
                if (c != null) c.interruptQueued = false;
                interruptParked(c, false, 0);
            });
        }
    }

    /**
     * A deterministic scheduler's carrier, after a slice that ended in a park: {@link #cancelAgainIfParked}
     * on the schedule. The carrier interrupts the process itself, so the wake is one of the run's own
     * (an interrupter thread's would be a wake from outside), and at most {@link #DET_REINTERRUPTS} times:
     * a wait that clears the interrupt and parks again ({@code CompletableFuture.join} without the agent)
     * would otherwise be woken at every step, for ever, with virtual time standing still. Before, nothing
     * interrupted it again, and a killed process whose handler went back to a {@code take()} waited there
     * for good (DeterministicSchedulerTest).
     *
     * @return true once, when it has given up: the process is left in its wait, and the run is warned
     */
    boolean cancelAgainIfParkedOnSchedule() {
        if (sysPending >= 0 || state != ACTIVE || detReinterrupts > DET_REINTERRUPTS || !parkedInJdkCall()) return false;
        if (detReinterrupts++ == DET_REINTERRUPTS) return true;
        interruptForExit(thread);
        return false;
    }

    /** How many times at most {@link #cancelAgainIfParkedOnSchedule} interrupts a process again. */
    static final int DET_REINTERRUPTS = 1_000;
    /** Its deterministic carrier only: how many times it has interrupted this process again. */
    private int detReinterrupts;

    /**
     * The interrupters (never a carrier, see {@link BlockingPool#interruptLater}): interrupts this process,
     * whose exit waits, if it is parked in a JDK call that an interrupt may end: one in its own code or a
     * socket's ({@link ExitSites#parked}). A wait inside a library's code is left to end by itself, as
     * a kill lets a library's running code return ({@link ExitSites}), and interrupted only once the
     * library's window is over ({@link Cancel#libraryUntil}): one interrupt is queued for then. Before,
     * every wait was interrupted at once, and a library that turns an interrupt into a failure halfway
     * through an update was left broken (H2, see {@link ExitSites#parked}).
     *
     * <p>It looks holding the mount claim, and interrupts before releasing it: no carrier can mount the
     * process meanwhile, so it is still in the wait that was looked at when the interrupt comes, not in
     * another it moved to. A claim held by a carrier is tried again {@link #CLAIM_TRIES} times, a
     * millisecond apart: the carrier is finishing the slice the process parked in, or runs it again (then
     * it is not parked and nothing is done), or the process is parked pinned to it (then, at the last try,
     * it is interrupted as before, wherever it waits). A claim held longer by a carrier that has not
     * mounted the process (its thread descheduled by the OS while it ends the slice) is tried again
     * every 10 ms until the library's window is over; before, the last try interrupted it wherever it
     * waited, inside a library's nap too (a likely cause of KillSitesTest's step cut once in about 15
     * runs, which a test holding the claim by hand did not reproduce).
     *
     * @param c the waiting exit (null: interrupt if parked, as before)
     * @param grace whether this is the exit's first interrupt, whose handlers get a grace
     * @param tries how many times the claim was found held
     */
    private void interruptParked(Cancel c, boolean grace, int tries) {
        if (!parkedInJdkCall()) return; // it runs: its carrier looks again when it parks (cancelAgainIfParked)
        if (c == null || sched.det != null || !UnmountedStack.available() || System.nanoTime() - c.libraryUntil >= 0) {
            interruptForExit(c, grace);
            return;
        }
        if (!tryClaimMount()) {
            Carrier k = carrier;
            if (tries >= CLAIM_TRIES && k != null && parkedPinnedTo(k)) interruptForExit(c, grace);
            else BlockingPool.onInterrupter(tries < CLAIM_TRIES ? CLAIM_RETRY_NANOS : CLAIM_RETRY_LATE_NANOS,
                    () -> interruptParked(c, grace, tries + 1));
            return;
        }
        try {
            if (!parkedInJdkCall()) return; // woken meanwhile
            ExitSites.Site site = UnmountedStack.walk(thread, ExitSites::parked);
            if (site == null || site == ExitSites.Site.OWN) {
                interruptForExit(c, grace);
            } else if (!c.lateInterruptQueued) {
                c.lateInterruptQueued = true;
                BlockingPool.interruptLater(thread, c.libraryUntil - System.nanoTime(), this::parkedInJdkCall);
            }
        } finally {
            if (releaseMount()) sched.submit(this); // a carrier dropped its entry while this held the claim
        }
    }

    private static final int CLAIM_TRIES = 10;
    private static final long CLAIM_RETRY_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
    /** After {@link #CLAIM_TRIES}: a claim still held by a carrier that has not mounted the process. */
    private static final long CLAIM_RETRY_LATE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

    /** The interrupters: interrupts the process's thread for its exit ({@code grace}: see {@link #markExit}). */
    private void interruptForExit(Cancel c, boolean grace) {
        if (grace && c != null) c.graceEnds = System.nanoTime() + Signals.UNWIND_GRACE_NANOS; // the call's handlers' grace
        interruptForExit(thread);
    }

    /**
     * Interrupts {@code t}, a process's thread, for its exit, and cancels the fork/join task it waits for in
     * the JDK's code if that is its own (a parallel stream's, {@link OwnJdkTasks}): the JDK's join there waits
     * on through interrupts. Every exit interrupt goes through here.
     */
    static void interruptForExit(Thread t) {
        t.interrupt();
        OwnJdkTasks.cancelAwaitedBy(t);
    }

    /** How often at most a process waiting out an exit in a JDK call is interrupted again. */
    static final long REINTERRUPT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * An exit that waits for the process to reach a runtime operation: when its deadline (or an interrupted
     * JDK call's grace) ends, and when the process may be interrupted again.
     */
    static final class Cancel {
        /**
         * Set by the sender; moved later by the carriers that mount the process by the time it sat preempted
         * in a queue ({@link #mounting}): the deadline is the process's own running time, so that a process
         * starved by others is not stopped at a tick for the time they ran (KillSafetyIT lost a unit of its
         * two-step update so, while another JVM loaded the machine).
         */
        volatile long graceEnds;
        volatile long nextInterrupt; // written by carriers, racily: a lost update costs one interrupt more
        /** Whether an interrupt of {@link #cancelAgainIfParked} waits for its time; cleared when it runs. */
        volatile boolean interruptQueued;
        /**
         * Its carrier: when the process was preempted and queued, or 0. Written at the slice's end, read at
         * the next mount (the mount claim orders them).
         */
        long queuedSince;
        /**
         * Owner: when a tick first found the exit past its deadline, or 0; kept when it is put off again
         * ({@link #drainAtTick}), moved as {@link #graceEnds} by queued time (by its carrier, at a mount).
         */
        long dueSince;

        /**
         * Until when a JDK wait inside a library's code is not interrupted ({@link #interruptParked}): the
         * library's window, {@link ExitSites#IN_LIBRARY_NANOS} from the exit's coming, in wall time.
         */
        final long libraryUntil;
        /** Whether the interrupt for the end of {@link #libraryUntil} is queued. */
        volatile boolean lateInterruptQueued;

        Cancel(long graceEnds) {
            this.graceEnds = graceEnds;
            this.libraryUntil = System.nanoTime() + ExitSites.IN_LIBRARY_NANOS;
        }
    }

    /**
     * Owner: its own message list, after acting on what arrived (a process cannot answer its own
     * {@link #inspectMailbox()}: it waited for itself, 5 s in a test kit's {@code messagesOf(self())}).
     *
     * @return the messages waiting, oldest first (unmodifiable)
     */
    public java.util.List<Object> ownMessages() {
        drainSignals();
        return mailbox.messages();
    }

    /**
     * Any thread: asks this process for a snapshot of its message list; the process takes it when it
     * next handles its signals (at once if it waits in receive, at its next tick if it runs), so the
     * snapshot holds what was sent before the request. Completes with null if the process has ended.
     *
     * @return the snapshot to come
     */
    public java.util.concurrent.CompletableFuture<java.util.List<Object>> inspectMailbox() {
        var answer = new java.util.concurrent.CompletableFuture<java.util.List<Object>>();
        if (!isAlive() || !signal(SysSignal.inspect(answer))) answer.complete(null);
        return answer;
    }

    /**
     * Asks this process to stop at its next tick, for {@code why}. Any thread; the first bit set counts
     * the process into {@link TickRequests}' count.
     */
    void ask(int why) {
        int a;
        do {
            a = asked;
            if ((a & why) == why) return;
        } while (!ASKED.compareAndSet(this, a, a | why));
        if (a == 0) TickRequests.add(1);
    }

    /** Takes every request bit (the process at a tick, or its carrier at the end of the slice). */
    int takeAsked() {
        if (asked == 0) return 0;
        int a = (int) ASKED.getAndSet(this, 0);
        if (a != 0) TickRequests.add(-1);
        return a;
    }

    /** Whether it waits in Preempt's own park (receive, sleep), not in a JDK park (a lock, a condition). Racy. */
    boolean waitsInPreempt() {
        return state == WAITING;
    }

    /**
     * Owner: this process just woke another from a JDK park; it gives up its carrier at its next tick
     * (if someone waits for it), so that the woken one runs before this one can take back what it
     * released. See {@link SchedulerCore#submit}.
     */
    void yieldAtNextTick() {
        budget = 0;
        ask(ASK_SLICE); // the flag-mode tick spends nothing: the request is what stops it
    }

    /**
     * Its carrier, mounting it: system signals that came while it was off a carrier are seen at the first
     * tick in {@code ticks=flag} mode, and an exit marked {@link #EXIT_NOW} at the first tick in either
     * mode (the carrier has just given it a fresh budget, which undid {@link #stopForExit}'s budget 0). An
     * exit deferred while the handlers of an interrupted JDK call run ({@link #exitDeferred}) asks nothing.
     */
    void mounting() {
        int pending = sysPending;
        if (pending < 0) {
            Cancel c = sched.cancelled.get(this);
            if (c != null && c.queuedSince != 0) {
                long queued = System.nanoTime() - c.queuedSince;
                c.graceEnds += queued; // only this carrier writes it now
                if (c.dueSince != 0) c.dueSince += queued; // the library's window too (ExitSites.IN_LIBRARY_NANOS)
                c.queuedSince = 0;
            }
        }
        if ((pending != 0 && (pending & (EXIT_PENDING | EXIT_NOW)) != EXIT_PENDING) || state == UNWINDING) ask(ASK_SIGNALS);
        if ((pending & EXIT_NOW) != 0) budget = 0;
        if (ownTickWanted) { // the fresh budget too, while an exit waits for its own code
            libraryLeft = 0; // what the last slice left is not this one's
            holdBudgetForOwnTick();
        }
    }

    /**
     * Owner, from a tick of its own code while requests are out: act on this process's own, if any. An
     * exit that waited for its own code ({@link #ownTickWanted}) has been looked at here, whatever was
     * found (see {@link #outOfBudget}).
     */
    public void answer() {
        int why = takeAsked();
        if ((why & ASK_SLICE) != 0) {
            outOfBudget();
        } else if (why != 0) {
            signalsAtTick();
            if (ownTickWanted) stopWantingOwnTick();
        }
    }

    /** Owner, at a tick: an exit decided and swallowed is thrown again; system signals are acted on. */
    private void signalsAtTick() {
        exitAgainAtTick();
        if ((mailbox.hasIncoming() || sysPending < 0) && !exitDeferred()) drainAtTick();
    }

    /**
     * Owner, at a tick: acts on what arrived, except that an exit that would end the process is put off
     * ({@link Signals#deferExits}) until the process reaches a runtime operation or its deadline passes
     * (see {@link #stopForExit}): the sender marks the exit after pushing it, and a slice's end that drained
     * in between threw it there and then, inside whatever the process ran (KillSafetyIT lost 1-6 units
     * of 500 that way).
     */
    private void drainAtTick() {
        int st = state;
        if (sched.det != null || (st != ACTIVE && st != UNWINDING)) {
            drainIncoming();
            return;
        }
        long putOff = EXIT_AT_TICK_NANOS, due = 0;
        if (st == ACTIVE && (sysPending & EXIT_NOW) != 0) { // past its deadline: thrown here if it may land here
            Cancel c = sched.cancelled.get(this);
            due = c != null && c.dueSince != 0 ? c.dueSince : System.nanoTime();
            putOff = ExitSites.putOff(due);
            if (putOff < 0) {
                if (ownTickWanted) stopWantingOwnTick();
                drainIncoming();
                return;
            }
        }
        signals.deferExits = true; // a kill while UNWINDING is thrown by exitAgainAtTick, where it may land
        try {
            drainIncoming();
        } finally {
            signals.deferExits = false;
        }
        if (signals.exitPutOff()) { // again, with a new deadline: drainIncoming took the mark
            markExit(putOff).dueSince = due;
            // Put off in a library's code: its own code's next tick looks again (see ownTickWanted). Not
            // when this tick was its own code's by the agent's rule and a library's by ExitSites' (a
            // process whose entry is another jar's: there every own tick would walk the stack). With
            // ticks=flag, whose own ticks do not read the budget, a request does it (ASK_OWN_TICK).
            if (putOff == 0 && atLibraryTick) ownTickWanted = true;
        }
    }

    /** Owner, at a tick: an exit decided and swallowed is thrown again (after its grace); until it ends, each tick looks again. */
    private void exitAgainAtTick() {
        if (state == UNWINDING) signals.exitAgainAtTick();
    }

    /**
     * Any thread: if it is a process's own and system signals came that it has not acted on, acts on
     * them now (an exit among them throws {@link ProcessExit}). Never yields: {@code spawn} and
     * {@code exit(pid, reason)} call it so that a process killed during a wait that ignores interrupts
     * starts nothing and sends no exit signal, without moving where slices end (a yield at a spawn
     * changed the schedules deterministic tests had found their bugs in).
     */
    public static void signalsFirst() {
        if (current() instanceof Proc p) p.signalsFirstHere();
    }

    /**
     * A process's own thread, interrupted in a JDK wait that ignores interrupts ({@code hooks.Waits}): acts
     * on its signals as {@link #signalsFirst()} does, so that an exit ends it there, before the lock is
     * taken; but only where {@link ExitSites} lets an exit land. A wait in a library's code goes on, and
     * the exit lands once the library returns to the process's own code (or, for a wait that does not
     * end, {@link ExitSites#IN_LIBRARY_NANOS} after its deadline: the carrier interrupts it again every
     * {@link #REINTERRUPT_NANOS}). Thrown at the lock, the exit cut the library's update between two steps:
     * a helper's Lucene writer lost its {@code DocumentsWriterPerThread} state so, and H2 a connection's
     * auto-commit, which left its table locked ({@code KillSitesTest}). Likewise for a clean-up whose
     * grace is over ({@link Signals#exitAgainInWait}): without it, one that waited for a lock for good kept
     * its process from ending.
     *
     * @return whether the interrupt was the exit's (the wait need not set it again)
     */
    public static boolean signalsInWait() {
        return current() instanceof Proc p && p.signalsInWaitHere();
    }

    private boolean signalsInWaitHere() {
        if (state == UNWINDING) {
            signals.deferExits = true; // a kill is thrown by exitAgainInWait, where it may land
            try {
                if (mailbox.hasIncoming()) drainIncoming();
            } finally {
                signals.deferExits = false;
            }
            return signals.exitAgainInWait();
        }
        int pending = sysPending;
        if (pending == 0) return false;
        if (pending < 0 && sched.det == null && state == ACTIVE) {
            Cancel c = sched.cancelled.get(this);
            long off = c == null ? -1 : ExitSites.putOff(c.graceEnds); // -1 in its own code, or past the library's window
            if (off >= 0) {
                // No interrupt until it may land: each sent the waiter to the back of the lock's queue again
                // (a helper's killed process in a contended lock inside a library took 1-3.5 s to end).
                long until = off > 0 ? System.nanoTime() + off : c.graceEnds + ExitSites.IN_LIBRARY_NANOS;
                if (until - c.nextInterrupt > 0) c.nextInterrupt = until;
                return true;
            }
        }
        drainIncoming();
        return false;
    }

    /** Owner: {@link #signalsFirst()}. */
    void signalsFirstHere() {
        if (sysPending != 0) drainIncoming();
    }

    /** Owner: moves what arrived into the mailbox, acting on system signals (may throw ProcessExit). */
    private void drainIncoming() {
        int pending = sysPending;
        if (pending != 0) {
            sysPending = 0;
            if (pending < 0) sched.cancelled.remove(this);
        }
        signals.drain();
    }

    /**
     * Any thread: a message. Dropped silently if the process has exited.
     *
     * @param message the message, already admitted by the send policy
     */
    public void deliver(Object message) {
        signal(new Signal(Signal.MESSAGE, message));
    }

    // =====================================================================================
    // Owner side: draining signals
    // =====================================================================================

    /** Owner. Acts on every signal that arrived; may end the process by throwing {@link ProcessExit}. */
    public void drainSignals() {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        if (state == UNWINDING) {
            // A kill makes it killed (Signals.die). Not sysPending: the exit that decided the unwinding was
            // thrown in the middle of a drain, after sysPending was reset, and what came behind it (a
            // supervisor's kill after its shutdown) is still in the inbox.
            if (mailbox.hasIncoming()) drainIncoming();
            signals.rethrowExit();
        }
        drainIncoming();
    }

    // =====================================================================================
    // Owner side: receive, sleep, yield, slice end
    // =====================================================================================

    /**
     * Owner. Removes and returns the first message after {@code mark} (null: the oldest) that matches,
     * waiting up to {@code timeoutNanos} (negative: forever; zero: do not wait). Returns
     * {@link Mailbox#NO_MATCH} on timeout.
     *
     * @param match accepts the wanted messages
     * @param timeoutNanos how long to wait: negative forever, zero not at all
     * @param mark look only at messages after this one (from {@link #mark()}); null: all
     * @return the message, or {@link Mailbox#NO_MATCH}
     */
    public Object receive(Predicate<Object> match, long timeoutNanos, Signal mark) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        budget--;
        long deadline = timeoutNanos > 0 ? sched.clock.nanoTime() + timeoutNanos : 0;
        Signal from = mark;
        Timers.Entry timer = null;
        boolean interrupted = false;
        try {
            for (;;) {
                drainSignals();
                Object m = mailbox.takeFirst(from, match);
                if (m != Mailbox.NO_MATCH) return m;
                from = mailbox.lastScanned();
                if (timeoutNanos == 0) return Mailbox.NO_MATCH;
                if (timeoutNanos > 0) {
                    if (deadline - sched.clock.nanoTime() <= 0) return Mailbox.NO_MATCH;
                    if (timer == null) timer = sched.timers.add(this, deadline);
                }
                interrupted |= park();
            }
        } finally {
            if (timer != null) sched.timers.cancel(timer);
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Owner. The newest message now queued, as a marker for a receive that only wants later ones.
     *
     * @return the newest signal, or null if the mailbox is empty
     */
    Signal mark() {
        drainSignals();
        return mailbox.newest();
    }

    /**
     * Owner. Sleeps without holding a carrier; exit signals still end the process meanwhile.
     *
     * @param nanos how long (zero or negative: only act on signals)
     */
    public void sleep(long nanos) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        budget--;
        long deadline = sched.clock.nanoTime() + Math.max(0, nanos);
        Timers.Entry timer = null;
        boolean interrupted = false;
        try {
            for (;;) {
                drainSignals();
                if (deadline - sched.clock.nanoTime() <= 0) return;
                if (timer == null) timer = sched.timers.add(this, deadline);
                interrupted |= park();
            }
        } finally {
            if (timer != null) sched.timers.cancel(timer);
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Owner. Parks until a signal arrives or a timer of ours fires (it unparks us). Returns whether the
     * thread's interrupt status was set (it is cleared, so that the caller's loop does not spin; the
     * caller restores it when it returns).
     */
    private boolean park() {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        // Only an ACTIVE process waits (see state): after its body, an exit hook that waits leaves the
        // state alone, and no waker looks at it then (its mailbox is closed).
        boolean waits = state == ACTIVE;
        if (waits) moveTo(WAITING); // before the inbox check below: the Dekker pairing with signal
        try {
            if (!mailbox.hasIncoming()) LockSupport.park(this);
        } catch (StackOverflowError tooDeep) {
            // Parking freezes the stack, which can run out of room as a yield can (see yieldNow). The
            // caller's loop looks again and parks again: this process waits holding its carrier, as a
            // pinned one does, rather than dying of a wait.
            pinned(PIN_STACK);
            Thread.onSpinWait();
        } finally {
            if (waits) moveTo(ACTIVE);
        }
        return Thread.interrupted();
    }

    /** Owner. Gives up the rest of the slice: goes behind the other runnable processes. */
    public void yieldSlice() {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        drainSignals();
        yieldNow();
        checkStack();
        drainSignals();
    }

    /**
     * Owner, from the tick hook of the process's own code when the budget ran out: act on signals, then
     * yield the carrier, unless nothing else wants it (then a switch would be pure cost: refill the budget
     * and run on). On a spare carrier that is no longer needed it yields anyway, so that the spare can
     * retire. An exit that waited for its own code ({@link #ownTickWanted}) has been thrown here if it
     * could land here; if it did not, it waits for a slice's end again.
     */
    public void outOfBudget() {
        sliceTick();
        if (ownTickWanted) stopWantingOwnTick();
    }

    /**
     * Owner, from the tick hook of a library's code ({@code Reductions.tickInLibrary}, in classes the agent
     * took for a library's: from a jar other than the main class's). As {@link #outOfBudget}, except
     * while an exit waits for the process's own code ({@link #ownTickWanted}): then the slice's
     * reductions are spent from {@link #libraryLeft} with the budget held at 0, so that the next tick of
     * its own code, not the end of the slice, looks at the exit again.
     */
    public void outOfBudgetInLibrary() {
        if (ownTickWanted) {
            if (state != ACTIVE) {
                stopWantingOwnTick();
                if (budget >= 0) return; // the slice's budget is back
            } else {
                int left = libraryLeft + budget; // the budget was 0: it is minus what the tick spent
                if (left > 0 && (asked & ~ASK_OWN_TICK) == 0) {
                    libraryLeft = left;
                    budget = 0;
                    return;
                }
                libraryLeft = 0; // the slice is over, or cut (a request: the watchdog's time cut, a wake-up's yield)
                budget = Math.min(left, 0);
            }
        }
        atLibraryTick = true;
        try {
            sliceTick();
        } finally {
            atLibraryTick = false;
        }
        holdBudgetForOwnTick();
    }

    /**
     * Owner, from a library's tick while requests are out: {@link #answer}, known to be a library's tick,
     * except that a request for the process's own code ({@link #ASK_OWN_TICK}) alone is left for it.
     */
    public void answerInLibrary() {
        if (asked == ASK_OWN_TICK && ownTickWanted) return;
        int why = takeAsked();
        atLibraryTick = true;
        try {
            if ((why & ASK_SLICE) != 0) {
                if (ownTickWanted) {
                    // the held slice's reductions back first, as outOfBudgetInLibrary does: sliceTick accounts what
                    // was spent, and a refill (nobody waits) must replace them, not be added to them
                    budget = Math.max(budget, 0) + libraryLeft;
                    libraryLeft = 0;
                }
                sliceTick(); // not outOfBudget: an exit this tick puts off waits for its own code
            } else if ((why & ~ASK_OWN_TICK) != 0) {
                signalsAtTick();
            }
        } finally {
            atLibraryTick = false;
        }
        holdBudgetForOwnTick();
    }

    /**
     * Set (owner) when an exit past its deadline was put off at a tick in a library's code
     * ({@link ExitSites}): the exit then waits for the process's own code, and before, the next look
     * was the next slice's end, which mostly fell in the library again. A loop around a Jackson parse
     * (a millisecond in the library, a few ticks in its own code) took 0.2-3.9 s from a kill to its
     * Down, and past {@link ExitSites#IN_LIBRARY_NANOS} the exit was thrown inside the library after
     * all. While it is set, the budget is held at 0 and the slice's reductions kept in
     * {@link #libraryLeft} ({@link #holdBudgetForOwnTick}), so the first tick of its own code looks.
     * Cleared at that tick, whatever it finds. Owner only, but for the carrier's {@link #mounting},
     * ordered by the mount claim.
     */
    private boolean ownTickWanted;
    /**
     * While {@link #ownTickWanted}: the reductions left in the slice, spent by a library's ticks
     * ({@link #budgetSeen}).
     */
    private int libraryLeft;

    /** The budget as the watchdog looks for ticks (racy): a held slice's ticks spend {@link #libraryLeft}. */
    int budgetSeen() {
        return budget + libraryLeft;
    }
    /** Owner: the tick being handled is a library's ({@link #outOfBudgetInLibrary}), for {@link #drainAtTick}. */
    private boolean atLibraryTick;

    /**
     * Owner (or its carrier at mount): while an exit waits for its own code, the budget waits at 0, and
     * with {@code ticks=flag} its own code's next tick is asked to look ({@link #ASK_OWN_TICK}: the
     * carrier takes every request at a slice's end).
     */
    private void holdBudgetForOwnTick() {
        if (!ownTickWanted) return;
        if (budget > 0) {
            libraryLeft += budget;
            budget = 0;
        }
        if (TickRequests.FLAG_MODE) ask(ASK_OWN_TICK);
    }

    /** Owner: the budget back from {@link #libraryLeft}, at most a slice's. */
    private void stopWantingOwnTick() {
        ownTickWanted = false;
        if (libraryLeft > 0) budget = Math.min(budgetCap, Math.max(budget, 0) + libraryLeft);
        libraryLeft = 0;
    }

    private void sliceTick() {
        takeAsked();
        exitAgainAtTick();
        growBudgetCap();
        if ((mailbox.hasIncoming() || sysPending < 0) && !exitDeferred()) drainAtTick();
        Carrier c = carrier; // the carrier we are mounted on: it wrote this before mounting us
        if (c != null && !c.hasOtherWork() && !c.surplusSpare()) {
            account(sliceStart - budget);
            budget = sliceStart = budgetCap;
            refills++; // the watchdog: this slice reached a tick, and would have yielded had anyone waited
            return;
        }
        preemptions++;
        preempting = true; // read by the carrier that queues us after the yield (the same OS thread)
        try {
            yieldNow();
        } finally {
            preempting = false;
        }
        checkStack();
        if ((mailbox.hasIncoming() || sysPending < 0) && !exitDeferred()) drainAtTick();
    }

    /**
     * Owner, just after a yield froze the stack: a process whose frozen stack has grown past the
     * scheduler's bound ends with a StackOverflowError, thrown here as the VM throws one at a full thread
     * stack (catchable, finally blocks run). Unbounded, a runaway recursion that is preempted on its way
     * down never meets the carrier's stack limit: its frames move to the heap until the heap is gone, and
     * eight of them took a 6 GB JVM down. See {@link FrozenStack}.
     *
     * <p>Measured at every fourth mount, not every one: the walk cost 7-9 ns of a yield+resume of ~195
     * (JMH {@code yieldPreempt}, with {@code jdk.internal.vm} open as users run it, 2 x 3 forks each way).
     * A slice spends at most a budget (4,000 reductions, a frame at least one), so a runaway recursion
     * passes the bound by at most three slices' frames before it is seen.
     */
    private void checkStack() {
        long max = sched.maxStack;
        if (max > 0 && (mounts & 3) == 0 && FrozenStack.bytes(thread, max) > max) {
            throw new StackOverflowError("the stack of process " + pid + " passed " + (max >> 20)
                    + " MB, Preempt's bound on a process's stack (option maxstack=, 0 for no bound)");
        }
    }

    /**
     * Yields the carrier; if the VM refuses (a native frame, say), counts a pin and runs on. A yield that
     * runs out of stack is refused too: freezing a deep stack of interpreted frames needs native stack
     * of its own (HotSpot's slow freeze recurses once per frame), so a legal recursion at 40% of the
     * stack got a StackOverflowError from {@code Continuation.doYield}. The JDK restores the thread's
     * state before that error leaves {@code Thread.yield} ({@code VirtualThread.tryYield}), so the
     * process runs on, as it would unpreempted, and tries again after the pin back-off.
     */
    private void yieldNow() {
        long before = mounts;
        try {
            Thread.yield(); // the carrier that resumes us sets a fresh budget (and accounts for this slice)
        } catch (StackOverflowError tooDeep) {
            pinned(PIN_STACK);
            return;
        }
        if (mounts == before) {
            pinned(null);
        } else {
            pinStreak = 0;
        }
    }

    /** The pin reason of a yield that ran out of stack (other reasons are guessed from the stack). */
    static final String PIN_STACK = "stack too deep to yield";

    /** Refused yields in a row; the retry budget doubles with each, up to a full budget. Owner only. */
    private byte pinStreak; // saturates at MAX_PIN_SHIFT: a byte, not an int, keeps Proc 8 bytes smaller
    /**
     * The {@link Priority}'s ordinal. Written by the owner only; read by whoever queues the
     * process (a plain read: a waker that still sees the old priority queues it once more where it was).
     */
    byte priority = NORMAL;
    /** {@link #priority}'s values: {@link Priority}'s ordinals. */
    static final byte LOW = 0, NORMAL = 1, HIGH = 2;

    /**
     * Owner, from a tick inside a static initialiser: a yield would be refused, so count the pin and
     * run on with a full budget. Exit signals wait for the next ordinary tick: unwinding a process out
     * of {@code <clinit>} would leave the class unusable for everyone.
     */
    public void budgetOutInInitializer() {
        countPin(sched.budget, null);
    }

    /**
     * A refused yield: count it and try again after a short budget (the pin may be a monitor about to
     * be released), twice as long after each refusal in a row, so that a long pinned stretch (code
     * called from a class initialiser) does not pay a refused yield every few hundred reductions.
     */
    private void pinned(String reason) {
        int shift = pinStreak;
        if (shift < MAX_PIN_SHIFT) pinStreak = (byte) (shift + 1);
        countPin(Math.min(sched.budget, sched.retryBudget << shift), reason);
    }

    /**
     * The bound on the back-off's doubling. It only keeps the shift from overflowing: the retry budget is
     * at most 256 (2^8), so the back-off stays at most 2^24 reductions, a positive int (and Java takes a
     * shift distance modulo 32, so an unbounded streak would wrap round to short budgets). Any scheduler
     * budget under 2^24 caps the back-off first, after log2(budget / retry budget) refusals in a row.
     */
    private static final int MAX_PIN_SHIFT = 16;

    /**
     * Counts a refused (or not tried) yield, accounts what the slice spent, and runs on with {@code next}.
     * {@code reason} is null when only the stack can tell (the JFR layer then guesses from it).
     */
    private void countPin(int next, String reason) {
        if (pins != Integer.MAX_VALUE) pins++;
        account(sliceStart - budget);
        budget = sliceStart = next;
        sched.pinned(this, reason);
    }

    /**
     * The watchdog: this process's slice has run past the time slice; it yields at its next tick (if
     * another process wants the carrier) though budget is left. A plain write from another thread: a
     * decrement racing with it may undo it, and the watchdog asks again next round. The slice's
     * reductions are then counted as its whole budget.
     */
    void cutSlice(Carrier on) {
        slowed = true;
        budget = 0;
        ask(ASK_SLICE);
        if (on.current != this) takeAsked(); // the slice ended meanwhile: its carrier may have taken the bits already
    }

    /**
     * The budget this process's slices start with: the scheduler's, or less for a process whose
     * reductions take long (code that ticks rarely, such as a loop around JDK calls: 4,000 reductions
     * took 2.6 ms around a regular-expression match). The watchdog halves it when it sees one slice in
     * two of its rounds ({@link #slowSlice()}); each slice that then ends on its budget without that
     * grows it by an eighth, back up to the scheduler's. So such a process's slices settle below the
     * watchdog's period instead of at the time slice, and a process woken beside it waits that long,
     * not 2-3 ms. Written by the process and (halving) by the watchdog; a lost update only delays the
     * next step.
     */
    int budgetCap;
    /** Set by the watchdog when it slowed or cut the current slice: the slice then earns no growth. */
    boolean slowed;

    /** The watchdog: this slice has lasted over one of its periods; later slices get half the budget. */
    void slowSlice() {
        slowed = true;
        budgetCap = Math.max(sched.retryBudget, budgetCap >> 1);
    }

    /** Owner, when a slice's budget ran out: an unslowed slice grows the cap back toward the scheduler's. */
    private void growBudgetCap() {
        if (slowed) {
            slowed = false;
        } else if (budgetCap < sched.budget) {
            budgetCap = Math.min(sched.budget, budgetCap + Math.max(1, budgetCap >> 3));
        }
    }

    /** Carrier, after a slice: adds what it spent. */
    void account(int spent) {
        // One writer at a time: the holder of the mount claim (its carrier, or the process mounted on it);
        // the claim's CAS and release order successive holders. So no atomic add: readers are racy.
        if (spent > 0) REDUCTIONS.setOpaque(this, reductions + spent);
    }

    // =====================================================================================
    // Owner side: links, monitors, exits (called by the process on itself; see Signals)
    // =====================================================================================

    /**
     * Owner. Turns exit signals into {@link Exit} messages, or not.
     *
     * @param on whether to trap exits
     */
    public void setTrapExits(boolean on) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        signalsFirstHere(); // what came before the call is acted on under the old setting
        // Against a sender deciding, under the same monitor, whether its exit ends this process (and so
        // interrupting it: stopIfItEnds). Found by TrapExitsRaceTest: with the flag read racily, a process
        // turning trapping on got an InterruptedException for an exit it then received as a message, and
        // one turning it off slept through an exit that ended it once the sleep was over.
        boolean exitComing;
        synchronized (signals) {
            exitComing = on && sysPending < 0; // a sender decided, just before, that its exit ends us
            if (!exitComing) signals.trapExits(on);
        }
        // Turned on: an exit decided before the change ends the process now, as it would have. Turned off:
        // an exit whose sender took it for trapped (and so interrupted nothing) ends it now, not after
        // whatever wait comes next.
        // Whatever sysPending says: the drain before the change may have reset it for a signal counted but
        // not yet pushed, whose sender then found trapping still on and interrupted nothing
        // (TrapExitsRaceTest, 1 in 1,000 rounds); such a signal is in the inbox by now.
        if (exitComing || !on) drainIncoming();
    }

    /**
     * Owner. Sets the process's scheduling priority; it applies from the next time it is queued.
     *
     * @param p the new priority
     * @return the previous one
     */
    public Priority setPriority(Priority p) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        Priority old = priority();
        byte next = (byte) p.ordinal();
        if ((next == HIGH) != (priority == HIGH)) sched.highProcesses.addAndGet(next == HIGH ? 1 : -1);
        priority = next;
        return old;
    }

    /**
     * The process's scheduling priority (racy unless called by the owner).
     *
     * @return the priority
     */
    public Priority priority() {
        return PRIORITIES[priority];
    }

    private static final Priority[] PRIORITIES = Priority.values();

    /**
     * Whether the process traps exits (racy unless called by the owner).
     *
     * @return the flag
     */
    public boolean trapsExits() {
        return signals.trapsExits();
    }

    /**
     * Owner. Links to {@code other}; noproc (exception, or an Exit message if trapping) if it is dead.
     *
     * @param other the process to link to
     * @throws NoProcessException if {@code other} is dead and this process does not trap exits
     */
    public void link(Proc other) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        signals.link(other);
    }

    /** Owner. Links a child that has not started yet: both sides at once, before it runs. */
    void linkUnstarted(Proc child) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        signals.linkBeforeStart(child);
    }

    /**
     * Owner. After it returns, the link (if any) has no further effect on this process.
     *
     * @param other the linked process
     */
    public void unlink(Proc other) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        signals.unlink(other);
    }

    /**
     * Owner. Sets a monitor on {@code target}: a Down arrives when it ends (at once, noproc, if it has).
     *
     * @param target the process to watch
     * @return the monitor's reference
     */
    public Ref monitor(Proc target) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        return signals.monitor(target);
    }

    /** Owner. Monitors a child that has not started yet. */
    Ref monitorUnstarted(Proc child) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        return signals.monitorBeforeStart(child);
    }

    /**
     * Owner. Removes a monitor. After it returns no Down for {@code ref} is added to the mailbox; with
     * {@code flush}, one already there is removed too. Returns true if the monitor was active.
     *
     * @param ref the monitor's reference
     * @param flush whether to remove a Down for it already in the mailbox
     * @return true if the monitor was active
     */
    public boolean demonitor(Ref ref, boolean flush) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        return signals.demonitor(ref, flush);
    }

    // =====================================================================================
    // Request/reply
    // =====================================================================================

    /** The reply to a call, as the caller's mailbox holds it (only while that call waits). */
    record Reply(Ref tag, Object value) {}

    /**
     * Owner. Calls {@code server}: monitors it, sends a {@link Call} tagged with the monitor's
     * reference, and waits for the reply, the server's death or the timeout. Only messages that arrive
     * after the request are looked at (BEAM's receive marker), so a long mailbox of unrelated messages
     * is not rescanned. A late reply is dropped when it arrives.
     *
     * @param server the process to call
     * @param request the request, already admitted by the send policy
     * @param timeoutNanos how long to wait (negative: forever)
     * @return the reply
     * @throws CallException on timeout, if the server dies first, or if it is this process
     * @throws NoProcessException if the server is not there
     */
    Object call(Proc server, Object request, long timeoutNanos) {
        assert ownedHere() : "owner only, called on " + Thread.currentThread() + " for " + this;
        if (server == this) {
            throw new CallException(pid, ExitReason.of("calling_self"), "call: " + pid + " called itself (it would wait forever)");
        }
        Signal mark = mark();
        Ref ref = monitor(server);
        signals.awaitReply(ref);
        try {
            server.deliver(new Call(ref, pid, request));
            Object m = receive(x -> (x instanceof Reply r && r.tag == ref) || (x instanceof Down d && d.ref() == ref),
                    timeoutNanos, mark);
            if (m == Mailbox.NO_MATCH) {
                throw new CallException(server.pid, ExitReason.of("timeout"), "call to " + server.pid
                        + " timed out after " + (timeoutNanos / 1_000_000) + " ms (request " + request + ")");
            }
            if (m instanceof Down d) {
                if (d.reason() == ExitReason.NOPROC) {
                    throw new NoProcessException(server.pid, "call to " + server.pid + ": no such process");
                }
                throw new CallException(server.pid, d.reason(), "call to " + server.pid + ": the server exited with " + d.reason());
            }
            return ((Reply) m).value;
        } finally {
            signals.awaitReply(null);
            if (!signals.demonitor(ref, false)) { // it fired: its Down may be in the mailbox
                mailbox.takeFirst(mark, x -> x instanceof Down d && d.ref() == ref); // only after the marker
            }
        }
    }

    /**
     * {@link #call} from any thread: inside a process it is a plain call; from a plain thread a helper
     * process makes the call and this thread waits for its answer (which it rethrows if it failed).
     *
     * @param server the process to call
     * @param request the request, already admitted by the send policy
     * @param timeoutNanos how long to wait (negative: forever)
     * @return the reply
     * @throws CallException as {@link #call} does
     */
    public static Object callFromAnywhere(Pid server, Object request, long timeoutNanos) {
        Proc target = ApiAccess.procOf(server);
        Proc self = current();
        if (self != null) return self.call(target, request, timeoutNanos);
        return target.sched.inProcess(() -> current().call(target, request, timeoutNanos));
    }

    /**
     * Owner. Waits for the reply tagged {@code tag} that {@link #reply} delivers, looking only at messages
     * after {@code mark}; a reply with another tag, or one that comes after this returned, is dropped.
     */
    Object awaitReply(Ref tag, Signal mark) {
        signals.awaitReply(tag);
        try {
            return ((Reply) receive(x -> x instanceof Reply r && r.tag == tag, -1, mark)).value;
        } finally {
            signals.awaitReply(null);
        }
    }

    /** Any thread: a reply tagged {@code tag} for this process (dropped unless it waits for that tag). */
    void reply(Ref tag, Object value) {
        signal(SysSignal.reply(tag, value));
    }

    /**
     * Any thread: answers {@code call} (the reply goes to its caller, and is dropped there if the caller
     * is gone or no longer waits for it). No send policy is applied here.
     *
     * @param call the request being answered
     * @param value the reply
     */
    public static void replyTo(Call call, Object value) {
        if (call.from().isRemote()) { // a call from another node (an Erlang gen_server:call)
            dev.preempt.internal.RemoteRouting.reply(call, value);
            return;
        }
        ApiAccess.procOf(call.from()).reply(call.tag(), value);
    }

    /**
     * Any thread. Sends an exit signal from {@code from} (null: not a process).
     *
     * @param from the sending process, or null
     * @param reason the signal's reason
     */
    public void exitSignal(Proc from, ExitReason reason) {
        signal(SysSignal.exit(from, reason));
    }

    /**
     * Any thread. An exit signal from a process of another node (the distribution layer calls it for a
     * remote {@code exit/2} and for the exit of a remote linked process): it acts as one from a local
     * process would, and a process trapping exits gets {@code Exit(from, reason)}.
     *
     * @param from the remote sender's pid
     * @param reason the signal's reason
     */
    public void remoteExitSignal(Pid from, ExitReason reason) {
        signal(SysSignal.remoteExit(from, reason));
    }

    // =====================================================================================
    // Introspection (racy snapshots unless called by the owner)
    // =====================================================================================

    /**
     * The processes linked to this one (a racy snapshot unless called by the owner).
     *
     * @return their pids
     */
    public List<Pid> linkedPids() {
        return signals.linkedPids();
    }

    /**
     * The processes this one monitors (racy unless called by the owner).
     *
     * @return their pids, one per monitor
     */
    public List<Pid> monitoredPids() {
        return signals.monitoredPids();
    }

    /**
     * The processes that monitor this one (racy unless called by the owner).
     *
     * @return their pids, one per monitor
     */
    public List<Pid> monitoredByPids() {
        return signals.monitoredByPids();
    }

    /**
     * What the process is doing, as {@link ProcessInfo} shows it (racy unless called by the owner). An
     * active process is running if a carrier runs it now, waiting if its thread is blocked in a JDK call,
     * else runnable (a new or an unwinding process counts as active).
     *
     * @return the state
     */
    public ProcessInfo.State state() {
        int s = state;
        if (s == EXITED) return ProcessInfo.State.DEAD;
        if (s == EXITING) return ProcessInfo.State.EXITING;
        if (s == WAITING) return ProcessInfo.State.WAITING;
        Carrier c = carrier;
        if (c != null && c.current == this) return ProcessInfo.State.RUNNING;
        return switch (thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED -> ProcessInfo.State.WAITING;
            case TERMINATED -> ProcessInfo.State.DEAD;
            default -> ProcessInfo.State.RUNNABLE;
        };
    }

    /**
     * {@link #state()} in lower case, for traces and the JMX and JFR views: running, runnable, waiting,
     * exiting or dead.
     *
     * @return the state's name
     */
    public String stateName() {
        return state().name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reductions spent so far, the running slice included (racy when another thread asks).
     *
     * @return the count
     */
    public long reductions() {
        Carrier c = carrier;
        long running = c != null && c.current == this ? Math.max(0, sliceStart - budget) : 0;
        return reductions + running;
    }

    /**
     * Yields that were refused (pinned) so far.
     *
     * @return the count
     */
    public long pins() {
        return pins;
    }

    /**
     * Time since it was created.
     *
     * @return nanoseconds
     */
    public long lifetimeNanos() {
        return sched.clock.nanoTime() - startNanos;
    }

    /**
     * What it was started as: a Server class, a supervisor child, an @Process method, or its body's class.
     *
     * @return the description (see {@link Entry#describe})
     */
    public String entryName() {
        return Entry.describe(task);
    }

    /**
     * The carrier running it now, or the last one that did (null before it first ran).
     *
     * @return the carrier, or null
     */
    public Carrier carrier() {
        return carrier;
    }

    /**
     * Slices that ended because the budget ran out and another process wanted the carrier.
     *
     * @return the count
     */
    public long preemptions() {
        return preemptions;
    }

    /**
     * The process's registered name.
     *
     * @return the name, or null if it has none
     */
    public String registeredName() {
        return registeredName;
    }

    /**
     * Messages waiting, and signals not yet looked at (racy).
     *
     * @return the approximate count
     */
    public int mailboxLength() {
        return mailbox.approximateLength();
    }

    /**
     * Messages receive patterns were tested against so far (shows the receive marker at work).
     *
     * @return the count
     */
    public long messagesScanned() {
        return mailbox.scans();
    }

    /**
     * The process's current stack, innermost first.
     *
     * @return the stack, empty if it cannot be had
     */
    public StackTraceElement[] stackTrace() {
        return thread.getStackTrace();
    }

    /**
     * For the asserts of owner-only methods: the caller is this process's own thread, or the process has
     * not started (its creator sets up links and monitors before it runs; Thread.start publishes them).
     */
    private boolean ownedHere() {
        return Thread.currentThread() == thread || state == NEW;
    }

    @Override
    public String toString() {
        return "Proc" + pid;
    }
}
