package dev.preempt;

import java.util.Locale;
import java.util.Objects;

/**
 * One deterministic schedule: the seed and the search strategy whose choices a deterministic
 * scheduler makes (which runnable process runs next, how many reductions each slice gets). The same
 * schedule runs the same program the same way every time, in this JVM or another, and its
 * {@link #toString()} is the one-line replay key that {@link #parse} reads back.
 *
 * <pre>{@code
 * Schedule s = Schedule.pct(42, 3, 200);              // PCT, bug depth 3, about 200 steps
 * try (Scheduler sched = Scheduler.builder().deterministic(s).build()) {
 *     sched.run(() -> ...);
 *     System.out.println(s);                           // strategy=pct seed=42 depth=3 steps=200 budget=64
 * }
 * Schedule again = Schedule.parse("strategy=pct seed=42 depth=3 steps=200 budget=64");
 * }</pre>
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param strategy how choices are made
 * @param seed the seed of every choice
 * @param maxBudget the largest slice budget drawn (budgets are drawn log-uniformly from 1 to this)
 * @param depth PCT's bug depth d (d - 1 priority change points); 1 for the other strategies, which have none
 * @param steps PCT's estimate k of the number of scheduling steps in a run; 1 for the other strategies
 */
public record Schedule(Strategy strategy, long seed, int maxBudget, int depth, int steps) {

    /** The default largest slice budget: 64 reductions (small, so that slices end at many places). */
    public static final int DEFAULT_MAX_BUDGET = 64;

    /** How a deterministic scheduler chooses. */
    public enum Strategy {
        /**
         * Random walk: at every scheduling step a runnable process is chosen uniformly at random.
         */
        RANDOM,
        /**
         * Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every process gets a random
         * priority when it is created and the highest-priority runnable process always runs; at d - 1
         * random steps out of an estimated k the running process drops to a priority below every other.
         * Finds a bug of depth d with probability at least 1/(n k^(d-1)) per run (n processes).
         */
        PCT,
        /**
         * Partial order sampling (Yuan, Yang, Gu, CAV 2018): every process's next step has a random
         * priority and the highest-priority runnable process runs; after a step, the process that ran and
         * every process whose next step races with it (sends to the same mailboxes, predicted from its
         * last step, or receives what the step sent) get fresh priorities, so that the orders of racing
         * steps are sampled close to uniformly.
         */
        POS
    }

    /**
     * Checks the ranges.
     *
     * @param strategy how choices are made, not null
     * @param seed the seed
     * @param maxBudget the largest slice budget, at least 1
     * @param depth PCT's depth, at least 1
     * @param steps PCT's step estimate, at least 1
     * @throws IllegalArgumentException if a value is out of range
     */
    public Schedule {
        Objects.requireNonNull(strategy, "strategy");
        if (maxBudget < 1) throw new IllegalArgumentException("maxBudget must be at least 1, was " + maxBudget);
        if (depth < 1) throw new IllegalArgumentException("depth must be at least 1, was " + depth);
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        if (strategy != Strategy.PCT) { // not used: kept fixed, so that equal keys are equal schedules
            depth = 1;
            steps = 1;
        }
    }

    /**
     * A random walk with the default budget bound.
     *
     * @param seed the seed
     * @return the schedule ({@code strategy=random seed=... budget=64})
     */
    public static Schedule random(long seed) {
        return new Schedule(Strategy.RANDOM, seed, DEFAULT_MAX_BUDGET, 1, 1);
    }

    /**
     * A POS (partial order sampling) schedule with the default budget bound.
     *
     * @param seed the seed
     * @return the schedule ({@code strategy=pos seed=... budget=64})
     */
    public static Schedule pos(long seed) {
        return new Schedule(Strategy.POS, seed, DEFAULT_MAX_BUDGET, 1, 1);
    }

    /**
     * A PCT schedule with the default budget bound.
     *
     * @param seed the seed
     * @param depth the bug depth d, at least 1 (3 finds most ordering bugs of two or three events)
     * @param steps the estimated number of scheduling steps in a run, at least 1
     * @return the schedule
     */
    public static Schedule pct(long seed, int depth, int steps) {
        return new Schedule(Strategy.PCT, seed, DEFAULT_MAX_BUDGET, depth, steps);
    }

    /**
     * This schedule with another seed (a search runs one base schedule under many seeds).
     *
     * @param newSeed the seed
     * @return a copy with {@code seed} replaced
     */
    public Schedule withSeed(long newSeed) {
        return new Schedule(strategy, newSeed, maxBudget, depth, steps);
    }

    /**
     * This schedule with another PCT step estimate.
     *
     * @param newSteps the estimate, at least 1
     * @return a copy with {@code steps} replaced
     */
    public Schedule withSteps(int newSteps) {
        return new Schedule(strategy, seed, maxBudget, depth, newSteps);
    }

    /**
     * This schedule with another largest slice budget.
     *
     * @param newMaxBudget the bound, at least 1
     * @return a copy with {@code maxBudget} replaced
     */
    public Schedule withMaxBudget(int newMaxBudget) {
        return new Schedule(strategy, seed, newMaxBudget, depth, steps);
    }

    /**
     * The replay key: {@code strategy=random seed=7 budget=64}, {@code strategy=pos seed=7 budget=64} or
     * {@code strategy=pct seed=7 depth=3 steps=120 budget=64}; {@link #parse} reads it back.
     *
     * @return the one-line key
     */
    @Override
    public String toString() {
        String s = "strategy=" + strategy.name().toLowerCase(Locale.ROOT) + " seed=" + seed;
        if (strategy == Strategy.PCT) s += " depth=" + depth + " steps=" + steps;
        return s + " budget=" + maxBudget;
    }

    /**
     * Reads a replay key written by {@link #toString()} (fields in any order, separated by spaces or
     * commas; missing ones take their defaults: random, budget 64, depth 3, steps 100).
     *
     * @param key the key, e.g. {@code "strategy=pct seed=7 depth=3 steps=120 budget=64"}
     * @return the schedule
     * @throws IllegalArgumentException if a field is unknown, malformed or out of range, or the seed is missing
     */
    public static Schedule parse(String key) {
        Strategy strategy = Strategy.RANDOM;
        Long seed = null;
        int budget = DEFAULT_MAX_BUDGET;
        int depth = 3;
        int steps = 100;
        for (String part : key.trim().split("[\\s,]+")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("replay key: '" + part + "' is not name=value (in '" + key + "')");
            String name = part.substring(0, eq);
            String value = part.substring(eq + 1);
            try {
                switch (name) {
                    case "strategy" -> strategy = Strategy.valueOf(value.toUpperCase(Locale.ROOT));
                    case "seed" -> seed = Long.parseLong(value);
                    case "budget" -> budget = Integer.parseInt(value);
                    case "depth" -> depth = Integer.parseInt(value);
                    case "steps" -> steps = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("replay key: unknown field '" + name + "' (in '" + key
                            + "'); known: strategy, seed, budget, depth, steps");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("replay key: " + name + "=" + value + " is not a number (in '" + key + "')");
            }
        }
        if (seed == null) throw new IllegalArgumentException("replay key: seed= is missing (in '" + key + "')");
        return new Schedule(strategy, seed, budget, depth, steps);
    }
}
