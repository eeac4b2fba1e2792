package dev.preempt.bench;

import dev.preempt.Preempt;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scheduling gaps beside CPU hogs: N hogs (plain counting loops, no yield written) and one spinner
 * that reads {@code System.nanoTime()} in a loop and records every gap over 20 µs between two
 * consecutive reads as time it was descheduled. After a warm-up (the same loop, recording, results
 * dropped) it measures for a fixed time and prints one line: gaps over 1 ms per second, the median,
 * p99 and largest gap, the fraction of the window spent in gaps, the window's bounds on
 * {@code CLOCK_MONOTONIC} (to line it up with a {@code perf} trace) and what the JVM's threads did in
 * the window and the 0.3 s before it ({@link ThreadTimes}). The same program in Erlang is
 * {@code benchmarks/erlang/tail_gap.erl}.
 *
 * <pre>
 * java -javaagent:agent/target/preempt-agent.jar=carriers=2 -cp benchmarks/target/benchmarks.jar \
 *      dev.preempt.bench.TailGap preempt 64 [--seconds 5] [--warmup 1] [--dump gaps.txt [--trace]]
 * java -Djdk.virtualThreadScheduler.parallelism=2 -cp benchmarks/target/benchmarks.jar dev.preempt.bench.TailGap vthreads 8
 * </pre>
 * {@code preempt}: hogs and spinner are processes (needs the agent); {@code vthreads}: JDK virtual
 * threads, which never preempt, so with hogs the spinner, started 100 ms after them, never runs (that
 * is reported as starved); {@code threads}: platform threads, shared by the OS scheduler alone.
 * {@code --dump} writes every gap (start on the {@code CLOCK_MONOTONIC} clock, length), for lining
 * gaps up with a {@code perf record -k CLOCK_MONOTONIC} trace; {@code --trace} (preempt only) adds the
 * carrier thread before and after each gap and whether the spinner stayed mounted through it
 * ({@code benchmarks/scripts/tail_gap_trace.sh} does all of that).
 *
 * <p>{@link Report}'s {@code tail} suite runs this in forked JVMs beside the Erlang program and prints
 * the table. It is a plain program rather than a JMH benchmark: what is measured is one distribution
 * over one fixed window, with no operation to time, and JMH's iterations, harness threads and
 * blackholes would add threads and pauses to the very gaps it counts.
 */
public final class TailGap {

    static final long THRESHOLD_NANOS = 20_000;
    static final int MAX_GAPS = 1 << 21;
    /** How long before the window the thread times are first read (that look takes a few milliseconds). */
    static final long ALMOST = 300_000_000;
    static volatile long sink;
    static volatile boolean stop;

    private TailGap() {}

    /** What the spinner saw: gap starts and lengths (nanoseconds), how many, and the window. */
    record Gaps(long[] start, long[] length, String[] where, int count, long windowStart, long windowNanos) {

        String line(String system, int hogs) {
            long[] l = Arrays.copyOf(length, Math.min(count, length.length));
            Arrays.sort(l);
            long over1ms = 0, sum = 0;
            for (long g : l) {
                sum += g;
                if (g > 1_000_000) over1ms++;
            }
            double secs = windowNanos / 1e9;
            return String.format("tailgap system=%s hogs=%d seconds=%.1f gaps=%d over1msPerSec=%.2f p50us=%.0f p99us=%.0f"
                            + " maxus=%.0f descheduled=%.4f windowStartNs=%d windowEndNs=%d",
                    system, hogs, secs, count, over1ms / secs, pct(l, 50), pct(l, 99), l.length == 0 ? 0.0 : l[l.length - 1] / 1e3,
                    sum / (double) windowNanos, windowStart, windowStart + windowNanos);
        }

        static double pct(long[] sorted, int p) {
            if (sorted.length == 0) return 0;
            return sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * p / 100))] / 1e3;
        }
    }

    public static void main(String[] args) throws Exception {
        String system = args[0];
        int hogs = Integer.parseInt(args[1]);
        double seconds = 5, warmup = 1;
        String dump = null;
        boolean trace = false;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--dump" -> dump = args[++i];
                case "--trace" -> trace = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        long window = (long) (seconds * 1e9), warm = Math.max((long) (warmup * 1e9), 2 * ALMOST);
        boolean traced = trace;
        CountDownLatch almost = new CountDownLatch(1);
        ThreadTimes.now(); // once before anything runs, so that its own code is not compiled in the window
        CompletableFuture<Gaps> result = new CompletableFuture<>();
        Runnable spinner = () -> {
            try {
                // the warm-up runs the same code as measured, so that it is compiled; main takes its first
                // look at the threads 0.3 s before the window, so that the look is not in the window
                if (traced) {
                    spinTraced(System.nanoTime() + warm - ALMOST, MAX_GAPS);
                    almost.countDown();
                    spinTraced(System.nanoTime() + ALMOST, MAX_GAPS);
                    result.complete(spinTraced(System.nanoTime() + window, MAX_GAPS));
                } else {
                    long[] start = new long[MAX_GAPS], length = new long[MAX_GAPS];
                    spin(System.nanoTime() + warm - ALMOST, start, length);
                    almost.countDown();
                    spin(System.nanoTime() + ALMOST, start, length);
                    result.complete(spin(System.nanoTime() + window, start, length));
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        switch (system) {
            case "preempt" -> {
                if (!dev.preempt.internal.AgentStatus.isInstalled()) {
                    throw new IllegalStateException("preempt needs -javaagent:preempt-agent.jar (hogs are not preempted without it)");
                }
                for (int i = 0; i < hogs; i++) Preempt.spawn(TailGap::hog);
                Thread.sleep(100);
                Preempt.spawn(spinner);
            }
            case "vthreads" -> {
                for (int i = 0; i < hogs; i++) Thread.ofVirtual().start(TailGap::hog);
                Thread.sleep(100);
                Thread.ofVirtual().start(spinner);
            }
            case "threads" -> {
                for (int i = 0; i < hogs; i++) Thread.ofPlatform().daemon().start(TailGap::hog);
                Thread.sleep(100);
                Thread.ofPlatform().daemon().start(spinner);
            }
            default -> throw new IllegalArgumentException("system: preempt, vthreads or threads, not " + system);
        }
        long limit = window + warm + TimeUnit.SECONDS.toNanos(5);
        ThreadTimes before = almost.await(limit, TimeUnit.NANOSECONDS) ? ThreadTimes.now() : null;
        Gaps g;
        try {
            g = result.get(limit, TimeUnit.NANOSECONDS);
        } catch (TimeoutException starved) {
            System.out.printf("tailgap system=%s hogs=%d seconds=%.1f STARVED: the spinner %s%n", system, hogs, seconds,
                    before == null ? "never ran" : "did not finish its window");
            System.out.flush();
            Runtime.getRuntime().halt(0);
            return;
        }
        ThreadTimes after = ThreadTimes.now();
        stop = true;
        System.out.println(g.line(system, hogs) + " " + after.since(before) + (system.equals("preempt") ? carrierCounts() : ""));
        if (dump != null) dump(g, Path.of(dump));
        System.out.flush();
        Runtime.getRuntime().halt(0); // hog processes and virtual threads never end by themselves
    }

    /**
     * The default scheduler's carriers' counters that exist in this runtime version (steals, parks, and
     * any other public {@code long} getter of {@code Carrier}), summed; for reading a run, not a figure.
     */
    static String carrierCounts() {
        StringBuilder out = new StringBuilder();
        try {
            java.lang.reflect.Field core = dev.preempt.Scheduler.class.getDeclaredField("core");
            core.setAccessible(true);
            Object sc = core.get(dev.preempt.Scheduler.defaultScheduler());
            Object[] carriers = (Object[]) sc.getClass().getMethod("carriers").invoke(sc);
            for (java.lang.reflect.Method m : carriers[0].getClass().getMethods()) {
                if (m.getReturnType() != long.class || m.getParameterCount() != 0 || m.getName().equals("slices")) continue;
                long sum = 0;
                for (Object c : carriers) sum += (long) m.invoke(c);
                out.append(' ').append(m.getName()).append('=').append(sum);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "";
        }
        return out.toString();
    }

    /**
     * A CPU hog: counts for ever (until the measurement is over, for platform threads). It publishes its
     * count every 2^20 iterations (about a millisecond): with a rarer branch, the first time it is taken
     * falls in the window, and deoptimising and recompiling every hog there was a burst of C2 work of
     * the benchmark's own making.
     */
    static void hog() {
        long c = 0;
        while (!stop) {
            c++;
            if ((c & 0xFFFFFL) == 0) sink = c;
        }
    }

    /** Reads the clock until {@code until}, recording each gap over the threshold. */
    static Gaps spin(long until, long[] start, long[] length) {
        long begin = System.nanoTime();
        long last = begin;
        int n = 0;
        while (true) {
            long now = System.nanoTime();
            long d = now - last;
            if (d > THRESHOLD_NANOS) {
                if (n < start.length) {
                    start[n] = last;
                    length[n] = d;
                }
                n++;
            }
            last = now;
            if (now - until >= 0) break;
        }
        return new Gaps(start, length, null, n, begin, last - begin);
    }

    /**
     * {@link #spin} that also says, for each gap, on which carrier thread the spinner was before and
     * after it, and whether it was mounted all along (its process's mount count did not change: the OS
     * or the VM stopped its carrier) or waited in a queue (it yielded). A process only, under the agent.
     */
    static Gaps spinTraced(long until, int max) throws ReflectiveOperationException {
        Class<?> vt = Class.forName("java.lang.VirtualThread");
        VarHandle carrierOf = MethodHandles.privateLookupIn(vt, MethodHandles.lookup()).findVarHandle(vt, "carrierThread", Thread.class);
        Object proc = Class.forName("dev.preempt.internal.sched.Proc").getMethod("current").invoke(null);
        VarHandle mountsOf = MethodHandles.privateLookupIn(proc.getClass(), MethodHandles.lookup())
                .findVarHandle(proc.getClass(), "mounts", long.class);
        Thread self = Thread.currentThread();
        long[] start = new long[max], length = new long[max];
        String[] where = new String[max];
        long begin = System.nanoTime();
        long last = begin;
        Thread carrier = (Thread) carrierOf.get(self);
        long mounts = (long) mountsOf.getVolatile(proc);
        int n = 0;
        while (true) {
            long now = System.nanoTime();
            long d = now - last;
            Thread c = (Thread) carrierOf.get(self);
            long m = (long) mountsOf.getVolatile(proc);
            if (d > THRESHOLD_NANOS && n < max) {
                start[n] = last;
                length[n] = d;
                where[n++] = carrier.getName() + " " + c.getName() + " " + (m - mounts);
            }
            carrier = c;
            mounts = m;
            last = now;
            if (now - until >= 0) break;
        }
        return new Gaps(start, length, where, n, begin, last - begin);
    }

    /**
     * One line per gap: start (ns, on CLOCK_MONOTONIC, which System.nanoTime reads on Linux), length (ns),
     * and with {@code --trace} the carrier before, the carrier after and how many mounts it saw.
     */
    static void dump(Gaps g, Path file) throws Exception {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int i = 0; i < Math.min(g.count(), g.start().length); i++) {
                w.println(g.start()[i] + " " + g.length()[i] + (g.where() == null ? "" : " " + g.where()[i]));
            }
        }
    }
}
