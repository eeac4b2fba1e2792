package dev.preempt.bench;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

/**
 * Bytes of heap per idle process (waiting in receive) or per idle virtual thread (waiting on a latch),
 * and time per spawn over a million: heap used after a full GC with N of them alive, minus before,
 * divided by N. Run in a fresh JVM by {@link Report}: {@code Footprint preempt|vthreads N}.
 */
public final class Footprint {

    private Footprint() {}

    public static void main(String[] args) throws Exception {
        String what = args[0];
        int n = Integer.parseInt(args[1]);
        if (what.equals("preempt")) Scheduler.defaultScheduler();
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        Object keep;
        CountDownLatch go = new CountDownLatch(1);
        if (what.equals("preempt")) {
            Pid[] pids = new Pid[n];
            for (int i = 0; i < n; i++) pids[i] = Preempt.spawn(Preempt::receive);
            keep = pids;
        } else {
            Thread[] ts = new Thread[n];
            for (int i = 0; i < n; i++) {
                ts[i] = Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            keep = ts;
        }
        long spawnNanos = System.nanoTime() - t0;
        Thread.sleep(1000); // let every one of them run to its wait and park
        long after = usedAfterGc();
        System.out.printf("footprint %s n=%d bytesPerIdle=%.0f spawnNanos=%.1f%n", what, n,
                (after - before) / (double) n, spawnNanos / (double) n);
        if (keep == null) System.out.println();
        System.exit(0);
    }

    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
