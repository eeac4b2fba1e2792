package dev.preempt.it.apps;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@code SliceBounds seconds}: for each workload shape, a hog process runs it for ever beside a witness
 * process on one carrier; the witness notes the time, yields, and when it runs again the gap is how long
 * the hog's slice lasted. Prints one line per shape: the number of slices seen, their median, p99 and
 * longest. Shapes: a recursion (calls only), megamorphic calls, a counted loop, an uncounted loop, and a
 * loop around a JDK call (uninstrumented code: the time slice cuts it).
 */
public final class SliceBounds {

    private SliceBounds() {}

    static volatile long sink;
    static volatile boolean go = true;

    @Process
    public static void main(String[] args) {
        double seconds = Double.parseDouble(args[0]);
        for (String shape : new String[] {"recursion", "megamorphic", "countedLoop", "uncountedLoop", "jdkCallLoop"}) {
            LongSupplier work = shape(shape);
            Pid hog = Preempt.spawn(() -> {
                while (true) sink += work.getAsLong();
            });
            long[] gaps = witness((long) (seconds * 1e9));
            Preempt.exit(hog, ExitReason.KILL);
            Arrays.sort(gaps);
            long p50 = gaps.length == 0 ? 0 : gaps[gaps.length / 2], p99 = gaps.length == 0 ? 0 : gaps[(int) (gaps.length * 0.99)];
            long max = gaps.length == 0 ? 0 : gaps[gaps.length - 1];
            System.out.printf("slice shape=%s slices=%d p50us=%d p99us=%d maxus=%d%n", shape, gaps.length, p50 / 1000, p99 / 1000,
                    max / 1000);
        }
    }

    /** Yields in a loop for {@code nanos}; each gap between two of its runs longer than 20 µs is a hog slice. */
    static long[] witness(long nanos) {
        long[] gaps = new long[1 << 20];
        int n = 0;
        Preempt.yield(); // let the hog start
        long end = System.nanoTime() + nanos, last = System.nanoTime();
        while (last - end < 0) {
            Preempt.yield();
            long now = System.nanoTime();
            if (now - last > 20_000 && n < gaps.length) gaps[n++] = now - last;
            last = now;
        }
        return Arrays.copyOf(gaps, n);
    }

    static LongSupplier shape(String name) {
        return switch (name) {
            case "recursion" -> () -> fib(25);
            case "megamorphic" -> SliceBounds::megamorphic;
            case "countedLoop" -> SliceBounds::countedLoop;
            case "uncountedLoop" -> SliceBounds::uncountedLoop;
            case "jdkCallLoop" -> SliceBounds::jdkCallLoop;
            default -> throw new IllegalArgumentException(name);
        };
    }

    static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    interface Shape {
        long size();
    }

    record A(long v) implements Shape { public long size() { return v; } }

    record B(long v) implements Shape { public long size() { return v * 2; } }

    record C(long v) implements Shape { public long size() { return v + 3; } }

    record D(long v) implements Shape { public long size() { return v ^ 5; } }

    static final Shape[] SHAPES = new Shape[4096];

    static {
        for (int i = 0; i < SHAPES.length; i++) {
            SHAPES[i] = switch (i % 4) {
                case 0 -> new A(i);
                case 1 -> new B(i);
                case 2 -> new C(i);
                default -> new D(i);
            };
        }
    }

    static long megamorphic() {
        long s = 0;
        for (Shape x : SHAPES) s += x.size();
        return s;
    }

    static final int[] INTS = new int[1 << 16];

    static long countedLoop() {
        long s = 0;
        for (int i = 0; i < INTS.length; i++) s += INTS[i] + i;
        return s;
    }

    static long uncountedLoop() {
        long s = 0, i = 0;
        while (go && i < 100_000) s += i++ * 7;
        return s;
    }

    static final int[] TO_SORT = new int[2_000];

    static long jdkCallLoop() {
        long s = 0;
        for (int r = 0; r < 4; r++) {
            for (int i = 0; i < TO_SORT.length; i++) TO_SORT[i] = (i * 7919 + r) % 1000;
            Arrays.sort(TO_SORT); // JDK code: no tick inside
            s += TO_SORT[r];
        }
        return s;
    }
}
