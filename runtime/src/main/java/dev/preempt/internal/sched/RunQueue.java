package dev.preempt.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A carrier's local run queue: a bounded ring that its owner appends to and takes from in FIFO order,
 * and that idle carriers steal half of. Modelled on the Go runtime's {@code runq} (proc.go):
 * single producer (the owner), many consumers (the owner and thieves).
 *
 * <p>Memory ordering: the owner writes a slot with a plain store and then publishes it with a release
 * store of {@code tail}. Consumers read {@code tail} with acquire, read the slots, and claim them with a
 * CAS on {@code head}; a slot is only overwritten after {@code head} has moved past it, and the owner
 * only writes slots in {@code [tail, head + capacity)}, so a consumer whose CAS succeeds read slots that
 * were not rewritten in between. A failed CAS means someone else took them: retry.
 */
final class RunQueue {

    static final int CAPACITY = 256; // power of two
    private static final int MASK = CAPACITY - 1;
    private static final VarHandle HEAD, TAIL, SLOTS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(RunQueue.class, "head", int.class);
            TAIL = l.findVarHandle(RunQueue.class, "tail", int.class);
            SLOTS = MethodHandles.arrayElementVarHandle(Proc[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Proc[] slots = new Proc[CAPACITY];
    @SuppressWarnings("unused")
    private volatile int head; // next slot to take; CAS by consumers
    @SuppressWarnings("unused")
    private volatile int tail; // next slot to fill; owner only (release store)

    /** Owner. Appends {@code p}; returns false if the ring is full (the caller then moves work to the global queue). */
    boolean offer(Proc p) {
        int h = (int) HEAD.getAcquire(this);
        int t = (int) TAIL.getOpaque(this);
        if (t - h >= CAPACITY) return false;
        SLOTS.setOpaque(slots, t & MASK, p);
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Owner. Takes the oldest entry, or null. */
    Proc poll() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            if (t == h) return null;
            Proc p = (Proc) SLOTS.getOpaque(slots, h & MASK);
            if (HEAD.compareAndSet(this, h, h + 1)) return p;
        }
    }

    /** Any thread (a thief taking one at a time): takes the oldest entry, or null. */
    Proc steal() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this); // not the owner: acquire, to see the slot the owner wrote
            if (t - h <= 0) return null;
            Proc p = (Proc) SLOTS.getOpaque(slots, h & MASK);
            if (HEAD.compareAndSet(this, h, h + 1)) return p;
        }
    }

    /**
     * Owner, when the ring is full: takes the older half into {@code out} (returns how many), so that
     * the caller can move them to the global queue.
     */
    int drainHalf(Proc[] out) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            int n = (t - h) / 2;
            if (n == 0) return 0;
            for (int i = 0; i < n; i++) out[i] = (Proc) SLOTS.getOpaque(slots, (h + i) & MASK);
            if (HEAD.compareAndSet(this, h, h + n)) return n;
        }
    }

    /**
     * Thief. Moves about half of this queue's entries into {@code into} (the thief's own, empty-ish
     * queue) and returns one of them to run at once, or null if there was nothing to take.
     */
    Proc stealInto(RunQueue into) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            int n = t - h;
            n = n - n / 2;
            if (n <= 0) return null;
            if (n > CAPACITY / 2) continue; // inconsistent read (head moved a lot): retry
            int it = (int) TAIL.getOpaque(into);
            int ih = (int) HEAD.getAcquire(into);
            if (it - ih + n - 1 > CAPACITY) n = Math.max(1, CAPACITY - (it - ih) + 1); // keep room
            Proc first = (Proc) SLOTS.getOpaque(slots, h & MASK);
            for (int i = 1; i < n; i++) {
                SLOTS.setOpaque(into.slots, (it + i - 1) & MASK, SLOTS.getOpaque(slots, (h + i) & MASK));
            }
            if (HEAD.compareAndSet(this, h, h + n)) {
                TAIL.setRelease(into, it + n - 1);
                return first;
            }
        }
    }

    /** Any thread, approximate. */
    int size() {
        int n = (int) TAIL.getAcquire(this) - (int) HEAD.getAcquire(this);
        return Math.max(0, Math.min(n, CAPACITY));
    }
}
