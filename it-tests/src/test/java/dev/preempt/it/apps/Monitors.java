package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.Pid;
import dev.preempt.Process;

/**
 * Many processes on every carrier increment shared counters inside {@code synchronized}, with loops
 * (so ticks, and preemption) inside the locked region, and in a {@code synchronized} method. {@code
 * thin}: plain contention; {@code inflated}: every eighth holder also calls {@code notifyAll} and a
 * timed {@code wait}, which inflates the monitor. Prints the totals: nothing may be lost, nothing may
 * deadlock.
 */
public final class Monitors {

    static final Object LOCK = new Object();
    static long counter;
    static long guarded;

    /** A counter behind a synchronized method (ACC_SYNCHRONIZED, no monitorenter in the bytecode). */
    static final class Box {
        private long n;

        synchronized void add(int times) {
            for (int i = 0; i < times; i++) n += spin(i);
        }

        synchronized long get() {
            return n;
        }
    }

    private Monitors() {}

    static long spin(int i) {
        long x = i;
        for (int k = 0; k < 20; k++) x = x * 31 + k;
        return (x & 1) | 1; // always 1
    }

    @Process
    public static void main(String[] args) throws InterruptedException {
        String mode = args[0];
        int procs = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Pid me = self();
        Box box = new Box();
        for (int p = 0; p < procs; p++) {
            spawn(() -> {
                for (int r = 0; r < rounds; r++) {
                    synchronized (LOCK) {
                        long c = counter;
                        for (int i = 0; i < 200; i++) guarded += spin(i); // ticks inside the lock
                        counter = c + 1;
                        if (mode.equals("inflated") && (r & 7) == 0) {
                            LOCK.notifyAll();
                            try {
                                LOCK.wait(0, 1);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                    box.add(50);
                }
                send(me, "done");
            });
        }
        for (int p = 0; p < procs; p++) receive(m -> m.equals("done"));
        synchronized (LOCK) {
            System.out.printf("monitors counter=%d guarded=%d box=%d expected=%d%n", counter, guarded, box.get(),
                    (long) procs * rounds);
        }
    }
}
