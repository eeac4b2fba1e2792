package dev.preempt.test;

import dev.preempt.Schedule;
import dev.preempt.Scheduler;
import java.util.List;

/**
 * Runs a test body under many deterministic schedules, one fresh deterministic scheduler each, and
 * stops at the first that fails: the search behind {@code @PreemptTest(schedules = N)}, usable on its
 * own. Schedule {@code i} (from 0) is the base schedule with seed {@code base.seed() + i}; for PCT with
 * no step estimate ({@code steps = 0} in {@link #explore}), the estimate starts at
 * {@link #INITIAL_PCT_STEPS} and grows to the most steps any earlier run took (the estimate used is in
 * the schedule, so the replay key replays it exactly).
 *
 * <pre>{@code
 * ScheduleSearch.Outcome o = ScheduleSearch.explore(Schedule.pct(0, 3, 1), 0, 1000, 10_000, () -> {
 *     ... a test body, run as the root process ...
 * });
 * if (o.failed()) System.out.println("replay: " + o.failing());
 * }</pre>
 *
 * <p>Thread contract: call from a plain thread (a test method); each run's body runs as a process.
 * The body runs once per schedule, so it must set up its own state each time.
 */
public final class ScheduleSearch {

    /** The PCT step estimate of the first run when none is given. */
    public static final int INITIAL_PCT_STEPS = 50;

    private ScheduleSearch() {}

    /**
     * What a search found.
     *
     * @param runs schedules run (the failing one included)
     * @param failing the schedule that failed (its {@code toString()} is the replay key), or null
     * @param failure what the failing run threw, or null
     * @param traceTail the failing run's last trace lines, or null
     * @param warnings the failing run's determinism warnings (empty when none or when nothing failed)
     * @param steps scheduling steps over every run
     * @param nanos real time the search took
     */
    public record Outcome(int runs, Schedule failing, Throwable failure, String traceTail, List<String> warnings,
            long steps, long nanos) {
        /**
         * Whether a schedule failed.
         *
         * @return true if {@link #failing()} is set
         */
        public boolean failed() {
            return failing != null;
        }

        /**
         * Schedules run per second of real time.
         *
         * @return the rate
         */
        public double schedulesPerSecond() {
            return runs / (nanos / 1e9);
        }
    }

    /**
     * Runs {@code body} under up to {@code schedules} schedules derived from {@code base}.
     *
     * @param base the base schedule (strategy, first seed, budget bound, PCT depth)
     * @param pctSteps PCT's step estimate, or 0 to estimate it from the runs (ignored for a random walk)
     * @param schedules how many schedules to try, at least 1
     * @param timeoutMillis how long each run may take in real time
     * @param body the test body
     * @return what was found
     */
    public static Outcome explore(Schedule base, int pctSteps, int schedules, long timeoutMillis, PreemptExtension.Body body) {
        return explore("search", base, pctSteps, schedules, timeoutMillis, true, body);
    }

    /**
     * {@link #explore(Schedule, int, int, long, PreemptExtension.Body)} with a name for the schedulers
     * and the choice of failing on crashes nobody heard of.
     *
     * @param name the schedulers' name
     * @param base the base schedule
     * @param pctSteps PCT's step estimate, or 0 to estimate it
     * @param schedules how many schedules to try
     * @param timeoutMillis how long each run may take in real time
     * @param failOnUnseenCrash whether a crash no link or monitor heard of fails a run
     * @param body the test body
     * @return what was found
     */
    public static Outcome explore(String name, Schedule base, int pctSteps, int schedules, long timeoutMillis,
            boolean failOnUnseenCrash, PreemptExtension.Body body) {
        long t0 = System.nanoTime();
        long steps = 0;
        int estimate = pctSteps > 0 ? pctSteps : INITIAL_PCT_STEPS;
        for (int i = 0; i < schedules; i++) {
            Schedule s = base.withSeed(base.seed() + i);
            if (s.strategy() == Schedule.Strategy.PCT) s = s.withSteps(estimate);
            Run r = runOne(name, s, timeoutMillis, failOnUnseenCrash, body);
            steps += r.steps;
            if (pctSteps == 0 && r.steps > estimate) estimate = (int) Math.min(Integer.MAX_VALUE, r.steps);
            if (r.failure != null) {
                return new Outcome(i + 1, s, r.failure, r.traceTail, r.warnings, steps, System.nanoTime() - t0);
            }
        }
        return new Outcome(schedules, null, null, null, List.of(), steps, System.nanoTime() - t0);
    }

    /** One run's result. */
    record Run(Throwable failure, long steps, String traceTail, List<String> warnings) {}

    /**
     * Runs {@code body} once under {@code schedule}.
     *
     * @param name the scheduler's name
     * @param schedule the schedule
     * @param timeoutMillis how long the run may take
     * @param failOnUnseenCrash whether an unseen crash fails it
     * @param body the body
     * @return what happened
     */
    static Run runOne(String name, Schedule schedule, long timeoutMillis, boolean failOnUnseenCrash, PreemptExtension.Body body) {
        Scheduler[] used = new Scheduler[1];
        Throwable failure = null;
        try {
            PreemptExtension.runAsRoot(name, 1, timeoutMillis, failOnUnseenCrash, schedule, s -> used[0] = s, body);
        } catch (Throwable t) {
            failure = t;
        }
        Scheduler s = used[0];
        if (s == null) return new Run(failure, 0, null, List.of());
        return new Run(failure, s.steps(), failure == null ? null : traceTail(s), s.determinismWarnings());
    }

    private static String traceTail(Scheduler s) {
        String all = s.trace();
        String[] lines = all.split("\n");
        int from = Math.max(0, lines.length - 40);
        StringBuilder b = new StringBuilder();
        if (from > 0) b.append("  ... (").append(from).append(" earlier lines)\n");
        for (int i = from; i < lines.length; i++) b.append("  ").append(lines[i]).append('\n');
        return b.toString();
    }
}
