package dev.preempt.internal.sched;

/**
 * Spending reductions from the running process's budget: the one implementation behind the weighted
 * tick hook ({@code Reductions.tick(int)}, rewritten code) and the runtime's own charges (every send or
 * call costs a reduction, so that a process that only calls the runtime still yields when others wait).
 * Called on any thread; does nothing on a thread that is not a process's own.
 */
public final class Budget {

    private Budget() {}

    /**
     * Spends {@code weight} reductions; yields the carrier if the budget ran out, or acts on a request
     * (a slice cut by time, signals to handle) if one is out.
     *
     * @param weight the reductions to spend
     */
    public static void spend(int weight) {
        if (Proc.current() instanceof Proc p) {
            if ((p.budget -= weight) < 0) {
                p.outOfBudget();
            } else if (p.asked != 0) {
                p.answer();
            }
        }
    }
}
