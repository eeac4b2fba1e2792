package dev.preempt.internal.sched;

import dev.preempt.Schedule;
import dev.preempt.internal.engine.MonitorOwners;
import dev.preempt.internal.mail.Signal;
import dev.preempt.internal.sched.det.Chooser;
import dev.preempt.internal.sched.det.Trace;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The deterministic mode of a scheduler ({@code Scheduler.builder().deterministic(schedule)}): one
 * carrier, no watchdog, no spares, and every choice drawn from the schedule's seed through a
 * {@link Chooser}: which runnable process runs next (out of the whole runnable set, not the first
 * queued), and the budget of each slice (down to one reduction, so a slice can end at any tick, send or
 * call). Time is a {@link VirtualClock}: timers fire when it reaches them, and when no process can run
 * it jumps to the next deadline.
 *
 * <p>Why that is deterministic: only one process runs at a time, on the one carrier, and it runs until
 * it parks, yields or spends its budget, all at points fixed by the program and the budget; the
 * runnable set is kept by creation index (not by the order in which processes were woken, which may
 * follow a hash map's order), so the same choices give the same run. Per-pair message order holds as
 * always; the order in which different senders' messages arrive follows from who ran first.
 *
 * <p>What it cannot control, and says so ({@link #warnings()}, logged once each): a wake-up or a
 * message from a thread that is not one of its processes (a plain thread, a JDK timer behind
 * {@code Thread.sleep}, a socket poller), and a spawn from such a thread after the root's; a virtual thread a process started (it runs on the JDK's
 * scheduler); a slice that holds the carrier for over a second of real time (a wait pinned to the
 * carrier, a blocking call, a long computation); and a run in which every process waits for ever
 * (reported to {@link #onDeadlock}).
 *
 * <p>Thread contract: {@link #loop} runs on the carrier's thread; {@link #submit} and {@link #sent}
 * come from any thread (processes, the carrier, outside threads) and take its lock ({@link #acquire});
 * the chooser and the clock's writes are used by the carrier thread, or under the lock.
 */
public final class DeterministicCore {

    private static final Logger LOG = Logger.getLogger("dev.preempt");
    /** Real time a slice may hold the only carrier before a warning says the run left the controlled world. */
    static final long HELD_WARNING_NANOS = 1_000_000_000L;
    /** Real time every process must have waited, with no timer and no outside wake-up, before it counts as a deadlock. */
    static final long DEADLOCK_GRACE_MILLIS = 200;

    final SchedulerCore sched;
    private final Schedule schedule;
    final VirtualClock clock = new VirtualClock();
    private final Chooser chooser;
    private final Trace trace = new Trace();

    // ---- under the lock ----
    /**
     * Guards the runnable set, the ids and the rest marked "under the lock"; {@link #changed} is its
     * condition (the carrier waits on it for work, a closing thread for rest). Taken through
     * {@link #acquire()}, where a virtual thread spins instead of queueing.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private final IdentityHashMap<Proc, Integer> ids = new IdentityHashMap<>();
    private final ArrayList<Proc> byId = new ArrayList<>();
    private final BitSet runnable = new BitSet();
    private int[] scratch = new int[16];
    private boolean carrierWaiting;
    private final LinkedHashMap<String, String> warnings = new LinkedHashMap<>();

    /** Slices run so far (scheduling steps); written by the carrier thread only, read by anyone. */
    private volatile long steps;
    private volatile Thread carrierThread;
    private volatile Carrier carrier;
    private volatile boolean closing;
    private volatile Consumer<String> deadlockListener;
    private boolean deadlockReported;

    DeterministicCore(SchedulerCore sched, Schedule schedule) {
        this.sched = sched;
        this.schedule = schedule;
        this.chooser = Chooser.of(schedule);
        trace.line("schedule " + schedule);
    }

    /**
     * Takes {@link #lock}. A virtual thread (a process of this scheduler, mostly, waking another) never
     * queues for it: it spins until it gets it. The one carrier is the only thread that runs the
     * processes, so a process must never wait for the lock unmounted. It was a monitor once: a process
     * that found it held (by the watch, or by a thread outside waking one) unmounted to wait (JEP 491),
     * was handed the monitor while unmounted, and the carrier, which alone could run it again, blocked
     * on that monitor for good (DeterministicSchedulerTest hung so, a process calling {@code warnings()}
     * in a loop). A queued j.u.c lock fails the same way, the carrier queued behind the parked process.
     * The others hold the lock briefly and never while a process of theirs could need it.
     */
    private void acquire() {
        if (Thread.currentThread().isVirtual()) {
            while (!lock.tryLock()) Thread.onSpinWait();
        } else {
            lock.lock();
        }
    }

    /** {@code p}'s index in the trace ({@code p3}), or null if it is not one of ours; takes the lock. */
    private Integer idOf(Proc p) {
        acquire();
        try {
            return ids.get(p);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The schedule this scheduler follows.
     *
     * @return the schedule
     */
    public Schedule schedule() {
        return schedule;
    }

    /**
     * The trace so far: one line per scheduling event (see {@link Trace}).
     *
     * @return the trace's text
     */
    public String trace() {
        return trace.text();
    }

    /**
     * The trace's hash (FNV-1a over every line), for comparing runs cheaply.
     *
     * @return the hash
     */
    public long traceHash() {
        return trace.hash();
    }

    /**
     * The last lines of the trace.
     *
     * @param n how many
     * @return those lines
     */
    String traceTail(int n) {
        return trace.tail(n);
    }

    /**
     * Slices run so far (PCT's steps).
     *
     * @return the count
     */
    public long steps() {
        return steps;
    }

    /**
     * Virtual time since the run began.
     *
     * @return nanoseconds
     */
    public long virtualNanos() {
        return clock.elapsed();
    }

    /**
     * What the run did that the scheduler cannot control, one message per kind, in the order first seen.
     *
     * @return the warnings (a snapshot)
     */
    public List<String> warnings() {
        acquire();
        try {
            return new ArrayList<>(warnings.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the listener told (once, on the carrier thread) when every live process waits, no timer is
     * set, and nothing from outside has woken one for {@link #DEADLOCK_GRACE_MILLIS}: nothing can
     * happen any more. Without a listener nothing is looked for (a run that ends with a server waiting
     * for its next request is at rest, not stuck).
     *
     * @param listener gets a description of every waiting process; null for none
     */
    public void onDeadlock(Consumer<String> listener) {
        deadlockListener = listener;
    }

    // =====================================================================================
    // Runnable set
    // =====================================================================================

    /** {@code p} became runnable (from {@link SchedulerCore#submit}): any thread. */
    void submit(Proc p) {
        Thread t = Thread.currentThread();
        boolean inside = t == carrierThread || (Proc.of(t) instanceof Proc me && me.sched == sched);
        String outside = null;
        acquire();
        try {
            Integer id = ids.get(p);
            if (id == null) {
                id = byId.size();
                ids.put(p, id);
                byId.add(p);
                chooser.created(id);
                Carrier c = carrier;
                Proc parent = inside && c != null ? c.current : null;
                record("spawn p" + id + (parent != null ? " by p" + ids.get(parent) : inside ? "" : " from outside"));
                if (!inside) {
                    fromOutside.set(id);
                    outsideAlive++;
                    atRest = false;
                }
                if (!inside && id > 0 && !closing) {
                    // The first process (the root) comes from outside; a later one races with the run.
                    outside = "process p" + id + " was spawned by thread '" + t.getName() + "', which is not a process of"
                            + " this deterministic scheduler, while the run was going: where it joins is not controlled";
                }
            } else if (!inside && p == slicing && isUnblocker(t)) {
                unblocked = true; // the slice goes on (runSlice): nothing to record, nothing uncontrolled
                if (carrierWaiting) changed.signalAll();
                return;
            } else if (!inside && !closing) {
                outside = "process p" + id + " was woken by thread '" + t.getName() + "', which is not a process of this"
                        + " deterministic scheduler (a plain thread, a JDK timer behind Thread.sleep or a timed lock, a socket"
                        + " poller): when that happens is not controlled, so this run may not replay";
                record("outside: wake p" + id);
            }
            // Noted before the process can run: whoever reads the warnings after it has run sees this one.
            if (outside != null && !note(outside.contains("spawned") ? "outside-spawn" : "outside-wake", outside)) outside = null;
            runnable.set(id);
            if (carrierWaiting) changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (outside != null) log(outside);
    }

    /** A signal was pushed onto {@code to}'s mailbox (from {@link Proc#signal}): any thread. */
    void sent(Proc to, Signal s) {
        if (closing) return;
        Proc from = Proc.current();
        boolean inside = from != null && from.sched == sched;
        String what = s.kind == Signal.MESSAGE ? "message " + (s.payload() == null ? "null" : s.payload().getClass().getSimpleName())
                : SysSignal.nameOf(s.kind);
        acquire();
        try {
            Integer target = ids.get(to);
            record("send " + (inside ? "p" + ids.get(from) : "outside") + " -> " + (target == null ? "?" : "p" + target) + " " + what);
            if (inside && target != null) {
                Integer source = ids.get(from);
                if (source != null) chooser.sent(source, target);
            }
        } finally {
            lock.unlock();
        }
        if (!inside) {
            warn("outside-send", "a " + what + " reached a process from thread '" + Thread.currentThread().getName()
                    + "', which is not a process of this deterministic scheduler: its timing is not controlled");
        }
    }

    /** {@code p} handed a virtual thread it started to the JDK's scheduler (from {@link Proc#execute}). */
    void foreignThread(Proc p) {
        if (closing) return;
        Integer id = idOf(p);
        warn("virtual-thread", "process p" + id + " started a virtual thread; it runs on the JDK's scheduler, outside"
                + " the deterministic one, so what it does and when is neither controlled nor replayed");
    }

    /**
     * The scheduler is closing: what happens from now on (processes killed from outside) is not traced.
     * Called from outside, it first waits (up to {@link #DRAIN_NANOS} of real time, a last resort) for
     * the run to come to rest. A run is over when every process spawned from outside (the root) has
     * ended; from then on the processes left run until none can at the current virtual instant, or for
     * {@link #DRAIN_STEPS} steps, and no timer that is not due fires. That point is fixed by the run,
     * not by when the closing thread got here: a root whose end let {@code Scheduler.run} return has
     * its last slice in the trace, a process that was about to crash after the root ended crashes in
     * every run or in none, and a server left with a periodic timer does not tick on until the close.
     */
    void closing() {
        if (carrier != null && Thread.currentThread() != carrierThread && Proc.current() == null) {
            long until = System.nanoTime() + DRAIN_NANOS;
            acquire();
            try {
                draining = true;
                changed.signalAll();
                try {
                    while (!atRest && System.nanoTime() - until < 0) {
                        changed.await(Math.max(1, (until - System.nanoTime()) / 1_000_000L), TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                lock.unlock();
            }
        }
        if (!closing) trace.line("close");
        closing = true;
    }

    /** How long {@link #closing()} waits for the run to come to rest, in real time (a last resort). */
    static final long DRAIN_NANOS = 1_000_000_000L;
    /** Steps run after the processes spawned from outside have all ended, at most (see {@link #isQuiet}). */
    static final long DRAIN_STEPS = 10_000;
    /** Processes spawned from outside (the root) that have not ended (under the lock). */
    private int outsideAlive;
    private final BitSet fromOutside = new BitSet();
    /** The step at which {@link #outsideAlive} last fell to zero; carrier thread only. */
    private long quietFrom;
    /** Closing: run what can run now, fire no more timers (under the lock). */
    private boolean draining;
    /** Draining and nothing is runnable (under the lock). */
    private boolean atRest;

    /** Appends to the trace, unless the scheduler is closing (what the close does is not the run's). */
    private void record(String event) {
        if (!closing) trace.line(event);
    }

    private void warn(String kind, String message) {
        boolean fresh;
        acquire();
        try {
            fresh = note(kind, message);
        } finally {
            lock.unlock();
        }
        if (fresh) log(message);
    }

    /** Under the lock: keeps the first warning of {@code kind}; true if this is it. */
    private boolean note(String kind, String message) {
        return warnings.putIfAbsent(kind, message) == null;
    }

    private void log(String message) {
        LOG.warning("Preempt deterministic scheduler " + sched.name + " (" + schedule + "): " + message);
    }

    // =====================================================================================
    // The carrier's loop
    // =====================================================================================

    /** The carrier loop of a deterministic scheduler (its only carrier's thread). */
    void loop(Carrier c) {
        carrier = c;
        carrierThread = Thread.currentThread();
        Watch.INSTANCE.add(this); // here, not in the constructor: a scheduler whose construction failed never gets here
        while (!sched.shutdown) {
            try {
                fireDue();
                boolean quiet = isQuiet();
                // Once the processes started from outside have ended, what they left runs at most DRAIN_STEPS
                // more steps (a counted, so deterministic, bound) and sees no more time pass.
                boolean capped = quiet && !closing && steps - quietFrom >= DRAIN_STEPS;
                Proc p = capped ? null : take();
                if (p != null) {
                    runSlice(c, p);
                } else if (quiet || isDraining()) {
                    rest(capped);
                } else if (!jumpToNextTimer()) {
                    awaitOutside();
                }
            } catch (Throwable t) {
                sched.internalError(c, t);
            }
        }
        Watch.INSTANCE.remove(this);
    }

    private boolean isDraining() {
        acquire();
        try {
            return draining;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the run is over: every process spawned from outside has ended (under the lock). */
    private boolean isQuiet() {
        acquire();
        try {
            return outsideAlive == 0 && !byId.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Nothing runnable at this instant (or, {@code capped}, the steps after the run allowed are used up)
     * while the run is over or closing: say so, and wait (for the close, its kills, or a new process
     * from outside).
     */
    private void rest(boolean capped) throws InterruptedException {
        acquire();
        try {
            if (!runnable.isEmpty() && !capped) return;
            atRest = true;
            changed.signalAll();
            carrierWaiting = true;
            try {
                if ((runnable.isEmpty() || capped) && !sched.shutdown) changed.await(10, TimeUnit.MILLISECONDS);
            } finally {
                carrierWaiting = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fires every timer due at the virtual now; the processes woken join the runnable set together. */
    private void fireDue() {
        long now = clock.nanoTime();
        Proc p;
        while ((p = sched.timers.pollDue(now)) != null) {
            Integer id = idOf(p);
            record("timer p" + id);
            LockSupport.unpark(p.thread); // the JDK submits it from this thread: it joins the runnable set
        }
    }

    /** Chooses and removes the next process to run, or null if none is runnable. */
    private Proc take() {
        acquire();
        try {
            int n = runnable.cardinality();
            if (n == 0) return null;
            if (scratch.length < n) scratch = new int[Math.max(n, scratch.length * 2)];
            int k = 0;
            for (int i = runnable.nextSetBit(0); i >= 0; i = runnable.nextSetBit(i + 1)) scratch[k++] = i;
            int id = scratch[chooser.pick(scratch, n)];
            runnable.clear(id);
            return byId.get(id);
        } finally {
            lock.unlock();
        }
    }

    private void runSlice(Carrier c, Proc p) {
        int id = idOf(p);
        int budget = chooser.budget();
        steps++;
        record("run p" + id + " budget=" + budget);
        // A slice of b reductions ends at its b-th: a tick yields when the budget goes below zero.
        p.budget = budget - 1;
        p.sliceStart = budget - 1;
        p.carrier = c;
        p.mounts++;
        c.current = p;
        p.mounting();
        long preemptions = p.preemptions;
        setSlicing(p);
        do {
            c.current = p;
            try {
                p.cont.run(); // mounts the virtual thread; returns when it yields, parks or ends
            } catch (Throwable t) {
                sched.internalError(c, t);
            }
            c.current = null;
        } while (unblockedForSlice(p, id));
        p.takeAsked();
        int spent = Math.max(0, p.sliceStart - p.budget); // budget - 1 - (budget - 1 - k) = k ticks
        p.account(spent);
        c.slices++;
        // Time moves a little with every step, so a process that spins until a timer is due lets it come due.
        clock.advance(Math.max(1, spent) * VirtualClock.NANOS_PER_REDUCTION);
        String end;
        acquire();
        try {
            end = !p.isAlive() ? "exited" : !runnable.get(id) ? "waiting" : p.preemptions != preemptions ? "preempted" : "yielded";
            if (end.equals("exited") && fromOutside.get(id)) {
                fromOutside.clear(id);
                if (--outsideAlive == 0) quietFrom = steps;
            }
        } finally {
            lock.unlock();
        }
        record("end p" + id + " spent=" + spent + " " + end);
        chooser.sliceEnded(id, steps, end.equals("yielded"));
        if (end.equals("waiting") && p.cancelAgainIfParkedOnSchedule()) {
            warn("reinterrupts", "process p" + id + " was killed but went back to a JDK wait after each of "
                    + Proc.DET_REINTERRUPTS + " interrupts: it is left waiting there, and its exit has not landed");
        }
    }

    // ---- A monitor's entry that waited for a thread outside ----
    //
    // A process that blocks entering a monitor unmounts (JDK 24+), and the JDK's unblocker thread submits
    // it once the monitor is free: a wake from outside, at a time nobody controls. When the holder is a
    // thread outside (a logging handler's lock, written under by another thread while a process reports
    // a crash), the carrier waits for that wake, up to UNBLOCK_WAIT_NANOS, and the slice goes on as if
    // the entry had not waited: nothing else runs meanwhile, so the schedule is the same whether the
    // monitor was free or not. Before, the wake was recorded as "outside: wake", the replay differed
    // from the search (BugFindingTest, once in CI) and the run was warned about. When the holder is one
    // of this scheduler's own processes (preempted inside a synchronized block), the wait runs out, the
    // slice ends as before, and the unblocker's later wake is warned about.

    /** Under the lock: the process whose slice the carrier runs or is ending, or null. */
    private Proc slicing;
    /** Under the lock: the unblocker woke {@link #slicing} during its slice. */
    private boolean unblocked;

    /** How long a slice that ended blocked on a monitor waits for the unblocker, in real time. */
    static final long UNBLOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private void setSlicing(Proc p) {
        acquire();
        try {
            slicing = p;
            unblocked = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The carrier, after {@code p}'s thread unmounted: whether it blocked entering a monitor and was
     * unblocked (at once, or within {@link #UNBLOCK_WAIT_NANOS}), so that its slice goes on. Clears
     * {@link #slicing} when it returns false.
     */
    private boolean unblockedForSlice(Proc p, int id) {
        // Held by another of this run's processes (it was preempted or yielded inside synchronized), the
        // monitor cannot be freed while the carrier waits: the wait would only cost real time, at every
        // contended entry of a search. Looked at before the lock: a snapshot is a handshake with threads.
        boolean heldInside = p.thread.getState() == Thread.State.BLOCKED && heldByAnotherProcess(p);
        acquire();
        try {
            if (!unblocked && !heldInside && p.thread.getState() == Thread.State.BLOCKED) {
                long until = System.nanoTime() + UNBLOCK_WAIT_NANOS;
                carrierWaiting = true;
                try {
                    long left;
                    while (!unblocked && !sched.shutdown && (left = until - System.nanoTime()) > 0) changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    carrierWaiting = false;
                }
            }
            if (unblocked) {
                unblocked = false;
                return true;
            }
            slicing = null;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the monitor {@code p} is blocked entering is held by another live process of this scheduler. */
    private boolean heldByAnotherProcess(Proc p) {
        java.util.List<Thread> others = new java.util.ArrayList<>();
        for (Proc q : sched.liveProcesses()) {
            if (q != p) others.add(q.thread);
        }
        return MonitorOwners.ownerAmong(p.thread, others) == Boolean.TRUE;
    }

    /** Whether {@code t} is the JDK's thread that submits virtual threads a monitor's exit unblocked. */
    private static boolean isUnblocker(Thread t) {
        return !t.isVirtual() && t.getName().equals("VirtualThread-unblocker");
    }

    /** Nothing is runnable: jump the clock to the next timer, if there is one. */
    private boolean jumpToNextTimer() {
        long next = sched.timers.next();
        if (next == Long.MAX_VALUE) return false;
        long by = next - clock.nanoTime();
        clock.advanceTo(next);
        if (by > 0) record("time +" + by + "ns");
        return true;
    }

    /**
     * Nothing is runnable and no timer is set: only a thread outside can change that (or nothing can:
     * a deadlock, reported after {@link #DEADLOCK_GRACE_MILLIS}).
     */
    private void awaitOutside() throws InterruptedException {
        boolean report = false;
        acquire();
        try {
            if (!runnable.isEmpty() || sched.shutdown || sched.timers.next() != Long.MAX_VALUE) return;
            // Not traced: whether a run that ends with processes waiting gets here before it is closed is a
            // matter of real time.
            boolean stuck = !sched.table.isEmpty() && !closing && !draining && deadlockListener != null;
            long until = System.nanoTime() + DEADLOCK_GRACE_MILLIS * 1_000_000L;
            carrierWaiting = true;
            try {
                while (runnable.isEmpty() && !sched.shutdown && !draining) {
                    long left = until - System.nanoTime();
                    if (left <= 0) break;
                    changed.await(Math.max(1, left / 1_000_000L), TimeUnit.MILLISECONDS);
                }
            } finally {
                carrierWaiting = false;
            }
            if (stuck && runnable.isEmpty() && !sched.shutdown && !closing && !draining && !deadlockReported) {
                deadlockReported = true;
                report = true;
            }
        } finally {
            lock.unlock();
        }
        if (report) {
            String who = waitingProcesses();
            Consumer<String> l = deadlockListener;
            try {
                if (l != null) l.accept(who);
            } catch (Throwable ignored) {
                // a listener must not stop the carrier
            }
        }
    }

    /** Each live process, its trace name and where it waits. */
    private String waitingProcesses() {
        StringBuilder b = new StringBuilder();
        List<Proc> live;
        acquire();
        try {
            live = new ArrayList<>(byId);
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < live.size(); i++) {
            Proc p = live.get(i);
            if (!p.isAlive()) continue;
            b.append("  p").append(i).append(' ').append(p.pid()).append(' ').append(p.entryName());
            StackTraceElement[] st = p.stackTrace();
            for (StackTraceElement f : st) {
                if (f.getClassName().startsWith("dev.preempt.") || f.getClassName().startsWith("java.")
                        || f.getClassName().startsWith("jdk.")) continue;
                b.append(" at ").append(f);
                break;
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * One daemon thread for every deterministic scheduler: warns when a slice has held the only carrier
     * for over {@link #HELD_WARNING_NANOS} of real time (the run has left the controlled world: a wait
     * pinned to the carrier's thread, a blocking call, a long computation). It only reads, and only real
     * time: it changes nothing the run does.
     */
    private static final class Watch implements Runnable {
        static final Watch INSTANCE = new Watch();
        private final CopyOnWriteArrayList<DeterministicCore> cores = new CopyOnWriteArrayList<>();
        private volatile Thread thread;

        void add(DeterministicCore d) {
            cores.add(d);
            if (thread == null) {
                synchronized (this) { // the watch's own monitor: no carrier takes it
                    if (thread == null) {
                        Thread t = new Thread(null, this, "preempt-deterministic-watch", 0, false);
                        t.setDaemon(true);
                        t.start();
                        thread = t;
                    }
                }
            }
        }

        void remove(DeterministicCore d) {
            cores.remove(d);
        }

        @Override
        public void run() {
            IdentityHashMap<DeterministicCore, long[]> seen = new IdentityHashMap<>();
            while (true) {
                LockSupport.parkNanos(this, 250_000_000L);
                long now = System.nanoTime();
                seen.keySet().retainAll(cores);
                for (DeterministicCore d : cores) {
                    try {
                        look(d, now, seen);
                    } catch (Throwable ignored) {
                        // a look that failed is tried again next round
                    }
                }
            }
        }

        private static void look(DeterministicCore d, long now, IdentityHashMap<DeterministicCore, long[]> seen) {
            Carrier c = d.carrier;
            if (c == null) return;
            Proc p = c.current;
            long[] s = seen.computeIfAbsent(d, k -> new long[] {-1, 0});
            if (p == null || c.slices != s[0]) {
                s[0] = c.slices;
                s[1] = now;
                return;
            }
            if (now - s[1] >= HELD_WARNING_NANOS) {
                Integer id = d.idOf(p);
                d.warn("held", "process p" + id + " (" + p.pid() + ") has held the only carrier for over "
                        + (HELD_WARNING_NANOS / 1_000_000) + " ms of real time (its thread is " + p.thread.getState()
                        + "): it waits on the carrier's thread (a pinned park, a blocking call, a lock held by a thread"
                        + " outside) or computes without ticks; no other process runs meanwhile, and virtual time stands still");
            }
        }
    }
}
