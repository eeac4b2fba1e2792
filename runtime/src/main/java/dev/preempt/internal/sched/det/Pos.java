package dev.preempt.internal.sched.det;

import java.util.Arrays;
import java.util.BitSet;

/**
 * POS, partial order sampling (Yuan, Yang, Gu, CAV 2018), for processes: every process's next step
 * has a random priority and the highest-priority runnable process runs; when a step ends, the process
 * that ran gets a fresh priority (its next step is a new event), and so does every process whose next
 * step races with the one that ran: Basic POS's rule, which makes the orders of racing events close to
 * uniform instead of a random walk's bias towards the processes with many steps. A step's objects are
 * the mailboxes it sent to and its own (it received); a process's next step is not known before it
 * runs, so it is predicted by the objects of its last step, and a process that was sent a message
 * races too (its receive). Yielding needs no special case: a fresh priority every step cannot starve
 * the rest. Slice budgets are drawn log-uniformly as in {@link RandomWalk}. Thread contract:
 * {@link Chooser}'s.
 *
 * <pre>{@code
 * Chooser c = new Pos(7, 64);
 * }</pre>
 */
public final class Pos implements Chooser {

    private final SplitMix rng;
    private final int maxBudget;
    private long[] priority = new long[16];
    private BitSet[] lastTouched = new BitSet[16];
    private int known;
    /** The mailboxes the running step has sent to. */
    private final BitSet touching = new BitSet();

    /**
     * A POS chooser.
     *
     * @param seed the seed
     * @param maxBudget the largest budget, at least 1
     */
    public Pos(long seed, int maxBudget) {
        this.rng = new SplitMix(seed);
        this.maxBudget = maxBudget;
    }

    @Override
    public void created(int id) {
        if (id >= priority.length) {
            int n = Math.max(id + 1, priority.length * 2);
            priority = Arrays.copyOf(priority, n);
            lastTouched = Arrays.copyOf(lastTouched, n);
        }
        priority[id] = rng.nextLong();
        lastTouched[id] = new BitSet();
        lastTouched[id].set(id);
        known = Math.max(known, id + 1);
    }

    @Override
    public int pick(int[] runnable, int n) {
        return Pct.highest(priority, runnable, n);
    }

    @Override
    public int budget() {
        return rng.logUniform(maxBudget);
    }

    @Override
    public void sent(int from, int to) {
        touching.set(to);
    }

    @Override
    public void sliceEnded(int id, long step, boolean yielded) {
        touching.set(id);
        for (int r = 0; r < known; r++) {
            if (r != id && (touching.get(r) || lastTouched[r].intersects(touching))) priority[r] = rng.nextLong();
        }
        priority[id] = rng.nextLong();
        lastTouched[id].clear();
        lastTouched[id].or(touching);
        touching.clear();
    }
}
