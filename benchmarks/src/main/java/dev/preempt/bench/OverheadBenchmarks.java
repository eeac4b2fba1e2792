package dev.preempt.bench;

import dev.preempt.Call;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import dev.preempt.bench.kernels.Kernels;
import java.time.Duration;
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
 * What the agent's rewriting costs: each kernel runs inside one long-lived process (whose budget runs
 * out many times during warm-up, so the JIT compiles the yield path as a real branch, not as a trap that
 * would look free and deoptimise later). The Report runs this class twice in one run, with and without
 * {@code -javaagent}, and prints the ratio per kernel and the geometric mean.
 *
 * <p>An invocation is one call to the runner process, which runs the kernel {@code REPEAT} times; the
 * call's own cost (a few microseconds) is spread over them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true"})
@State(Scope.Benchmark)
public class OverheadBenchmarks {

    @Param({"arraySum", "matrixMultiply", "fib", "hashMapChurn", "stringBuilder", "streamPipeline", "sort", "lockedCounter"})
    public String kernel;

    Pid runner;
    long repeat;
    LongSupplier k;

    /** The runner: a process that runs the chosen kernel on request and replies with a checksum. */
    @Setup
    public void start() {
        k = switch (kernel) {
            case "arraySum" -> Kernels::arraySum;
            case "matrixMultiply" -> () -> (long) Kernels.matrixMultiply();
            case "fib" -> () -> Kernels.fib(22);
            case "hashMapChurn" -> Kernels::hashMapChurn;
            case "stringBuilder" -> Kernels::stringBuilder;
            case "streamPipeline" -> Kernels::streamPipeline;
            case "sort" -> Kernels::sort;
            case "lockedCounter" -> Kernels::lockedCounter;
            default -> throw new IllegalArgumentException(kernel);
        };
        repeat = switch (kernel) {
            case "fib", "matrixMultiply", "sort" -> 20;
            default -> 50;
        };
        LongSupplier k = this.k;
        runner = Scheduler.defaultScheduler().spawn(() -> {
            while (true) {
                Call c = Preempt.receive(Call.class);
                long n = (Long) c.request();
                if (n < 0) return;
                long sum = 0;
                for (long i = 0; i < n; i++) sum += k.getAsLong();
                Preempt.reply(c, sum);
            }
        });
    }

    @TearDown
    public void stop() {
        Preempt.exit(runner, dev.preempt.ExitReason.KILL);
    }

    /** Time per kernel run, measured over {@code repeat} runs in the process. */
    @Benchmark
    public Object kernel() {
        return Preempt.call(runner, repeat, Duration.ofMinutes(1));
    }

    /**
     * The same kernel on the benchmark's own thread, which is not a process: there every tick finds
     * no process and does nothing. This is what rewritten code costs outside processes.
     */
    @Benchmark
    public long kernelOnPlainThread() {
        long sum = 0;
        for (long i = 0; i < repeat; i++) sum += k.getAsLong();
        return sum;
    }
}
