package dev.preempt.bench;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
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
 * {@code yieldVirtualThread*} (plain JDK virtual threads, no Preempt) show that part.
 * <pre>java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main JfrBenchmarks</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class JfrBenchmarks {

    static final int YIELDS = 100_000;
    static final int PINGS = 10_000;

    static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String QUIET = "-Dpreempt.quiet=true";
    static final String NO_JFR = "-Dpreempt.jfr=false";
    static final String RECORD = "-XX:StartFlightRecording";
    static final String RECORD_SLICES = "-XX:StartFlightRecording:+dev.preempt.SliceEnd#enabled=true";
    static final String RECORD_LONG_SLICES =
            "-XX:StartFlightRecording:+dev.preempt.SliceEnd#enabled=true,+dev.preempt.SliceEnd#minSliceTime=10ms";

    @State(Scope.Benchmark)
    public static class Sched {
        Scheduler scheduler;

        @Setup
        public void start() {
            scheduler = Scheduler.defaultScheduler();
        }
    }

    /** A process that yields {@link #YIELDS} times: a slice end, a queue push and a resume each. */
    static void yields(Sched s) {
        s.scheduler.run(() -> {
            for (int i = 0; i < YIELDS; i++) Preempt.yield();
        });
    }

    /** A spawned echo process and {@link #PINGS} round trips: spawn, exit, and two slices a trip. */
    static void pingPong(Sched s) {
        s.scheduler.run(() -> {
            Pid me = Preempt.self();
            Pid echo = Preempt.spawn(() -> {
                for (int i = 0; i < PINGS; i++) Preempt.send(me, Preempt.receive());
            });
            Integer ball = 1;
            for (int i = 0; i < PINGS; i++) {
                Preempt.send(echo, ball);
                Preempt.receive();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void yieldAbsent(Sched s) {
        yields(s);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET})
    public void yieldInstalled(Sched s) {
        yields(s);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD})
    public void yieldRecording(Sched s) {
        yields(s);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_SLICES})
    public void yieldSlices(Sched s) {
        yields(s);
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_LONG_SLICES})
    public void yieldLongSlices(Sched s) {
        yields(s);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void pingPongAbsent(Sched s) {
        pingPong(s);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET})
    public void pingPongInstalled(Sched s) {
        pingPong(s);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD})
    public void pingPongRecording(Sched s) {
        pingPong(s);
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, RECORD_SLICES})
    public void pingPongSlices(Sched s) {
        pingPong(s);
    }

    /** A plain JDK virtual thread yielding: what a recording costs the JDK's own switch. */
    static void virtualThreadYields() throws InterruptedException {
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < YIELDS; i++) Thread.yield();
        });
        t.join();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR})
    public void yieldVirtualThreadAbsent() throws InterruptedException {
        virtualThreadYields();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {OPENS, QUIET, NO_JFR, RECORD})
    public void yieldVirtualThreadRecording() throws InterruptedException {
        virtualThreadYields();
    }
}
