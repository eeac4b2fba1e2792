package dev.preempt.bench;

import dev.preempt.Call;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import dev.preempt.bench.libs.Workloads;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the agent costs on real libraries ({@link Workloads}: Jackson, Guava, commons-lang3 and
 * real-shaped hand-written code). Each workload runs three ways here: on the benchmark's own platform
 * thread, inside one long-lived process, and on one long-lived plain virtual thread. The Report runs
 * the class twice in one run, with and without {@code -javaagent}, and compares: agent on a plain
 * thread against no agent on a plain thread (what rewritten code costs outside processes), and agent
 * inside a process against no agent on a virtual thread (what a process costs against the JDK's own).
 *
 * <p>An invocation runs the workload {@code REPEAT} times; for the process and the virtual thread the
 * hand-over (a call, a queue) is spread over them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true", "-Xmx2g"})
@State(Scope.Benchmark)
public class LibraryBenchmarks {

    /** Every workload of {@link Workloads#byName}. */
    @Param({"jacksonRecords", "jacksonTree", "jacksonWrite", "guavaCollections", "guavaSplitJoin", "guavaCache", "lang3Strings",
        "exprParser", "interpreter", "streams", "wordCount", "megamorphic"})
    public String workload;

    static final int REPEAT = 10;

    LongSupplier w;
    Pid process;
    Thread vthread;
    final SynchronousQueue<Long> toVthread = new SynchronousQueue<>(), fromVthread = new SynchronousQueue<>();

    @Setup
    public void start() {
        LongSupplier w = this.w = Workloads.byName(workload);
        process = Scheduler.defaultScheduler().spawn(() -> {
            while (true) {
                Call c = Preempt.receive(Call.class);
                Preempt.reply(c, run(w));
            }
        });
        vthread = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    toVthread.take();
                    fromVthread.put(run(w));
                }
            } catch (InterruptedException e) {
                // torn down
            }
        });
    }

    static long run(LongSupplier w) {
        long s = 0;
        for (int i = 0; i < REPEAT; i++) s += w.getAsLong();
        return s;
    }

    @TearDown
    public void stop() {
        Preempt.exit(process, ExitReason.KILL);
        vthread.interrupt();
    }

    /** On the benchmark's platform thread: with the agent, every tick finds no process. */
    @Benchmark
    public long onThread() {
        return run(w);
    }

    /** Inside a process. */
    @Benchmark
    public Object inProcess() {
        return Preempt.call(process, 0, Duration.ofMinutes(1));
    }

    /** On a plain JDK virtual thread (the JDK's scheduler). */
    @Benchmark
    public long onVirtualThread() throws InterruptedException {
        toVthread.put(0L);
        return fromVthread.take();
    }
}
