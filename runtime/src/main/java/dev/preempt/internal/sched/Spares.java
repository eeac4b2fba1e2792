package dev.preempt.internal.sched;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Spare carriers: while carriers are held (blocked in a call, or handed off by the {@link Watchdog}),
 * as many spares run as there are held carriers, so that the scheduler always has its full number of
 * carriers free to run processes (Go's hand-off of a P from an M in a syscall; BEAM's dirty schedulers
 * play the same part for blocking NIFs). Bounded by {@code maxSpares}; past it, held carriers simply
 * wait.
 *
 * <p>Invariant, approached from both sides: {@code active} (spares running the carrier loop) follows
 * {@code blocked} (held carriers). A carrier that becomes held calls {@link #blocked()}, which activates a
 * pooled spare at once if no carrier is idle or work is waiting (or asks the watchdog to create one); a
 * producer that finds no idle carrier calls {@link #ensure()} through {@code wakeIdle}; a spare that finds
 * {@code active > blocked} between slices retires ({@link #surplus()}) and parks in the pool, newest
 * first, so warm threads are reused. A spare unused in the pool for {@link #KEEP_ALIVE_NANOS} ends.
 *
 * <p>Thread contract: {@link #blocked()}, {@link #unblocked()}, {@link #ensure()} from any thread (a
 * carrier's, with a process mounted, inside {@code Blocker.begin}: so never parking); {@link #surplus()},
 * {@link #pooled}, {@link #waitInPool} from the spare's own thread; {@link #create()} from the watchdog.
 */
final class Spares {

    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final SchedulerCore sched;
    private final int max;
    private final AtomicInteger blocked = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger created = new AtomicInteger();
    private final ConcurrentLinkedDeque<Carrier> pool = new ConcurrentLinkedDeque<>();

    Spares(SchedulerCore sched, int max) {
        this.sched = sched;
        this.max = max;
    }

    /** Carriers held now (racy). */
    int blockedCount() {
        return blocked.get();
    }

    /** Spares running now (racy). */
    int activeCount() {
        return active.get();
    }

    /** Spare threads that exist (running or pooled). */
    int createdCount() {
        return created.get();
    }

    /** A carrier became held. */
    void blocked() {
        blocked.incrementAndGet();
        if (sched.idleCount.get() == 0 || sched.sharedWorkWaiting()) ensure();
    }

    /** A held carrier is free again; a spare retires at its next look. */
    void unblocked() {
        blocked.decrementAndGet();
    }

    /** Whether fewer spares run than carriers are held. */
    boolean wanted() {
        return blocked.get() > active.get();
    }

    /** Any thread: activates pooled spares while one is wanted; if the pool is empty, the watchdog makes one. */
    void ensure() {
        while (wanted()) {
            Carrier c = pool.pollFirst();
            if (c == null) {
                if (created.get() < max) sched.watchdog.wake();
                return;
            }
            if (activate(c)) return;
        }
    }

    /** A CAS, not a lock: this may run inside {@code Blocker.begin}, where a process must not park. */
    private boolean activate(Carrier c) {
        active.incrementAndGet();
        if (!c.casSpareState(Carrier.POOLED, Carrier.ACTIVE)) { // it ended itself after its keep-alive
            active.decrementAndGet();
            return false;
        }
        c.unpark();
        return true;
    }

    /** Whether more spares run than carriers are held (racy; {@link #surplus()} decides). */
    boolean surplusNow() {
        return active.get() > blocked.get();
    }

    /** A spare, between slices: true (and counted out) if more spares run than carriers are held. */
    boolean surplus() {
        for (;;) {
            int a = active.get();
            if (a <= blocked.get()) return false;
            if (active.compareAndSet(a, a - 1)) return true;
        }
    }

    /** A spare that retired (its state already POOLED) goes to the pool, newest first. */
    void pooled(Carrier c) {
        pool.offerFirst(c);
        if (wanted()) ensure(); // a carrier became held while it retired
    }

    /**
     * A pooled spare's thread: parks until activated. False when it stayed unused for the keep-alive (its
     * thread then ends and it leaves the scheduler); true when it is active again.
     */
    boolean waitInPool(Carrier c) {
        long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
        while (c.spareState == Carrier.POOLED && !sched.shutdown) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (!c.casSpareState(Carrier.POOLED, Carrier.DEAD)) return true; // activated just now
                pool.remove(c);
                created.decrementAndGet();
                sched.removeCarrier(c);
                return false;
            }
            LockSupport.parkNanos(this, left);
        }
        return !sched.shutdown;
    }

    /** The watchdog: creates a spare if one is wanted, none is pooled and the bound allows. */
    void create() {
        while (wanted() && pool.isEmpty()) {
            int n = created.get();
            if (n >= max) return;
            if (!created.compareAndSet(n, n + 1)) continue;
            active.incrementAndGet();
            Carrier c = sched.addSpare();
            c.start();
        }
        ensure(); // a spare pooled meanwhile
    }
}
