package dev.preempt.internal.sched.det;

import java.util.Arrays;

/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010), for
 * processes that appear as the run goes: each new process gets a random priority above {@code depth};
 * the highest-priority runnable process always runs; {@code depth - 1} change points are drawn uniformly
 * from steps 1 to {@code steps}, and when step number {@code k_i} ends the process that ran it drops to
 * priority {@code i} (below every initial priority). A process that yields ({@code Preempt.yield()})
 * drops below every priority there is, else a spin on yield would run for ever. A step is a slice.
 * Slice budgets are drawn
 * log-uniformly as in {@link RandomWalk}, so the steps end at varied places in the code.
 * Thread contract: {@link Chooser}'s.
 *
 * <pre>{@code
 * Chooser c = new Pct(7, 64, 3, 200);   // bug depth 3, about 200 steps a run
 * }</pre>
 */
final class Pct implements Chooser {

    private final SplitMix rng;
    private final int maxBudget;
    /** change[i - 1] is the step after which the running process gets priority i. */
    private final long[] change;
    private long[] priority = new long[16];
    /** Initial priorities are at least this (change points take 1 .. depth - 1). */
    private final long initialFloor;
    /** Yield demotions count down from here: below every other priority. */
    private long yieldFloor = 0;

    /**
     * A PCT chooser.
     *
     * @param seed the seed
     * @param maxBudget the largest budget, at least 1
     * @param depth the bug depth d, at least 1
     * @param steps the estimated steps of a run, at least 1
     */
    public Pct(long seed, int maxBudget, int depth, int steps) {
        this.rng = new SplitMix(seed);
        this.maxBudget = maxBudget;
        this.initialFloor = depth;
        this.change = new long[depth - 1];
        for (int i = 0; i < change.length; i++) change[i] = 1 + rng.nextInt(steps);
    }

    @Override
    public void created(int id) {
        if (id >= priority.length) priority = Arrays.copyOf(priority, Math.max(id + 1, priority.length * 2));
        // Above every change-point priority (1 .. depth-1); ties are broken by the lower index in pick.
        priority[id] = initialFloor + (rng.nextLong() >>> 2);
    }

    @Override
    public int pick(int[] runnable, int n) {
        return Pct.highest(priority, runnable, n);
    }

    /**
     * The index in {@code runnable} (of its first {@code n}) of the process with the highest priority;
     * ties go to the lower index. PCT's and POS's choice alike.
     */
    static int highest(long[] priority, int[] runnable, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (priority[runnable[i]] > priority[runnable[best]]) best = i;
        }
        return best;
    }

    @Override
    public int budget() {
        return rng.logUniform(maxBudget);
    }

    @Override
    public void sliceEnded(int id, long step, boolean yielded) {
        // A process that yields waits for something another process does (a spin on Preempt.yield()): under
        // strict priorities it would run again at once, for ever, even past a process a change point
        // demoted. It drops below every priority there is, as schedulers for PCT-style testing demote
        // yielding threads.
        if (yielded) priority[id] = yieldFloor--;
        for (int i = 0; i < change.length; i++) {
            if (change[i] == step) priority[id] = i + 1;
        }
    }
}
