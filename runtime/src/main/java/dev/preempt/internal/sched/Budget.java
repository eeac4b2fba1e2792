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
     * The charge of a runtime operation that acts on others (a send, a reply, a cast): acts first on an
     * exit that came and was not looked at yet, so a killed process sends nothing, then spends one
     * reduction as {@link #spend} does.
     */
    public static void spendToSend() {
        if (Proc.current() instanceof Proc p) {
            p.signalsFirstHere();
            spendOn(p, 1);
        }
    }

    /**
     * Spends {@code weight} reductions; yields the carrier if the budget ran out, or acts on a request
     * (a slice cut by time, signals to handle) if one is out.
     *
     * @param weight the reductions to spend
     */
    public static void spend(int weight) {
        if (Proc.current() instanceof Proc p) spendOn(p, weight);
    }

    /**
     * {@link #spend} in a library's code ({@code Reductions.tickInLibrary(int)}): see
     * {@link Proc#outOfBudgetInLibrary}.
     *
     * @param weight the reductions to spend
     */
    public static void spendInLibrary(int weight) {
        if (Proc.current() instanceof Proc p) {
            if ((p.budget -= weight) < 0) {
                p.outOfBudgetInLibrary();
            } else if (p.asked != 0) {
                p.answerInLibrary();
            }
        }
    }

    private static void spendOn(Proc p, int weight) {
        if ((p.budget -= weight) < 0) {
            p.outOfBudget();
        } else if (p.asked != 0) {
            p.answer();
        }
    }
}
