package dev.preempt.internal.sched;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Receive timeouts and sleeps, fired by the carriers themselves (as Go's scheduler fires its timers):
 * every scheduling round a carrier compares the earliest deadline with the clock, and an idle carrier
 * parks only until that deadline. There is no timer thread, so a process whose timer expires does not
 * wait for the OS to schedule one on a machine whose cores are all busy with carriers.
 *
 * <p>One binary heap under a lock, with each entry knowing its index so that a timer cancelled because
 * its message came first is removed in O(log n). 100,000 pending timers are 100,000 small objects.
 * Processes lock it; carriers only ever try it (see {@link #fire}).
 * {@link #next} is read without the lock on every scheduling round; it is only a hint, re-checked under
 * the lock.
 */
final class Timers {

    /** A pending timer; {@code index} is its heap slot, -1 once fired or cancelled. */
    static final class Entry {
        final long deadline;
        final Proc proc;
        int index = -1;

        Entry(long deadline, Proc proc) {
            this.deadline = deadline;
            this.proc = proc;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private Entry[] heap = new Entry[64];
    private int size;
    /** The earliest deadline, or Long.MAX_VALUE when none. */
    private volatile long next = Long.MAX_VALUE;
    /** The idle carrier parked until {@link #next}, if any: woken when an earlier timer arrives. */
    final AtomicReference<Carrier> watcher = new AtomicReference<>();

    /** Adds a timer that unparks {@code p} at {@code deadline} (on the scheduler's {@link Clock}). */
    Entry add(Proc p, long deadline) {
        Entry e = new Entry(deadline, p);
        boolean earliest;
        lock.lock();
        try {
            if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
            e.index = size;
            heap[size++] = e;
            siftUp(e.index);
            earliest = heap[0] == e;
            next = heap[0].deadline;
        } finally {
            lock.unlock();
        }
        if (earliest) {
            Carrier w = watcher.get();
            if (w != null) w.unpark(); // it parked for a later deadline
        }
        return e;
    }

    /** Removes a timer that has not fired. */
    void cancel(Entry e) {
        if (e.index < 0) return;
        lock.lock();
        try {
            int i = e.index;
            if (i < 0) return;
            Entry last = heap[--size];
            heap[size] = null;
            e.index = -1;
            if (last != e) {
                heap[i] = last;
                last.index = i;
                siftDown(i);
                siftUp(last.index);
            }
            next = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
        } finally {
            lock.unlock();
        }
    }

    long next() {
        return next;
    }

    /**
     * Carrier. Fires every timer due at {@code now}: unparks its process. Returns how many fired.
     *
     * <p>Only tries the lock: processes (virtual threads) take it in {@link #add} and {@link #cancel},
     * and a carrier that blocked on it could wait behind a process that needs a carrier to run —
     * with every carrier blocked that way, nothing runs again. A busy lock just means next round.
     */
    int fire(long now) {
        if (next - now > 0) return 0;
        int fired = 0;
        for (;;) {
            Proc p;
            if (!lock.tryLock()) return fired;
            try {
                p = popDue(now);
                if (p == null) return fired;
            } finally {
                lock.unlock();
            }
            // Outside the lock: unpark may run the scheduler's submit. A spare unpark is harmless:
            // the process re-checks its deadline.
            LockSupport.unpark(p.thread);
            fired++;
        }
    }

    /**
     * Under the lock: removes the earliest timer if it is due at {@code now} and returns its process;
     * else sets {@link #next} to the earliest deadline (or none) and returns null.
     */
    private Proc popDue(long now) {
        if (size == 0 || heap[0].deadline - now > 0) {
            next = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
            return null;
        }
        Entry e = heap[0];
        Entry last = heap[--size];
        heap[size] = null;
        e.index = -1;
        if (size > 0) {
            heap[0] = last;
            last.index = 0;
            siftDown(0);
        }
        return e.proc;
    }

    int size() {
        return size;
    }

    /**
     * The deterministic scheduler's carrier, no process running: removes the earliest timer if it is due
     * at {@code now} and returns its process (the caller unparks it), else null. Timers due at the same
     * instant come out in heap order, which the same sequence of adds and cancels repeats.
     */
    Proc pollDue(long now) {
        if (next - now > 0) return null;
        lock.lock();
        try {
            Proc p = popDue(now);
            if (p != null) next = size == 0 ? Long.MAX_VALUE : heap[0].deadline;
            return p;
        } finally {
            lock.unlock();
        }
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (p.deadline - e.deadline <= 0) break;
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Entry c = heap[child];
            int right = child + 1;
            if (right < size && c.deadline - heap[right].deadline > 0) {
                child = right;
                c = heap[child];
            }
            if (e.deadline - c.deadline <= 0) break;
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
