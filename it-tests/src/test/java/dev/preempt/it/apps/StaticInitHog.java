package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import dev.preempt.ProcessInfo;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A CPU hog inside a static initialiser, where the VM will not let a virtual thread yield. It must
 * still compute the right value, its refused yields must be counted as pins, and processes that use
 * other classes must go on meanwhile. {@code StaticInitHog callee}: the initialiser calls a method
 * that hogs instead (that method's ticks run under the initialiser too).
 */
public final class StaticInitHog {

    record Result(String who, long value, long pins) {}

    static final AtomicLong OTHERS_PROGRESS = new AtomicLong();
    static volatile boolean initStarted, initDone;
    static volatile long progressAtInitStart, progressAtInitEnd;

    /** Its initialiser counts for a while (plain loops, ticks in them). */
    static final class Slow {
        static final long VALUE;

        static {
            progressAtInitStart = OTHERS_PROGRESS.get();
            initStarted = true;
            long s = 0;
            for (int r = 0; r < 200; r++) {
                for (int i = 0; i < 1_000_000; i++) s += (i ^ r) & 7;
            }
            VALUE = s;
            progressAtInitEnd = OTHERS_PROGRESS.get();
            initDone = true;
        }
    }

    /** Its initialiser calls a method that hogs: that method's ticks run under the initialiser too. */
    static final class SlowCallee {
        static final long VALUE = Expected.slow();
    }

    static final class Other {
        static long work(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) s += i % 7;
            return s;
        }
    }

    private StaticInitHog() {}

    @Process
    public static void main(String[] args) {
        Pid me = self();
        // three processes that use another class, over and over, while Slow initialises
        for (int i = 0; i < 3; i++) {
            spawn(() -> {
                long v = 0;
                for (int r = 0; r < 400; r++) {
                    v += Other.work(100_000);
                    OTHERS_PROGRESS.incrementAndGet();
                }
                send(me, new Result("other", v, 0));
            });
        }
        boolean callee = args.length > 0 && args[0].equals("callee");
        Pid initialiser = spawn(() -> {
            long v = callee ? SlowCallee.VALUE : Slow.VALUE;
            long pins = Preempt.processInfo(self()).map(ProcessInfo::pins).orElse(-1L);
            send(me, new Result("slow", v, pins));
        });
        // once initialisation runs (and others got on beside it), one more process uses the same class:
        // it waits in the VM, holding its carrier, until initialisation is done
        while (!initStarted || (OTHERS_PROGRESS.get() - progressAtInitStart < 3 && !initDone)) {
            Preempt.sleep(java.time.Duration.ofMillis(1));
        }
        spawn(() -> send(me, new Result("waiter", callee ? SlowCallee.VALUE : Slow.VALUE, 0)));
        for (int i = 0; i < 5; i++) {
            Result r = receive(Result.class);
            System.out.printf("result who=%s value=%d pins=%d%n", r.who(), r.value(), r.pins());
        }
        System.out.println("initialiser " + initialiser + " done; others progressed during initialisation="
                + (progressAtInitEnd - progressAtInitStart));
    }

    /** The expected values, computed without the agent's help. */
    public static final class Expected {
        public static void main(String[] args) {
            System.out.println("expected slow=" + slow() + " other=" + 400 * Other.work(100_000));
        }

        static long slow() {
            initStarted = true;
            long s = 0;
            for (int r = 0; r < 200; r++) {
                for (int i = 0; i < 1_000_000; i++) s += (i ^ r) & 7;
            }
            initDone = true;
            return s;
        }
    }
}
