package dev.preempt.it.apps;

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
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code HogProbe hogs samples}: that many plain counting loops (no yield written anywhere) and a probe
 * that sleeps 1 ms and does an echo round trip, {@code samples} times. Prints the probe's lateness and
 * how much each hog counted while the probe ran.
 */
public final class HogProbe {

    record Ping(Pid from, long seq) {}

    /** Each hog's count, published now and then (a plain loop otherwise). */
    static AtomicLongArray counts;

    private HogProbe() {}

    @Process
    public static void main(String[] args) {
        int hogs = Integer.parseInt(args[0]);
        int samples = Integer.parseInt(args[1]);
        counts = new AtomicLongArray(Math.max(1, hogs));
        List<Pid> hogPids = new ArrayList<>();
        for (int i = 0; i < hogs; i++) {
            int slot = i;
            hogPids.add(spawn(() -> hog(slot)));
        }
        Pid echo = spawn(() -> {
            while (true) {
                Ping p = receive(Ping.class);
                send(p.from(), p);
            }
        });
        Preempt.sleep(Duration.ofMillis(100)); // let every hog get going
        long[] start = snapshot(hogs);
        long[] late = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            Preempt.sleep(Duration.ofMillis(1));
            send(echo, new Ping(self(), i));
            long seq = i;
            receive(m -> m instanceof Ping p && p.seq() == seq);
            late[i] = Math.max(0, System.nanoTime() - t0 - 1_000_000);
        }
        long[] end = snapshot(hogs);
        Arrays.sort(late);
        System.out.printf("probe samples=%d p50us=%d p99us=%d maxus=%d%n", samples, late[samples / 2] / 1000,
                late[samples * 99 / 100] / 1000, late[samples - 1] / 1000);
        long min = Long.MAX_VALUE, max = 0;
        for (int i = 0; i < hogs; i++) {
            long d = end[i] - start[i];
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        if (hogs > 0) System.out.printf("hogs n=%d min=%d max=%d%n", hogs, min, max);
        for (Pid p : hogPids) Preempt.exit(p, ExitReason.KILL);
        Preempt.exit(echo, ExitReason.KILL);
    }

    static void hog(int slot) {
        long n = 0;
        while (true) {
            n++;
            if ((n & 0xFFF) == 0) counts.lazySet(slot, n);
        }
    }

    static long[] snapshot(int hogs) {
        long[] s = new long[hogs];
        for (int i = 0; i < hogs; i++) s[i] = counts.get(i);
        return s;
    }
}
