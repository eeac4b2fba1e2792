package dev.preempt.internal.sched.det;

/**
 * Random walk: every step chooses a runnable process uniformly, and every slice's budget is drawn
 * log-uniformly from 1 to the bound. Thread contract: {@link Chooser}'s.
 *
 * <pre>{@code
 * Chooser c = new RandomWalk(7, 64);
 * int next = c.pick(new int[] {0, 2, 5}, 3);   // 0, 1 or 2: a position
 * }</pre>
 */
final class RandomWalk implements Chooser {

    private final SplitMix rng;
    private final int maxBudget;

    /**
     * A random walk.
     *
     * @param seed the seed
     * @param maxBudget the largest budget, at least 1
     */
    public RandomWalk(long seed, int maxBudget) {
        this.rng = new SplitMix(seed);
        this.maxBudget = maxBudget;
    }

    @Override
    public void created(int id) {}

    @Override
    public int pick(int[] runnable, int n) {
        return n == 1 ? 0 : rng.nextInt(n);
    }

    @Override
    public int budget() {
        return rng.logUniform(maxBudget);
    }

    @Override
    public void sliceEnded(int id, long step, boolean yielded) {}
}
