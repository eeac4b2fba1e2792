package dev.preempt.samples;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.Pid;
import dev.preempt.Process;

/**
 * The ring: N processes in a circle pass a token M laps; prints messages per second. The JMH
 * {@code RingBenchmark} measures the same beside JDK virtual threads.
 *
 * <pre>
 * java -javaagent:preempt-agent.jar -cp preempt-samples.jar dev.preempt.samples.Ring [processes] [laps] [rounds]
 * </pre>
 */
public final class Ring {

    private Ring() {}

    @Process
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int laps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Pid first = build(n, self());
        for (int r = 1; r <= rounds; r++) {
            long t0 = System.nanoTime();
            for (int lap = laps; lap > 0; lap--) {
                send(first, lap);
                receive(Integer.class);
            }
            long t1 = System.nanoTime();
            double hops = (double) n * laps;
            System.out.printf("ring round %d: %d processes x %d laps = %.0f messages in %.1f ms: %.2f M msg/s%n",
                    r, n, laps, hops, (t1 - t0) / 1e6, hops / ((t1 - t0) / 1e3));
        }
        send(first, -1);
        receive(Integer.class);
    }

    /** Spawns {@code n} relays, the last one sending back to {@code home}; returns the first. */
    static Pid build(int n, Pid home) {
        Pid next = home;
        for (int i = 0; i < n; i++) {
            Pid to = next;
            next = spawn(() -> {
                while (true) {
                    Integer k = receive(Integer.class);
                    send(to, k);
                    if (k < 0) return;
                }
            });
        }
        return next;
    }
}
