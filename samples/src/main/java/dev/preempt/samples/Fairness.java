package dev.preempt.samples;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fairness under CPU hogs: N processes run plain {@code while (true)} counting loops (no yield written
 * anywhere) while a probe sleeps 1 ms and does an echo round trip, over and over; we print how late the
 * probe is. Under the agent the hogs are preempted and the probe is served. Then the same workload
 * runs on JDK virtual threads, where the hogs hold the carriers and the probe starves.
 *
 * <pre>
 * java -javaagent:preempt-agent.jar -cp preempt-samples.jar dev.preempt.samples.Fairness [hogs...] [--samples N] [--no-vthreads]
 * </pre>
 */
public final class Fairness {

    static volatile long sink;
    static volatile boolean stopVirtualHogs;

    private Fairness() {}

    /** Lateness of the probe: sorted microseconds beyond the 1 ms sleep, or empty if it starved. */
    record Result(int hogs, Optional<long[]> lateness) {
        String line(String system) {
            if (lateness.isEmpty()) {
                return String.format("%-22s %4d hogs: probe STARVED (not %s within 10 s)", system, hogs, "all samples");
            }
            long[] l = lateness.get();
            return String.format("%-22s %4d hogs: probe lateness p50 %6d us   p99 %6d us   max %6d us   (%d samples)",
                    system, hogs, l[l.length / 2], l[l.length * 99 / 100], l[l.length - 1], l.length);
        }
    }

    @Process
    public static void main(String[] args) throws Exception {
        List<Integer> hogCounts = new ArrayList<>();
        int samples = 500;
        boolean vthreads = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--no-vthreads" -> vthreads = false;
                default -> hogCounts.add(Integer.parseInt(args[i]));
            }
        }
        if (hogCounts.isEmpty()) hogCounts = List.of(0, 8, 64);
        System.out.println("Fairness: CPU hogs vs a probe that sleeps 1 ms and does an echo round trip, on "
                + Runtime.getRuntime().availableProcessors() + " cores, " + Runtime.version());
        if (!Preempt.inProcess()) {
            System.out.println("(no agent: main is a plain call, so the Preempt part is skipped; run with -javaagent:preempt-agent.jar)");
        } else {
            for (int hogs : hogCounts) System.out.println(preempt(hogs, samples).line("Preempt processes"));
        }
        if (vthreads) {
            for (int hogs : hogCounts) System.out.println(virtualThreads(hogs, Math.min(samples, 200)).line("JDK virtual threads"));
            stopVirtualHogs = true;
        }
    }

    /** The probe and hogs as Preempt processes; the hogs are killed afterwards. */
    static Result preempt(int hogs, int samples) {
        List<Pid> hogPids = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            hogPids.add(spawn(() -> {
                long c = 0;
                while (true) {
                    c++;
                    if ((c & 0xFFFFFFFL) == 0) sink = c;
                }
            }));
        }
        Pid me = self();
        Pid echo = spawn(() -> {
            while (true) {
                Pid from = receive(Pid.class);
                send(from, "pong");
            }
        });
        for (int i = 0; i < samples / 2; i++) probeOnce(me, echo); // warm-up: let the JIT settle
        long[] late = new long[samples];
        for (int i = 0; i < samples; i++) late[i] = probeOnce(me, echo);
        Arrays.sort(late);
        for (Pid p : hogPids) Preempt.exit(p, ExitReason.KILL);
        Preempt.exit(echo, ExitReason.KILL);
        return new Result(hogs, Optional.of(late));
    }

    private static long probeOnce(Pid me, Pid echo) {
        long t0 = System.nanoTime();
        Preempt.sleep(1);
        send(echo, me);
        receive(String.class);
        return (System.nanoTime() - t0) / 1_000 - 1_000;
    }

    /** The same workload on JDK virtual threads (the default ForkJoinPool scheduler). */
    static Result virtualThreads(int hogs, int samples) throws Exception {
        for (int i = 0; i < hogs; i++) {
            Thread.ofVirtual().start(() -> {
                long c = 0;
                while (!stopVirtualHogs) {
                    c++;
                    if ((c & 0xFFFFFFFL) == 0) sink = c;
                }
            });
        }
        SynchronousQueue<Object> req = new SynchronousQueue<>();
        SynchronousQueue<Object> rep = new SynchronousQueue<>();
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                while (true) rep.put(req.take());
            } catch (InterruptedException e) {
                // done
            }
        });
        long[] late = new long[samples];
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread probe = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    Thread.sleep(Duration.ofMillis(1));
                    req.put("ping");
                    rep.take();
                    late[i] = (System.nanoTime() - t0) / 1_000 - 1_000;
                }
                done.complete(null);
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
            Arrays.sort(late);
            return new Result(hogs, Optional.of(late));
        } catch (TimeoutException e) {
            return new Result(hogs, Optional.empty());
        } finally {
            probe.interrupt();
            echo.interrupt();
        }
    }
}
