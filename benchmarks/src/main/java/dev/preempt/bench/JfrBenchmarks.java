package dev.preempt.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the JFR layer costs the scheduler's hot paths, side by side: the same yield+resume and
 * ping-pong+spawn workloads in four forks that differ only in JVM flags:
 * <ul>
 *   <li>{@code Absent}: {@code -Dpreempt.jfr=false}, the layer is not installed (the baseline);</li>
 *   <li>{@code Installed}: the layer is installed but nothing records (the claim: same as Absent);</li>
 *   <li>{@code Recording}: {@code -XX:StartFlightRecording} with the default settings (Preempt events on,
 *       SliceEnd off);</li>
 *   <li>{@code Slices}: the same plus SliceEnd, so every slice is timed and recorded;</li>
 *   <li>{@code LongSlices}: SliceEnd with {@code minSliceTime=10ms}: every slice timed, none recorded.</li>
 * </ul>
 * A recording also costs the JDK something on every virtual-thread switch, whoever schedules it;
 * {@code yieldVirtualThread*} (plain JDK virtual threads, no Preempt) show that part. The workloads
 * and their state are {@link RuntimeBenchmarks}' own.
 * <pre>java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main JfrBenchmarks</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class JfrBenchmarks {

    static final int YIELDS = RuntimeBenchmarks.YIELDS;
    static final int PINGS = RuntimeBenchmarks.PINGS;

    static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String QUIET = "-Dpreempt.quiet=true";
    static final String NO_JFR = "-Dpreempt.jfr=false";
    static final String RECORD = "-XX:StartFlightRecording";
    static final String RECORD_SLICES = "-XX:StartFlightRecording:+dev.preempt.SliceEnd#enabled=true";
    static final String RECORD_LONG_SLICES =
            "-XX:StartFlightRecording:+dev.preempt.SliceEnd#enabled=true,+dev.preempt.SliceEnd#minSliceTime=10ms";

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void yieldAbsent(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET})
    public void yieldInstalled(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD})
    public void yieldRecording(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_SLICES})
    public void yieldSlices(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_LONG_SLICES})
    public void yieldLongSlices(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void pingPongAbsent(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET})
    public void pingPongInstalled(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD})
    public void pingPongRecording(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_SLICES})
    public void pingPongSlices(RuntimeBenchmarks.Sched s) {
        s.run(RuntimeBenchmarks::pingPong);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void yieldVirtualThreadAbsent() throws InterruptedException {
        RuntimeBenchmarks.virtualThreadYields();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR, RECORD})
    public void yieldVirtualThreadRecording() throws InterruptedException {
        RuntimeBenchmarks.virtualThreadYields();
    }
}
