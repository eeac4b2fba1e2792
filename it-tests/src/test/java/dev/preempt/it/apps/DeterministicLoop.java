package dev.preempt.it.apps;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Preempt;
import dev.preempt.Schedule;
import dev.preempt.Scheduler;
import java.util.HashSet;
import java.util.Set;

/**
 * A lost update inside a plain loop, with no send, receive or yield between the read and the write:
 * only the agent's ticks can end a slice there. Runs it under deterministic schedules with seeds
 * 0..n-1, each twice, and prints
 * {@code det seeds=n lost=<schedules that lost an update> replayed=<schedules whose second run had the
 * same count and trace> distinct=<distinct traces> firstLost=<seed or -1> steps=<slices> first=<trace
 * hash:count of seeds 0-4>}.
 */
public final class DeterministicLoop {

    private DeterministicLoop() {}

    /** Shared by both processes on purpose. */
    static int shared;

    /**
     * Calls a JDK method, so the agent gives it an entry tick: between the loop's read and its write. Not
     * one of the leaves that count as no call ({@code Integer.sum} is one since LeafCalls).
     */
    static int work(int v) {
        return v + (String.valueOf(v).isEmpty() ? 0 : 1);
    }

    static void add(int times) {
        for (int i = 0; i < times; i++) {
            int v = shared;      // read
            v = work(v);         // work's entry tick, under the agent (the counted loop itself is strip-mined)
            shared = v;          // write
        }
    }

    record Run(int count, long hash, long steps) {}

    static Run once(Schedule s) {
        shared = 0;
        try (Scheduler sched = Scheduler.builder().deterministic(s).build()) {
            ExitReason r = sched.run(() -> {
                Preempt.spawnMonitor(() -> add(500));
                Preempt.spawnMonitor(() -> add(500));
                Preempt.receive(Down.class);
                Preempt.receive(Down.class);
            });
            if (!r.isNormal()) throw new AssertionError("root ended with " + r);
            int count = shared;
            sched.close();
            return new Run(count, sched.traceHash(), sched.steps());
        }
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int maxBudget = args.length > 1 ? Integer.parseInt(args[1]) : Schedule.DEFAULT_MAX_BUDGET;
        int lost = 0, replayed = 0, firstLost = -1;
        long steps = 0;
        Set<Long> traces = new HashSet<>();
        StringBuilder hashes = new StringBuilder();
        for (int seed = 0; seed < n; seed++) {
            Schedule s = Schedule.random(seed).withMaxBudget(maxBudget);
            Run a = once(s);
            Run b = once(s);
            steps += a.steps();
            if (a.count() != 1000) {
                lost++;
                if (firstLost < 0) firstLost = seed;
            }
            if (a.equals(b)) replayed++;
            traces.add(a.hash());
            if (seed < 5) hashes.append(seed == 0 ? "" : ",").append(Long.toHexString(a.hash())).append(':').append(a.count());
        }
        System.out.println("det seeds=" + n + " lost=" + lost + " replayed=" + replayed + " distinct=" + traces.size()
                + " firstLost=" + firstLost + " steps=" + steps + " first=" + hashes);
    }
}
