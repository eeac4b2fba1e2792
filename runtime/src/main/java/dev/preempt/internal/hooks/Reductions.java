package dev.preempt.internal.hooks;

import dev.preempt.internal.sched.Budget;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.TickRequests;

/**
 * The hooks the agent's rewritten code calls. Not for application code.
 *
 * <p>{@link #tick()} runs at every instrumented method entry and at back-edges of loops that call
 * something; {@link #tick(int)} after a batch of iterations of a loop with no call in it (the agent
 * counts them in a local and spends them 32 at a time: a per-iteration decrement makes each iteration
 * wait for the previous one's store) and after each chunk of a strip-mined counted loop. How
 * {@link #tick()} works is the agent option {@code ticks=} (system property {@code preempt.ticks}):
 * <ul>
 *   <li>{@code count} (the default): it spends one reduction from the process's budget and yields the
 *       carrier when the budget runs out, BEAM's way. A few loads and a decrement; a thread that is not a
 *       process does nothing.</li>
 *   <li>{@code flag}: one load of a static volatile count and a branch, on every thread, and no
 *       reduction spent. While no process has been asked to stop ({@code Proc.ask}) that is all. A process
 *       is asked by the {@code Watchdog} when its slice has run its time (the time slice, looked at
 *       every half of it), by its carrier at mount when system signals wait, or by itself when it must
 *       exit; then every tick on every thread takes the slow path until the asked process reaches its
 *       next tick (or its slice ends). Only loops spend reductions then: a process that only calls (a
 *       recursion, a parser, Jackson) is preempted by time, a time slice into its slice while others
 *       wait, not after 4,000 calls. Measured inside a process (JMH {@code LibraryBenchmarks}): Jackson's
 *       parse into records took 1.89x the time of a plain virtual thread without the agent in
 *       {@code count} mode, 1.34x in {@code flag} mode; see the README for the whole table.</li>
 * </ul>
 *
 * <p>"A process" means the process's own thread ({@link Proc#current()}): a virtual thread that a process
 * started has the process as its scheduler too (the JDK's inheritance rule), and must neither spend the
 * process's budget nor act on its requests.
 */
public final class Reductions {

    private Reductions() {}

    /** {@code ticks=flag}: {@link #tick()} spends nothing and only answers requests. Constant: the JIT folds the test. */
    private static final boolean FLAG = TickRequests.FLAG_MODE;

    /**
     * A method entry or the back-edge of a loop that calls: spends one reduction ({@code ticks=count}) or
     * only answers a request ({@code ticks=flag}); yields the carrier when the budget ran out or the slice
     * is over and others wait. Does nothing outside a process.
     */
    public static void tick() {
        if (FLAG) {
            if (TickRequests.count != 0) slowTick();
        } else if (Proc.current() instanceof Proc p && --p.budget < 0) {
            p.outOfBudget();
        }
    }

    private static void slowTick() {
        if (Proc.current() instanceof Proc p && p.asked != 0) p.answer();
    }

    /**
     * {@link #tick()} in a library's code: the agent emits it in classes from a jar other than the main
     * class's (directories of classes are taken for the application's own). The same, except that an exit
     * waiting for the process's own code ({@code Proc.ownTickWanted}) is not looked at here, so that the
     * first tick of its own code acts on it.
     */
    public static void tickInLibrary() {
        if (FLAG) {
            if (TickRequests.count != 0) slowTickInLibrary();
        } else if (Proc.current() instanceof Proc p && --p.budget < 0) {
            p.outOfBudgetInLibrary();
        }
    }

    private static void slowTickInLibrary() {
        if (Proc.current() instanceof Proc p && p.asked != 0) p.answerInLibrary();
    }

    /**
     * {@link #tick(int)} in a library's code (see {@link #tickInLibrary()}).
     *
     * @param weight the reductions to spend
     */
    public static void tickInLibrary(int weight) {
        Budget.spendInLibrary(weight);
    }

    /**
     * Spends {@code weight} reductions at once (a batch of loop iterations); yields the carrier if the
     * budget ran out or the process was asked to stop. Does nothing outside a process.
     *
     * @param weight the reductions to spend
     */
    public static void tick(int weight) {
        Budget.spend(weight);
    }


    /**
     * The tick inside a static initialiser ({@code <clinit>}). The VM refuses every yield there (the
     * initialiser runs under a VM frame), so this one never tries: when the budget runs out it counts a
     * pin and grants a fresh budget. Trying was not harmless: on Temurin 25.0.3 under {@code -javaagent},
     * refused yields (or {@code Continuation.isPinned} walks) from an OSR-compiled loop in a
     * {@code <clinit>} while other processes yielded crashed the VM within a second, every run.
     */
    public static void tickInInitializer() {
        // In a deterministic scheduler a class initialiser spends nothing: it runs in the first run of a JVM
        // only, and must not move where the slices of that run end.
        if (Proc.current() instanceof Proc p && p.scheduler().deterministic() == null && --p.budget < 0) p.budgetOutInInitializer();
    }

    /**
     * {@link #tickInInitializer()} for {@code weight} reductions at once.
     *
     * @param weight the reductions to spend
     */
    public static void tickInInitializer(int weight) {
        if (Proc.current() instanceof Proc p && p.scheduler().deterministic() == null && (p.budget -= weight) < 0) {
            p.budgetOutInInitializer();
        }
    }
}
