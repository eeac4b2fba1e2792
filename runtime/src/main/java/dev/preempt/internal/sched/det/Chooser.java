package dev.preempt.internal.sched.det;

import dev.preempt.Schedule;

/**
 * A search strategy: the choices a deterministic scheduler asks for. Processes are known by their
 * index in the scheduler's order of creation (0, 1, 2, ...), never by pid, so that the same seed makes
 * the same choices in a JVM whose pids are numbered differently.
 *
 * <p>Thread contract: called only by the deterministic scheduler's carrier thread (and, for
 * {@link #created}, by whichever thread starts a process, under the scheduler's lock), so never
 * concurrently.
 */
public interface Chooser {

    /**
     * A process was created.
     *
     * @param id its index (the first process is 0)
     */
    void created(int id);

    /**
     * Chooses which runnable process runs next.
     *
     * @param runnable the indexes of the runnable processes, ascending; {@code n} of them, at least one
     * @param n how many entries of {@code runnable} are used
     * @return the position in {@code runnable} of the one to run
     */
    int pick(int[] runnable, int n);

    /**
     * The budget of the slice about to start.
     *
     * @return reductions, at least 1
     */
    int budget();

    /**
     * The running process sent a message or a signal to another of the scheduler's processes (a
     * strategy that tracks what steps touch, such as {@link Pos}, listens; the others ignore it).
     *
     * @param from the sender's index
     * @param to the receiver's index
     */
    default void sent(int from, int to) {}

    /**
     * A slice ended (a scheduling step).
     *
     * @param id the process that ran
     * @param step the step's number, from 1
     * @param yielded whether it gave up the carrier itself ({@code Preempt.yield()}) and is runnable
     */
    void sliceEnded(int id, long step, boolean yielded);

    /**
     * The chooser for a schedule.
     *
     * @param s the schedule
     * @return a fresh chooser, at the start of its stream
     */
    static Chooser of(Schedule s) {
        return switch (s.strategy()) {
            case RANDOM -> new RandomWalk(s.seed(), s.maxBudget());
            case PCT -> new Pct(s.seed(), s.maxBudget(), s.depth(), s.steps());
            case POS -> new Pos(s.seed(), s.maxBudget());
        };
    }
}
