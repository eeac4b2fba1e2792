package dev.preempt.internal.sched;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One platform thread per scheduler that watches the carriers from outside, as Go's {@code sysmon} does,
 * and keeps the system moving when a slice holds its carrier too long. It never runs a process, and
 * costs the carriers nothing: it reads what they already publish (the process mounted, the count of
 * slices) and keeps its own observations in the carriers' {@code wd*} fields, which no one else writes.
 *
 * <p>Each round (every {@code period} while any carrier is busy or held, every {@link #IDLE_PERIOD_NANOS}
 * otherwise), for every carrier still in the slice it was in last round, since {@code since}:
 * <ul>
 *   <li>after {@code timeslice}: asks the process to yield at its next tick though budget is left
 *       ({@link Proc#cutSlice(Carrier)}), so a loop around JDK calls (1-3 reductions each) is cut by time, not
 *       after 4,000 calls that may take a second;</li>
 *   <li>after {@code handOff}: the carrier is held (in native code, parked on its thread because pinned,
 *       in a long JDK call, in a class initialiser): it is counted blocked, its queued processes go to the
 *       global queue, and a spare carrier takes its place ({@link Spares}). While processes wait in the
 *       global queue, already after twice the time slice: the slice did not stop when asked to, so it
 *       is in code with no tick, and someone is waiting for its carrier;</li>
 *   <li>when such a long slice ends, observers hear of it (the JFR {@code CarrierBlocked} event);</li>
 *   <li>on a spare that is no longer needed, asks the process to yield at once (it then does, wanted or
 *       not), so that the spare retires: a process running alone would otherwise keep a spare, and one
 *       more core, for good.</li>
 * </ul>
 * It also fires timers that are overdue by more than {@link #timerLate} (carriers fire timers
 * between slices; with every carrier held none would), and creates spare carriers when one is wanted and
 * none is pooled (their threads are made here, never inside a process).
 *
 * <p>Precision: a slice is seen first up to one period after it began, so a cut comes between
 * {@code timeslice} and {@code timeslice + period} into the slice, a hand-off likewise.
 */
final class Watchdog implements Runnable {

    /** How often it looks while every carrier is idle (nothing can be held for long unseen). */
    static final long IDLE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * A timer this late means no carrier fired it in time (carriers fire timers between slices). A process
     * woken from here goes to the woken queue, which carriers take before the preempted processes: when
     * it went to the global queue, behind every preempted process, firing from here made a probe beside
     * 8 processes in short JDK calls worse rather than better.
     */
    private final long timerLate;

    private final SchedulerCore sched;
    private final long timeslice;
    private final long handOff;
    private final long period;
    private final Thread thread;
    private volatile boolean deepSleep;

    Watchdog(SchedulerCore sched, long timesliceNanos, long handOffNanos) {
        this.sched = sched;
        this.timeslice = timesliceNanos;
        this.handOff = handOffNanos;
        long p = TimeUnit.MILLISECONDS.toNanos(1);
        if (timesliceNanos > 0) p = Math.min(p, timesliceNanos / 2);
        if (handOffNanos > 0) p = Math.min(p, handOffNanos / 4);
        this.period = Math.max(TimeUnit.MICROSECONDS.toNanos(100), p);
        this.timerLate = TimeUnit.MILLISECONDS.toNanos(1);
        this.thread = new Thread(null, this, sched.name + "-watchdog", 0, false);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Any thread: look now (a spare is wanted, or shutdown). Never blocks. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** Any thread: a carrier started work; if the watchdog dozes through an idle stretch, it wakes. */
    void busy() {
        if (deepSleep) LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        while (!sched.shutdown) {
            boolean busy = false;
            try {
                busy = round(System.nanoTime());
            } catch (Throwable t) {
                sched.internalError(thread, t);
            }
            if (busy) {
                LockSupport.parkNanos(this, period);
            } else {
                deepSleep = true;
                LockSupport.parkNanos(this, IDLE_PERIOD_NANOS);
                deepSleep = false;
            }
        }
    }

    /** One look at every carrier; true if any is busy or held. */
    private boolean round(long now) {
        boolean busy = false;
        boolean othersWait = sched.sharedWorkWaiting();
        for (Carrier c : sched.all) {
            Proc p = c.current;
            long slices = c.slices;
            long refills = p == null ? 0 : p.refills;
            if (p == null || slices != c.wdSlices || p != c.wdProc) {
                endOfSlice(c, now);
                c.wdSlices = slices;
                c.wdProc = p;
                c.wdSince = now;
                c.wdRefills = refills;
                c.wdCpu = -1;
                c.wdSlowed = false;
                c.wdSuspect = false;
                if (p == null) continue;
            } else if (refills != c.wdRefills) {
                c.wdCpu = -1;
                c.wdSlowed = false;
                c.wdSuspect = false;
                // It reached a tick and ran on only because no one else wanted the carrier: as good as a
                // new slice. (A process ticking alone must not count as held: a spare would then run
                // beside it, and the OS, not the scheduler, would share the core.)
                endOfSlice(c, now);
                c.wdSince = now;
                c.wdRefills = refills;
            }
            busy = true;
            p.exitDeadlinePassed(now, c);
            // A budget that moved since the last round: the process reached ticks (slowly, or it has just
            // come back to the CPU), so its carrier is not held, however long the slice: the cut below
            // makes it yield at its next tick. A spare is for code with no tick at all.
            int budgetNow = p.budgetSeen();
            boolean ticked = budgetNow != c.wdBudget;
            if (ticked) c.wdCpu = -1; // the CPU test below measures the time since the last tick seen
            long held = now - c.wdSince;
            if (held > 0 && !c.wdSlowed) { // the same slice as a round ago: its reductions are slow
                c.wdSlowed = true;
                p.slowSlice();
            }
            if ((timeslice > 0 && held >= timeslice) || c.surplusSpare()) p.cutSlice(c); // a surplus spare retires after it
            // Held: past the threshold with no tick, and worth a spare, in two rounds running. One round's
            // look can be a moment of the VM's (a thread briefly asleep or busy in the VM, then ticking
            // again the next instant): two hogs that tick got spares from such moments. A process past the
            // threshold in a wait on its carrier's thread (a park inside a class initialiser or under a
            // native frame) is held at once: a thread in a wait is not ticking, there is nothing to
            // confirm, and each round of waiting cost a probe beside eight such processes samples (20 ms
            // sleeps in initialisers: 652 of 3,000 with the two rounds, on an AMD EPYC machine).
            boolean late = held >= handOff;
            boolean watch = handOff > 0 && !c.wdHeld;
            boolean waits = watch && late && waitsOnCarrier(p);
            boolean suspect = watch && !waits && !ticked
                    && (late || (othersWait && timeslice > 0 && held >= 2 * timeslice)) && worthASpare(c, p, held, late);
            boolean confirmed = waits || (suspect && c.wdSuspect);
            c.wdSuspect = suspect;
            if (confirmed) {
                c.wdHeld = true;
                c.wdReason = reason(c, p);
                c.wdStack = sched.hasObservers() ? p.thread.getStackTrace() : null; // only for the event
                if (!c.inBlockingCall && c.handOff()) c.giveAwayQueue();
            }
            c.wdBudget = p.budgetSeen(); // after the cut's write, so that the cut alone does not count as a tick
        }
        if (sched.spares.wanted()) {
            busy = true;
            sched.spares.create();
        }
        long due = sched.timers.next();
        if (due != Long.MAX_VALUE && now - due > timerLate) sched.timers.fire(now);
        return busy || sched.spares.blockedCount() > 0;
    }

    /**
     * Whether a slice with no tick seen since the last round is worth a spare: its process waits on the
     * carrier's thread (a pinned park), or that thread is asleep in the kernel (a blocking call the JDK
     * did not mark), or it ran on a CPU without reaching a tick (a long call with no tick). Before the
     * hand-off threshold (a slice that did not stop when cut, while others wait) "ran" means most of the
     * time; past it, any real share of it (an eighth): eight processes in long sorts on two cores each
     * get well under half a CPU once spares share the cores, and a half kept the spares a probe beside
     * them needed (58 of 3,000 samples). A thread the OS merely took the CPU from (on a machine with more
     * runnable threads than cores) is none of these, and a spare would only add to the crowd: two hogs
     * that tick, on two carriers of a 2-core machine, were counted held whenever the OS or the VM kept a
     * carrier's thread from running for 10 ms, and got spares and "long call" events. Where the kernel's
     * view is not available (not Linux) a slice past the threshold is judged by time alone. The CPU test
     * needs two readings: the first call for a slice takes one.
     */
    private boolean worthASpare(Carrier c, Proc p, long held, boolean late) {
        if (waitsOnCarrier(p)) return true;
        if (ThreadUse.asleepInKernel(c.osThreadId)) return true;
        if (late && c.osThreadId < 0) return true; // no kernel view: a blocking call would look idle
        long cpu = ThreadUse.cpuNanos(c.thread);
        if (cpu < 0) return true; // no clock: judge by time alone
        if (c.wdCpu < 0) {
            c.wdCpu = cpu;
            c.wdCpuSince = held;
            return false;
        }
        return (cpu - c.wdCpu) * (late ? 8 : 2) >= held - c.wdCpuSince;
    }

    /** Whether {@code p}, mounted, waits on its carrier's thread (a pinned park or wait, a monitor entry). */
    private static boolean waitsOnCarrier(Proc p) {
        return switch (p.thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED -> true;
            default -> false;
        };
    }

    /** The slice the watchdog last saw on {@code c} is over (or ticked): if it was held, say how long. */
    private void endOfSlice(Carrier c, long now) {
        if (c.wdHeld && c.wdProc != null) sched.carrierHeld(c, c.wdProc, c.wdReason, now - c.wdSince, c.wdStack);
        c.wdHeld = false;
        c.wdStack = null;
    }

    /** Why {@code c} is held by {@code p}, as far as can be seen from outside. */
    private static String reason(Carrier c, Proc p) {
        if (c.inBlockingCall) return HELD_BLOCKING_CALL;
        return switch (p.thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED -> HELD_PINNED_WAIT;
            default -> HELD_RUNNING;
        };
    }

    /** In a call the JDK marks as blocking (file sync, pipes, console, DNS, direct I/O). */
    static final String HELD_BLOCKING_CALL = "blocking call";
    /** Waiting on its carrier's OS thread: a park or wait that could not unmount (a native frame, a class initialiser). */
    static final String HELD_PINNED_WAIT = "pinned wait";
    /** Running code with no tick for that long: JDK or native code, or a class initialiser. */
    static final String HELD_RUNNING = "long call";
}
