package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;
import static dev.preempt.Preempt.spawnMonitor;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Preempt.Spawned;
import dev.preempt.Process;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

/**
 * Code shapes the agent must make preemptible. Each shape computes a checksum. Under the agent (run
 * with {@code carriers=1}) each shape runs in a process beside a witness process that counts in a
 * loop: on one carrier the witness only counts while the shape runs if the shape was preempted. Prints
 * {@code shape name=... result=... witness=...}; without the agent it prints the results alone, so
 * that a test can compare instrumented and uninstrumented results.
 */
public final class Shapes {

    static final int N = 3_000_000;
    static final AtomicLong WITNESS = new AtomicLong();

    record Done(String name, long result, long witnessDuring) {}

    private Shapes() {}

    static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        return x ^ (x >>> 29);
    }

    /** The shapes, by name. Each one loops long enough to outlast many slices. */
    static Map<String, LongSupplier> shapes() {
        Map<String, LongSupplier> m = new LinkedHashMap<>();
        m.put("lambda", () -> {
            long s = 0;
            for (int i = 0; i < N; i++) s += mix(i);
            return s;
        });
        m.put("stream", () -> LongStream.range(0, N).map(x -> mix(x) & 0xFFFF).filter(x -> (x & 1) == 0).sum());
        m.put("tryFinally", () -> {
            long s = 0;
            for (int i = 0; i < N; i++) {
                try {
                    if ((i & 1023) == 0) continue;
                    s += mix(i);
                } finally {
                    s ^= i;
                }
            }
            return s;
        });
        m.put("constructor", () -> new Accumulator(N).sum);
        m.put("recursion", () -> {
            long s = 0;
            // 1,000 deep, not 3,000: a cold (interpreted) 3,000-frame stack can be too deep to freeze on a
            // 1 MB carrier stack, every yield of the shape was then refused, and the witness never ran
            for (int r = 0; r < 900; r++) s += recurse(1000, r);
            return s;
        });
        m.put("catchHandler", () -> {
            long s = 0;
            for (int i = 0; i < 3000; i++) {
                try {
                    if (i % 3 == 0) throw new IllegalStateException("odd");
                    s += i;
                } catch (IllegalStateException e) {
                    for (int j = 0; j < 3000; j++) s += mix(i + j);
                }
            }
            return s;
        });
        m.put("defaultMethod", () -> new Summer() {}.sum(N));
        m.put("whileLoop", () -> {
            long steps = 0;
            for (long start = 1; start < 60_000; start++) {
                long x = start;
                while (x != 1) {
                    x = (x & 1) == 0 ? x / 2 : 3 * x + 1;
                    steps++;
                }
            }
            return steps;
        });
        m.put("switchStateMachine", () -> {
            long s = 0;
            int state = 0;
            for (long i = 0; i < N; ) {
                switch (state) {
                    case 0 -> { s += i; state = 1; }
                    case 1 -> { s ^= i << 3; state = 2; }
                    default -> { s -= i >> 1; state = 0; i++; }
                }
            }
            return s;
        });
        m.put("secondClassLoader", () -> {
            LongSupplier w = loadIsolated("dev.preempt.it.apps.LoadedWork");
            if (w.getClass().getClassLoader() == Shapes.class.getClassLoader()) throw new AssertionError("same loader");
            return w.getAsLong();
        });
        return m;
    }

    static long recurse(int depth, long acc) {
        if (depth == 0) return acc;
        return recurse(depth - 1, acc * 31 + depth) + 1;
    }

    static final class Accumulator {
        final long sum;

        Accumulator(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) s += mix(i) >>> 3;
            sum = s;
        }
    }

    interface Summer {
        default long sum(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) s += mix(i) >>> 5;
            return s;
        }
    }

    /** Loads {@code name} from this class path in a fresh class loader (so the agent sees another loader). */
    static LongSupplier loadIsolated(String name) {
        ClassLoader parent = Shapes.class.getClassLoader();
        ClassLoader isolated = new IsolatingLoader(name, parent);
        try {
            return (LongSupplier) isolated.loadClass(name).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Process
    public static void main(String[] args) {
        if (!Preempt.inProcess()) {
            shapes().forEach((name, work) -> System.out.printf("shape name=%s result=%d%n", name, work.getAsLong()));
            return;
        }
        Pid me = self();
        Pid witness = spawn(() -> {
            while (true) WITNESS.incrementAndGet();
        });
        for (Map.Entry<String, LongSupplier> e : shapes().entrySet()) {
            Spawned shape = spawnMonitor(() -> {
                long w0 = WITNESS.get();
                long r = e.getValue().getAsLong();
                send(me, new Done(e.getKey(), r, WITNESS.get() - w0));
            });
            Object m = receive(x -> x instanceof Done || x instanceof Down dn && dn.ref().equals(shape.ref())
                    && !dn.reason().isNormal());
            if (m instanceof Down down) {
                System.out.println("shape name=" + e.getKey() + " failed: " + down.reason());
                down.reason().exceptionCause().ifPresent(Throwable::printStackTrace);
                continue;
            }
            Done d = (Done) m;
            System.out.printf("shape name=%s result=%d witness=%d%n", d.name(), d.result(), d.witnessDuring());
        }
        Preempt.exit(witness, ExitReason.KILL);
    }
}
