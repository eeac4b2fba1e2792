package dev.preempt.bench;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The runtime's costs beside JDK virtual threads, in one run: spawn (a process or virtual thread that
 * then waits), yield+resume through the scheduler, a ping-pong round trip, and the ring (10,000 × 100).
 * Every figure is time per operation; the Report turns them into a table with ratios.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true", "-Xmx4g"})
public class RuntimeBenchmarks {

    static final int SPAWNS = 10_000;
    static final int YIELDS = 100_000;
    static final int PINGS = 10_000;
    static final int RING = 10_000, LAPS = 100;

    /** One scheduler (default: a carrier per core) for the whole fork. */
    @State(Scope.Benchmark)
    public static class Sched {
        Scheduler scheduler;

        @Setup
        public void start() {
            scheduler = Scheduler.defaultScheduler();
        }

        /** Runs {@code body} as a process and waits for it. */
        void run(Runnable body) {
            scheduler.run(body);
        }
    }

    // ---------------------------------------------------------------- spawn

    /** Spawned processes wait in receive until the invocation's teardown releases them. */
    @State(Scope.Thread)
    public static class Spawned {
        final Pid[] pids = new Pid[SPAWNS];
        final Thread[] threads = new Thread[SPAWNS];
        CountDownLatch go;

        @Setup(Level.Invocation)
        public void arm() {
            go = new CountDownLatch(1);
        }

        @TearDown(Level.Invocation)
        public void release() throws InterruptedException {
            for (Pid p : pids) {
                if (p != null) Preempt.send(p, "go");
            }
            go.countDown();
            for (Thread t : threads) {
                if (t != null) t.join();
            }
            while (Preempt.processes().size() > 0) Thread.sleep(1);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public void spawnPreempt(Sched s, Spawned sp) {
        for (int i = 0; i < SPAWNS; i++) sp.pids[i] = s.scheduler.spawn(Preempt::receive);
    }

    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public void spawnVirtualThread(Spawned sp) {
        CountDownLatch go = sp.go;
        for (int i = 0; i < SPAWNS; i++) {
            sp.threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    // ---------------------------------------------------------------- yield + resume

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yieldPreempt(Sched s) {
        s.run(RuntimeBenchmarks::yields);
    }

    /** Inside a process: {@link #YIELDS} yields, each a slice end, a queue push and a resume. */
    static void yields() {
        for (int i = 0; i < YIELDS; i++) Preempt.yield();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yieldVirtualThread() throws InterruptedException {
        virtualThreadYields();
    }

    /** A plain JDK virtual thread yielding {@link #YIELDS} times. */
    static void virtualThreadYields() throws InterruptedException {
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < YIELDS; i++) Thread.yield();
        });
        t.join();
    }

    // ---------------------------------------------------------------- ping-pong

    @Benchmark
    @OperationsPerInvocation(PINGS)
    public void pingPongPreempt(Sched s) {
        s.run(RuntimeBenchmarks::pingPong);
    }

    /** Inside a process: spawns an echo process and does {@link #PINGS} round trips with it. */
    static void pingPong() {
        Pid me = Preempt.self();
        Pid echo = Preempt.spawn(() -> {
            for (int i = 0; i < PINGS; i++) Preempt.send(me, Preempt.receive());
        });
        Integer ball = 1;
        for (int i = 0; i < PINGS; i++) {
            Preempt.send(echo, ball);
            Preempt.receive();
        }
    }

    @Benchmark
    @OperationsPerInvocation(PINGS)
    public void pingPongVirtualThread() throws InterruptedException {
        LinkedTransferQueue<Integer> there = new LinkedTransferQueue<>(), back = new LinkedTransferQueue<>();
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < PINGS; i++) back.put(there.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread ping = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < PINGS; i++) {
                    there.put(1);
                    back.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ping.join();
        echo.join();
    }

    // ---------------------------------------------------------------- ring

    /** 10,000 relays and a driver, built once per iteration; an invocation sends the token 100 laps. */
    @State(Scope.Benchmark)
    public static class PreemptRing {
        Pid driver;
        Pid first;

        @Setup(Level.Iteration)
        public void build(Sched s) {
            driver = s.scheduler.spawn(() -> {
                Pid me = Preempt.self();
                Pid next = me;
                for (int i = 0; i < RING; i++) {
                    Pid to = next;
                    next = Preempt.spawn(() -> {
                        while (true) {
                            Integer k = (Integer) Preempt.receive();
                            Preempt.send(to, k);
                            if (k < 0) return;
                        }
                    });
                }
                Pid head = next;
                while (true) {
                    dev.preempt.Call c = Preempt.receive(dev.preempt.Call.class);
                    int laps = (Integer) c.request();
                    for (int lap = laps; lap > 0; lap--) {
                        Preempt.send(head, lap);
                        Preempt.receive(Integer.class);
                    }
                    if (laps == 0) {
                        Preempt.send(head, -1);
                        Preempt.receive(Integer.class);
                        Preempt.reply(c, 0);
                        return;
                    }
                    Preempt.reply(c, laps);
                }
            });
            Preempt.call(driver, 1, java.time.Duration.ofMinutes(1)); // built and warm
        }

        @TearDown(Level.Iteration)
        public void stop() {
            Preempt.call(driver, 0, java.time.Duration.ofMinutes(1));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RING * LAPS)
    public Object ringPreempt(PreemptRing ring) {
        return Preempt.call(ring.driver, LAPS, java.time.Duration.ofMinutes(1));
    }

    /** The same ring on virtual threads, each with a LinkedTransferQueue as its mailbox (as the anchor). */
    @State(Scope.Benchmark)
    public static class VirtualRing {
        LinkedTransferQueue<Integer>[] boxes;
        Thread[] threads;

        @Setup(Level.Iteration)
        @SuppressWarnings("unchecked")
        public void build() {
            boxes = new LinkedTransferQueue[RING + 1];
            for (int i = 0; i <= RING; i++) boxes[i] = new LinkedTransferQueue<>();
            threads = new Thread[RING];
            for (int i = 0; i < RING; i++) {
                LinkedTransferQueue<Integer> in = boxes[i], out = boxes[i + 1];
                threads[i] = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            int k = in.take();
                            out.put(k);
                            if (k < 0) return;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }

        @TearDown(Level.Iteration)
        public void stop() throws InterruptedException {
            boxes[0].put(-1);
            boxes[RING].take();
            for (Thread t : threads) t.join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(RING * LAPS)
    public int ringVirtualThread(VirtualRing ring) throws InterruptedException {
        int got = 0;
        for (int lap = LAPS; lap > 0; lap--) {
            ring.boxes[0].put(lap);
            got += ring.boxes[RING].take();
        }
        return got;
    }
}
