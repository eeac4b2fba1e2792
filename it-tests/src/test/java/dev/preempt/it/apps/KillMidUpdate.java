package dev.preempt.it.apps;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message-driven workers that update shared state in two steps with work between them (what a cache's
 * put and its bookkeeping are), killed at random while busy. Prints whether the shared invariant
 * survived: an exit thrown at a tick between the two steps breaks it, as {@code Thread.stop} would.
 */
public final class KillMidUpdate {

    private KillMidUpdate() {}

    static final long TOTAL = 1_000_000;
    static final AtomicLong from = new AtomicLong(TOTAL), to = new AtomicLong();
    static volatile long sink;

    @Process
    public static void main(String[] args) {
        int workers = 16, kills = Integer.parseInt(args[0]);
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < workers; i++) pids.add(worker());
        Random r = new Random(42);
        for (int n = 0; n < kills; n++) {
            for (Pid p : pids) Preempt.send(p, n);
            Preempt.sleep(1); // the workers are in their transfers now
            int i = r.nextInt(workers);
            Preempt.exit(pids.get(i), ExitReason.KILL);
            pids.set(i, worker());
        }
        for (Pid p : pids) Preempt.exit(p, ExitReason.KILL);
        Preempt.sleep(500);
        long lost = TOTAL - from.get() - to.get();
        System.out.println("ledger kills=" + kills + " lost=" + lost + " moved=" + to.get());
    }

    static Pid worker() {
        return Preempt.spawn(() -> {
            while (true) {
                Preempt.receive(Integer.class);
                transfer();
            }
        });
    }

    /** Two steps with ticking work between: a kill between them loses one unit. */
    static void transfer() {
        from.decrementAndGet();
        sink += work(200_000); // about a millisecond of ticks
        to.incrementAndGet();
    }

    static long work(int n) {
        long x = 0;
        for (int i = 0; i < n; i++) x += step(i);
        return x;
    }

    static long step(int i) {
        return i * 31L ^ (i >>> 3);
    }
}
