package dev.preempt.it.apps;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Preempt;
import dev.preempt.Process;

/**
 * A process killed while it runs a class's static initialiser, whose work is in an ordinary method it
 * calls (a library building its lookup tables): the class must stay usable by everyone else. Prints how
 * the first user ended and what a second user got.
 */
public final class KillInInitializer {

    private KillInInitializer() {}

    static final class Table {
        static final long[] T = Builder.build(200_000, 400); // a few hundred milliseconds of ticking work

        static long get(int i) {
            return T[i];
        }
    }

    static final class Builder {
        static long[] build(int n, int rounds) {
            long[] t = new long[n];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) t[i] = t[i] * 31 + i + r;
            }
            return t;
        }
    }

    @Process
    public static void main(String[] args) {
        Preempt.Spawned first = Preempt.spawnMonitor(() -> System.out.println("first user got " + Table.get(1)));
        Preempt.sleep(5); // inside Table.<clinit> now
        Preempt.exit(first.pid(), ExitReason.KILL);
        Down d = (Down) Preempt.receive(m -> m instanceof Down dd && dd.ref().equals(first.ref()));
        String second;
        try {
            second = "value=" + Table.get(1);
        } catch (Throwable t) {
            second = "error=" + t.getClass().getSimpleName();
        }
        System.out.println("initializer first=" + d.reason() + " second=" + second);
    }
}
