package dev.preempt.it.apps;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;

/**
 * {@code DeepStack depth runs}: a cold recursion {@code depth} frames deep (legal: well inside the
 * stack) that is preempted at its deepest point, where every frame is on the carrier's stack: a
 * competing process becomes runnable only once the recursion is that deep. Run it with a small budget.
 * Prints how the runs ended.
 */
public final class DeepStack {
    private DeepStack() {}

    static volatile boolean deep;

    public static void main(String[] args) {
        int depth = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        int normal = 0;
        StringBuilder reasons = new StringBuilder();
        for (int i = 0; i < runs; i++) {
            long[] result = new long[1];
            deep = false;
            Pid competitor = Preempt.spawn(() -> {
                while (!deep) Preempt.sleep(1);
                long n = 0;
                while (n >= 0) n++; // a hog: the recursion is preempted from now on
            });
            ExitReason r = Preempt.run(() -> result[0] = down(depth, depth));
            Preempt.exit(competitor, ExitReason.KILL);
            if (r.isNormal() && result[0] == depth) normal++;
            else reasons.append(' ').append(r);
        }
        System.out.println("deepstack depth=" + depth + " runs=" + runs + " normal=" + normal + reasons);
    }

    static long down(int n, int depth) {
        if (n == 0) {
            deep = true;
            long spin = 0;
            for (int i = 0; i < 1_000_000; i++) spin += i ^ n; // ticks: the competitor is runnable now
            return spin == 42 ? -1 : 0;
        }
        long x = down(n - 1, depth) + 1;
        return x;
    }
}
