package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.spawnMonitor;

import dev.preempt.Down;
import dev.preempt.Process;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code Runaway n}: {@code n} endless recursions at once, preempted all the way down (they compete for
 * the carriers). Each must end alone, with a reason that says why, and the JVM must go on: prints each
 * reason, then that a process spawned afterwards still runs.
 */
public final class Runaway {
    private Runaway() {}

    @Process
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        // Compiled first: a cold (interpreted) recursion cannot be frozen deep down (the yield runs out of
        // stack and is refused), so it meets the carrier's stack limit like a thread; compiled frames
        // freeze, move to the heap, and only the bound stops them.
        long warm = 0;
        for (int i = 0; i < 20_000; i++) warm += down(0, 200);
        if (warm != 20_000L * 200) throw new AssertionError(warm);
        List<Object> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) refs.add(spawnMonitor(() -> down(0, Long.MAX_VALUE)).ref());
        int ended = 0;
        for (int i = 0; i < n; i++) {
            Optional<Object> m = receive(x -> x instanceof Down, Duration.ofSeconds(90));
            if (m.isEmpty()) break;
            Down d = (Down) m.get();
            ended++;
            System.out.println("down reason=" + d.reason().toString().replace(' ', '_'));
        }
        Optional<Object> after = receive(x -> x instanceof Down, Duration.ZERO);
        var check = spawnMonitor(() -> System.out.println("after alive=true"));
        receive(x -> x instanceof Down d && d.ref().equals(check.ref()));
        System.out.println("runaway n=" + n + " ended=" + ended + " extra=" + after.isPresent());
    }

    static long down(long depth, long limit) {
        if (depth == limit) return 0;
        return down(depth + 1, limit) + 1;
    }
}
