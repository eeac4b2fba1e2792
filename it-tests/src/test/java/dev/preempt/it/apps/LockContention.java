package dev.preempt.it.apps;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code LockContention processes seconds}: that many processes take turns on one non-fair
 * {@code ReentrantLock}, with work (ticks) inside and outside the locked region. Prints how many of them
 * got the lock at least once in the last {@code seconds}.
 */
public final class LockContention {
    private LockContention() {}

    static final ReentrantLock LOCK = new ReentrantLock(); // non-fair, the default
    static AtomicLongArray acquired;
    static volatile long sink;
    static int OUTSIDE = Integer.getInteger("outside", 0);
    static int INSIDE = Integer.getInteger("inside", 1000);

    @Process
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        acquired = new AtomicLongArray(n);
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int slot = i;
            pids.add(Preempt.spawn(() -> {
                while (true) {
                    LOCK.lock();
                    try {
                        sink += work(INSIDE);
                        acquired.incrementAndGet(slot);
                    } finally {
                        LOCK.unlock();
                    }
                    if (OUTSIDE > 0) sink += work(OUTSIDE);
                }
            }));
        }
        Preempt.sleep(500);
        long[] before = new long[n];
        for (int i = 0; i < n; i++) before[i] = acquired.get(i);
        Preempt.sleep(seconds * 1000);
        int progressed = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            long d = acquired.get(i) - before[i];
            if (d > 0) progressed++;
            total += d;
        }
        for (Pid p : pids) Preempt.exit(p, ExitReason.KILL);
        System.out.println("lock processes=" + n + " progressed=" + progressed + " acquisitions=" + total);
    }

    /** n reductions or so: a loop that is not of the counted shape ticks every iteration. */
    static long work(int n) {
        long x = 0;
        int i = 0;
        while (i < n) {
            x += step(i);
            i += (x & 1) == 2 ? 2 : 1;
        }
        return x;
    }

    static long step(int i) {
        return i * 31L ^ (i >>> 3);
    }
}
