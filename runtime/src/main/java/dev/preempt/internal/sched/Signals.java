package dev.preempt.internal.sched;

import dev.preempt.Down;
import dev.preempt.Exit;
import dev.preempt.ExitReason;
import dev.preempt.NoProcessException;
import dev.preempt.Pid;
import dev.preempt.ProcessExit;
import dev.preempt.Ref;
import dev.preempt.internal.mail.Signal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One process's side of the signal protocol: its links, the monitors it holds and those held on it,
 * whether it traps exits, the exit a signal decided for it, and, when it ends, its exit signals to its
 * links, its Downs to its watchers and the answers to signals that came too late.
 *
 * <p><b>Owner only.</b> Every method runs on the process's own thread, but for
 * {@link #linkBeforeStart} and {@link #monitorBeforeStart}, which its creator calls while the child is
 * still NEW (Thread.start then publishes what they wrote to the child), and the introspection
 * snapshots ({@link #linkedPids} and the like), which any thread may take, best effort. Other threads
 * reach the process only through its mailbox ({@link Proc#signal}); the process acts on what they sent
 * when it drains ({@link #drain}), in the order each sender sent it.
 *
 * <p><b>Links</b> are two-sided: each side has a {@link Link} in its map. Unlinking is a handshake
 * (OTP's): the side that unlinks marks its link inactive with a fresh id and sends UNLINK; the other
 * side removes its link and answers UNLINK_ACK with that id, which removes the first side's (unless it
 * relinked meanwhile). An exit signal over a link being unlinked has no effect.
 *
 * <p><b>Exits.</b> An exit signal that kills the process makes it UNWINDING ({@link #die}): it throws
 * {@link ProcessExit}, and throws it again at later yield points and ticks until the body ends; one that
 * swallows it {@link #SWALLOW_LIMIT} times is ended at once ({@link #rethrowExit}).
 */
final class Signals implements Consumer<Signal> {

    private static final AtomicLong NEXT_UNLINK = new AtomicLong(1);

    private final Proc self;

    /**
     * Owner: while true (a drain at a tick, {@code Proc.drainAtTick}), an exit that would end the process
     * is put off ({@link Unwind#putOff}) instead of thrown; the next drain that is not at a tick throws it.
     * A kill of a process that unwinds already is left to {@link #exitAgainAtTick}.
     */
    boolean deferExits;
    /** Written by the owner holding this object's monitor, read by senders holding it too ({@link #endsProcess}). */
    private boolean trapExits;
    /** Links: other process -> state. Absent: no link. */
    private HashMap<Proc, Link> links;
    /** Monitors this process holds: ref -> target. */
    private HashMap<Ref, Proc> monitors;
    /** Monitors others hold on this process: ref -> watcher. */
    private HashMap<Ref, Proc> watchers;
    /** The tag of the call this process waits on; a reply with another tag (a late one) is dropped. */
    private Ref awaitingReply;

    /**
     * The exit decided, once a signal decided it (the process is then UNWINDING); or one put off at a tick
     * ({@link Unwind#putOff}, the process still ACTIVE); null before.
     */
    private Unwind unwind;
    private static final int SWALLOW_LIMIT = 16;

    /**
     * How long the clean-up of a process whose exit was decided may tick before the exit is thrown again
     * there: its {@code finally} and {@code catch} blocks, and the library code they call (a pool's
     * {@code close()}, a driver's rollback), run to their end unless they take longer than this. Found
     * by a user: when the exit was thrown again at the second look at a tick, a kill in the middle of a
     * JDBC transaction landed inside HikariCP's {@code close()} and H2's rollback, Thread.stop-style,
     * and left the pooled connection holding its table lock, or out of the pool for good. Yield points
     * (a receive, a sleep, a call's wait: {@link Proc#drainSignals}) throw it again at once: a process
     * told to end that waits for messages has swallowed the exit. A kill while unwinding ends the grace.
     */
    static final long UNWIND_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /**
     * {@link #UNWIND_GRACE_NANOS} under a deterministic scheduler, counted in looks at a tick (its time is
     * virtual and stands still while a process runs; a count keeps the run replayable).
     */
    static final int UNWIND_GRACE_LOOKS = 1024;

    /** An exit decided, while the process unwinds; only the owner touches it. */
    private static final class Unwind {
        final ExitReason reason;
        /** System.nanoTime() at which ticks begin to throw the exit again. */
        final long graceEnds;
        /** Under a deterministic scheduler: looks at a tick left before they throw it again. */
        int looksLeft = UNWIND_GRACE_LOOKS;
        /** The grace is over: a kill came while unwinding, or the clean-up took too long. */
        boolean cut;
        /** ProcessExit throws since the exit was decided; a process that keeps swallowing them is stopped hard. */
        int throwsSoFar;
        /** Decided at a tick and put off: not thrown yet, the process not UNWINDING (see {@link #deferExits}). */
        boolean putOff;
        /** When the last interrupt of a clean-up's wait was scheduled for, or 0 ({@link #parkedWhileUnwinding}). */
        long interruptAt;
        /** When a tick first found the grace over, or 0; and the ticks that looked since ({@link #mayLandHere}). */
        long cutAt;
        int looks;

        Unwind(ExitReason reason, boolean cut) {
            this.reason = reason;
            this.cut = cut;
            this.graceEnds = System.nanoTime() + UNWIND_GRACE_NANOS;
        }
    }

    /** A link as this side sees it. */
    private static final class Link {
        boolean active = true;
        long unlinkId; // != 0 while an unlink we sent is not yet acknowledged
    }

    Signals(Proc self) {
        this.self = self;
    }

    /**
     * A map for links or watchers. A deterministic scheduler needs insertion order: a process's exit
     * signals go out in the map's order, and a HashMap keyed by identity hashes would order them
     * differently in every run.
     */
    private <K, V> HashMap<K, V> newMap() {
        return self.sched.det != null ? new java.util.LinkedHashMap<>() : new HashMap<>();
    }

    // =====================================================================================
    // Draining: acting on what others sent
    // =====================================================================================

    /** Moves what arrived into the message list, acting on system signals (may throw ProcessExit). */
    void drain() {
        Unwind u = unwind;
        if (u != null && u.putOff && !deferExits) {
            unwind = null;
            die(u.reason);
        }
        self.mailbox.drain(this); // it is the mailbox's callback for drained system signals (no lambda: 16 bytes a process)
    }

    /** A system signal, in its place in the inbox's order. */
    /**
     * Owner, from the mailbox's drain: one system signal. (Public only as {@link Consumer}'s method, in a
     * class of the package.)
     */
    @Override
    public void accept(Signal s) {
        SysSignal sig = (SysSignal) s;
        switch (sig.kind) {
            case SysSignal.LINK -> {
                if (links == null) links = newMap();
                // A link request while we are unlinking that process stays unlinking: our unlink,
                // which it will see next, removes its side too.
                links.putIfAbsent(sig.from, new Link());
            }
            case SysSignal.UNLINK -> {
                if (links != null) links.remove(sig.from);
                sig.from.signal(SysSignal.unlinkAck(self, sig.id));
            }
            case SysSignal.UNLINK_ACK -> {
                Link l = links == null ? null : links.get(sig.from);
                if (l != null && l.unlinkId == sig.id) {
                    if (l.active) l.unlinkId = 0;
                    else links.remove(sig.from);
                }
            }
            case SysSignal.EXIT_LINK -> {
                Link l = links == null ? null : links.get(sig.from);
                if (l == null || !l.active || l.unlinkId != 0) return; // unlinked: no effect
                links.remove(sig.from);
                ExitReason reason = sig.reason();
                if (trapExits) {
                    deliverToSelf(new Exit(sig.from.pid, reason));
                } else if (!reason.isNormal()) {
                    die(reason);
                }
            }
            case SysSignal.EXIT -> {
                ExitReason reason = sig.reason();
                if (reason == ExitReason.KILL) {
                    die(ExitReason.KILLED);
                } else if (trapExits) {
                    deliverToSelf(new Exit(sig.from == null ? sig.remoteFrom : sig.from.pid, reason));
                } else if (!reason.isNormal() || sig.from == self) {
                    die(reason);
                }
            }
            case SysSignal.MONITOR -> {
                if (watchers == null) watchers = newMap();
                watchers.put(sig.ref, sig.from);
            }
            case SysSignal.DEMONITOR -> {
                if (watchers != null) watchers.remove(sig.ref);
            }
            case SysSignal.DOWN -> {
                if (monitors != null && monitors.remove(sig.ref) != null) {
                    deliverToSelf(new Down(sig.ref, sig.from.pid, sig.reason()));
                }
            }
            case SysSignal.REPLY -> {
                if (sig.ref.equals(awaitingReply)) deliverToSelf(new Proc.Reply(sig.ref, sig.payload()));
            }
            // in its place in the order: the messages sent before the request, not those after
            case SysSignal.INSPECT -> sig.answer().complete(self.mailbox.messages());
            default -> throw new IllegalStateException("unknown signal " + sig.kind);
        }
    }

    /** Appends a message made from a drained system signal, in that signal's place in the order. */
    private void deliverToSelf(Object message) {
        self.mailbox.append(new Signal(Signal.MESSAGE, message));
    }

    // =====================================================================================
    // Exits decided
    // =====================================================================================

    /**
     * A signal decided this process ends: it unwinds, from a ProcessExit thrown now. If it is unwinding
     * already (its finally blocks run, or it caught the ProcessExit), only a kill changes anything, as an
     * exiting BEAM process heeds nothing but a kill: the reason becomes {@code killed} and the exit is
     * thrown again with no grace, at once (at a tick: at the first where an exit may land, see
     * {@link ExitSites}). That is how a supervisor's kill after a shutdown timeout ends
     * a child whose clean-up takes too long (the kill interrupted the clean-up's wait, see
     * {@link #killsUnwinding}); before, the child ran its clean-up to the end and its Down said
     * {@code shutdown}.
     */
    private void die(ExitReason reason) {
        if (deferExits && !self.unwinding()) { // at a tick: put off (Proc.drainAtTick); a kill wins
            if (unwind == null || reason == ExitReason.KILLED) {
                unwind = new Unwind(reason, false);
                unwind.putOff = true;
            }
            return; // Proc.drainAtTick marks it, with its deadline
        }
        if (self.unwinding()) {
            if (reason != ExitReason.KILLED) return;
            Thread.interrupted();
            Unwind killed = new Unwind(reason, true);
            killed.throwsSoFar = unwind.throwsSoFar; // still counted since the exit was decided
            unwind = killed;
            if (deferExits) return; // at a tick: exitAgainAtTick throws it where an exit may land (ExitSites)
            throw new ProcessExit(reason);
        }
        // The sender interrupted the thread (Proc.stopForExit) to get it out of a blocking call; the
        // process is unwinding now, and its finally blocks should block as they would in any exit.
        Thread.interrupted();
        unwind = new Unwind(reason, false);
        self.exitDecided();
        self.ask(Proc.ASK_SIGNALS); // if the process swallows the ProcessExit, a later tick throws it again
        throw new ProcessExit(reason);
    }

    /**
     * Its carrier, after a slice of this UNWINDING process ended in a park in a JDK call: that wait is
     * interrupted once the clean-up's grace is over (scheduled on the blocking pool, at most one pending,
     * then at most every 10 ms), as ticks throw the exit again then. Without it a clean-up that waited for
     * good kept the process from ending: a kill that landed inside Lucene's {@code IndexWriter} made its
     * tragic-event handling wait in {@code Object.wait} for a flush that never came, and the process was
     * never Down (found by a helper). Racy: the owner is parked; a lost update costs one interrupt more.
     */
    void parkedWhileUnwinding(Thread t) {
        Unwind u = unwind;
        if (u == null || u.putOff) return;
        long now = System.nanoTime();
        if (u.interruptAt != 0 && u.interruptAt - now > 0) return; // one is scheduled already
        long at = Math.max(u.graceEnds, now);
        u.interruptAt = at + Proc.REINTERRUPT_NANOS;
        BlockingPool.interruptLater(t, at - now, self::parkedInJdkCall); // still in a JDK wait then
    }

    /** Whether an exit was decided at a tick and put off ({@link #deferExits}). */
    boolean exitPutOff() {
        Unwind u = unwind;
        return u != null && u.putOff;
    }

    /** The exit decided for the process (while it is UNWINDING), else null. */
    ExitReason pendingExit() {
        Unwind u = unwind;
        return u == null || u.putOff ? null : u.reason;
    }

    /**
     * The process must end but is still running: it is unwinding through finally blocks, or it caught
     * the ProcessExit. Throw again; after {@link #SWALLOW_LIMIT} throws it is swallowing them, so end it
     * for everyone now (exit signals, Downs, name) and park its thread for good: it never runs again.
     */
    void rethrowExit() {
        assert self.unwinding() : self + " rethrows an exit it is not unwinding from";
        Unwind u = unwind;
        if (++u.throwsSoFar >= SWALLOW_LIMIT) {
            self.terminate(u.reason);
            while (true) LockSupport.park(self); // nobody unparks it: its mailbox is closed
        }
        throw new ProcessExit(u.reason);
    }

    /**
     * At a tick while UNWINDING: once the clean-up's grace is over ({@link #UNWIND_GRACE_NANOS}) the exit
     * is thrown again; until the process ends, each tick looks again.
     */
    void exitAgainAtTick() {
        self.ask(Proc.ASK_SIGNALS);
        Unwind u = unwind;
        if (!u.cut) u.cut = self.sched.det != null ? --u.looksLeft < 0 : System.nanoTime() - u.graceEnds >= 0;
        if (u.cut && mayLandHere(u)) rethrowExit();
    }

    /**
     * In a JDK wait that ignores interrupts, interrupted while UNWINDING ({@code Proc.signalsInWait}): once
     * the clean-up's grace is over (the carrier interrupts such a wait only then, see
     * {@link #parkedWhileUnwinding}), or a kill cut it, the exit is thrown again where it may land
     * ({@link ExitSites}; every look walks: the wait is woken at most every 10 ms).
     *
     * @return whether the interrupt was the exit's
     */
    boolean exitAgainInWait() {
        Unwind u = unwind;
        if (u == null || u.putOff) return false;
        if (!u.cut) u.cut = self.sched.det != null ? --u.looksLeft < 0 : System.nanoTime() - u.graceEnds >= 0;
        if (!u.cut) return false; // not ours: the grace is not over and no kill came
        if (self.sched.det != null) rethrowExit();
        if (u.cutAt == 0) u.cutAt = System.nanoTime();
        if (ExitSites.putOff(u.cutAt) < 0) rethrowExit();
        return true;
    }

    /**
     * Whether the exit of a clean-up whose grace is over may be thrown at this tick ({@link ExitSites}): in
     * the process's own code, or anywhere {@link ExitSites#IN_LIBRARY_NANOS} after the grace ended; never
     * under a class initialiser. Every tick looks while the process unwinds; one look in {@link ExitSites#LOOKS_PER_WALK} walks the
     * stack.
     */
    private boolean mayLandHere(Unwind u) {
        if (self.sched.det != null) return true;
        if (u.cutAt == 0) u.cutAt = System.nanoTime();
        return ++u.looks % ExitSites.LOOKS_PER_WALK == 1 && ExitSites.putOff(u.cutAt) < 0;
    }

    // =====================================================================================
    // The process's end
    // =====================================================================================

    /**
     * Whether someone hears of this process's end and lives on to act on it: a monitor (a Down message),
     * or a link to a process that traps exits (an Exit message; a supervisor's). A linked process that
     * does not trap exits only dies of a crash too, and is not reported for it (see Proc.terminate), so
     * a crash whose links all die with it is reported here, once. (Its peers' flags are read racily: a
     * peer turning trapExits on or off at that moment may cost a report or add one.)
     */
    boolean heardOfBySomeone() {
        if (watchers != null && !watchers.isEmpty()) return true;
        if (links != null) {
            for (Map.Entry<Proc, Link> e : links.entrySet()) {
                if (e.getValue().active && e.getKey().signals.trapsExits()) return true;
            }
        }
        return false;
    }

    /**
     * After the mailbox closed: answers the signals that reached it after the body ended (a link gets
     * noproc, a monitor a noproc Down), then sends exit signals to links and Downs to watchers, and
     * forgets them all.
     */
    void processEnded(ExitReason reason) {
        self.mailbox.drainClosed(this::afterDeath);
        if (links != null) {
            for (Map.Entry<Proc, Link> e : links.entrySet()) {
                if (e.getValue().active) e.getKey().signal(SysSignal.exitLink(self, reason));
            }
            links = null;
        }
        if (watchers != null) {
            for (Map.Entry<Ref, Proc> e : watchers.entrySet()) {
                e.getValue().signal(SysSignal.down(self, e.getKey(), reason));
            }
            watchers = null;
        }
        monitors = null;
    }

    /** A signal that reached the mailbox after the body ended. */
    private void afterDeath(Signal s) {
        if (!(s instanceof SysSignal sig)) return; // messages to a dead process are dropped
        switch (sig.kind) {
            case SysSignal.LINK -> sig.from.signal(SysSignal.exitLink(self, ExitReason.NOPROC));
            case SysSignal.UNLINK -> {
                if (links != null) links.remove(sig.from);
                sig.from.signal(SysSignal.unlinkAck(self, sig.id));
            }
            case SysSignal.MONITOR -> sig.from.signal(SysSignal.down(self, sig.ref, ExitReason.NOPROC));
            case SysSignal.DEMONITOR -> {
                if (watchers != null) watchers.remove(sig.ref);
            }
            case SysSignal.INSPECT -> sig.answer().complete(null); // no mailbox any more
            default -> { } // exits, downs and acks for a dead process mean nothing
        }
    }

    // =====================================================================================
    // Links, monitors, trapping exits: the process acting on itself
    // =====================================================================================

    /** Owner, holding this object's monitor ({@code Proc.setTrapExits}). */
    void trapExits(boolean on) {
        trapExits = on;
    }

    /** Whether {@code sig} is of a kind that can end the process (an exit, a link's exit). */
    static boolean mayEnd(SysSignal sig) {
        return sig.kind == SysSignal.EXIT || sig.kind == SysSignal.EXIT_LINK;
    }

    /**
     * Any thread, having pushed {@code sig}, holding this object's monitor ({@code Proc.stopIfItEnds}):
     * whether it will end the process when the process acts on it, by the rules of {@link #accept} (a
     * kill always; another exit unless the process traps exits, and unless it is {@code normal} from
     * someone else). {@code trapExits} is read under the monitor the owner changes it under
     * ({@code Proc.setTrapExits}), so the answer is exact for it. Still racy: a link's exit is taken as
     * coming over a link still in place, so a process that unlinked at that moment may be interrupted
     * for an exit that then has no effect. Used to interrupt a process in a blocking JDK call
     * ({@code Proc.stopForExit}).
     */
    boolean endsProcess(SysSignal sig) {
        return switch (sig.kind) {
            case SysSignal.EXIT -> sig.reason() == ExitReason.KILL
                    || (!trapExits && (!sig.reason().isNormal() || sig.from == self));
            case SysSignal.EXIT_LINK -> !trapExits && !sig.reason().isNormal();
            default -> false;
        };
    }

    /**
     * Whether {@code sig}, sent to this process while it unwinds, changes its end: only a kill does (see
     * {@link #die}).
     */
    static boolean killsUnwinding(SysSignal sig) {
        return sig.kind == SysSignal.EXIT && sig.reason() == ExitReason.KILL;
    }

    /** Whether the process traps exits (racy unless the owner asks). */
    boolean trapsExits() {
        return trapExits;
    }

    /** Links to {@code other}; noproc (exception, or an Exit message if trapping) if it is dead. */
    void link(Proc other) {
        if (other == self) return;
        if (links == null) links = newMap();
        Link l = links.get(other);
        if (l != null && l.active) return;
        if (other.isAlive() && other.signal(SysSignal.link(self))) {
            if (l == null) links.put(other, new Link());
            else l.active = true; // relinked before our unlink was acknowledged
            return;
        }
        if (l != null) links.remove(other);
        if (trapExits) {
            deliverToSelf(new Exit(other.pid, ExitReason.NOPROC));
        } else {
            throw new NoProcessException(other.pid, "link: no such process " + other.pid);
        }
    }

    /** Links a child that has not started yet: both sides at once, before it runs (the creator calls it). */
    void linkBeforeStart(Proc child) {
        if (links == null) links = newMap();
        links.put(child, new Link());
        assert child.isNew() : child + " has started";
        Signals theirs = child.signals;
        theirs.links = newMap(); // ours, as before the split: the creator's scheduler picks the map's kind
        theirs.links.put(self, new Link());
    }

    /** After it returns, the link (if any) has no further effect on this process. */
    void unlink(Proc other) {
        if (links == null) return;
        Link l = links.get(other);
        if (l == null || !l.active) return;
        long id = NEXT_UNLINK.getAndIncrement();
        l.active = false;
        l.unlinkId = id;
        if (!other.signal(SysSignal.unlink(self, id))) {
            links.remove(other);
        }
    }

    /** Sets a monitor on {@code target}: a Down arrives when it ends (at once, noproc, if it has). */
    Ref monitor(Proc target) {
        Ref ref = Ref.make();
        if (monitors == null) monitors = new HashMap<>();
        monitors.put(ref, target);
        if (!target.isAlive() || !target.signal(SysSignal.monitor(self, ref))) {
            self.signal(SysSignal.down(target, ref, ExitReason.NOPROC));
        }
        return ref;
    }

    /** Monitors a child that has not started yet (the creator calls it). */
    Ref monitorBeforeStart(Proc child) {
        Ref ref = Ref.make();
        if (monitors == null) monitors = new HashMap<>();
        monitors.put(ref, child);
        assert child.isNew() : child + " has started";
        Signals theirs = child.signals;
        theirs.watchers = newMap(); // ours: see linkBeforeStart
        theirs.watchers.put(ref, self);
        return ref;
    }

    /**
     * Removes a monitor. After it returns no Down for {@code ref} is added to the mailbox; with
     * {@code flush}, one already there is removed too. Returns true if the monitor was active.
     */
    boolean demonitor(Ref ref, boolean flush) {
        Proc target = monitors == null ? null : monitors.remove(ref);
        if (target != null) {
            // Still active: no Down for it was drained yet, and one still in the inbox is dropped when
            // drained (its ref is gone from monitors), so there is nothing to flush.
            target.signal(SysSignal.demonitor(self, ref));
            return true;
        }
        if (flush) self.mailbox.removeFirst(m -> m instanceof Down d && d.ref().equals(ref));
        return false;
    }

    /** While a call waits: only a reply tagged {@code tag} is kept (null: none is). */
    void awaitReply(Ref tag) {
        awaitingReply = tag;
    }

    // =====================================================================================
    // Introspection (racy snapshots unless the owner asks)
    // =====================================================================================

    /** The processes linked to this one. */
    List<Pid> linkedPids() {
        List<Pid> out = new ArrayList<>();
        HashMap<Proc, Link> l = links;
        if (l != null) {
            try {
                l.forEach((p, st) -> {
                    if (st.active) out.add(p.pid);
                });
            } catch (RuntimeException concurrent) {
                // read while the owner changes it: best effort
            }
        }
        return out;
    }

    /** The processes this one monitors, one per monitor. */
    List<Pid> monitoredPids() {
        return pidsOf(monitors);
    }

    /** The processes that monitor this one, one per monitor. */
    List<Pid> monitoredByPids() {
        return pidsOf(watchers);
    }

    private static List<Pid> pidsOf(HashMap<Ref, Proc> m) {
        List<Pid> out = new ArrayList<>();
        if (m != null) {
            try {
                m.values().forEach(p -> out.add(p.pid));
            } catch (RuntimeException concurrent) {
                // best effort
            }
        }
        return out;
    }
}
