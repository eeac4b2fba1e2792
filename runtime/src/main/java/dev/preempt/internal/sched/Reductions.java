package dev.preempt.internal.sched;

/**
 * The hooks the agent's rewritten code calls. Not for application code.
 *
 * <p>{@link #tick()} runs at every instrumented method entry and loop back-edge, on every thread. Its
 * fast path is a few loads and type checks, all of which a compiled loop hoists (a process's thread
 * and its {@link Proc} never change, whichever carrier runs it), and one decrement: a thread that is
 * not a process does nothing; a process spends one reduction and, when its budget runs out, yields
 * its carrier (the slow path). The weighted form is charged after a strip-mined run of loop iterations.
 *
 * <p>"A process" means the process's own thread ({@link Proc#current()}): a virtual thread that a process
 * started has the process as its scheduler too (the JDK's inheritance rule), and must neither spend the
 * process's budget nor run its slow path. The identity check is one more load, hoisted with the rest.
 */
public final class Reductions {

    private Reductions() {}

    /** Spends one reduction; yields the carrier if the budget ran out. Does nothing outside a process. */
    public static void tick() {
        if (Proc.current() instanceof Proc p && --p.budget < 0) p.outOfBudget();
    }

    /**
     * Spends {@code weight} reductions at once (a strip-mined run of loop iterations); yields the
     * carrier if the budget ran out. Does nothing outside a process.
     *
     * @param weight the reductions to spend
     */
    public static void tick(int weight) {
        if (Proc.current() instanceof Proc p && (p.budget -= weight) < 0) {
            p.outOfBudget();
        }
    }

    /**
     * The tick inside a static initialiser ({@code <clinit>}). The VM refuses every yield there (the
     * initialiser runs under a VM frame), so this one never tries: when the budget runs out it counts a
     * pin and grants a fresh budget. Trying was not harmless: on Temurin 25.0.3 under {@code -javaagent},
     * refused yields (or {@code Continuation.isPinned} walks) from an OSR-compiled loop in a
     * {@code <clinit>} while other processes yielded crashed the VM within a second, every run.
     */
    public static void tickInInitializer() {
        if (Proc.current() instanceof Proc p && --p.budget < 0) p.budgetOutInInitializer();
    }

    /**
     * {@link #tickInInitializer()} for {@code weight} reductions at once.
     *
     * @param weight the reductions to spend
     */
    public static void tickInInitializer(int weight) {
        if (Proc.current() instanceof Proc p && (p.budget -= weight) < 0) {
            p.budgetOutInInitializer();
        }
    }
}
