package dev.preempt.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test whose body runs as the root process of a fresh scheduler of its own, closed when the
 * test ends (so a name registered in one test is free in the next). The test fails if the root process
 * ends abnormally (an assertion, an exception, a kill, the crash of a process it is linked to: use
 * {@code Preempt.spawnLink} for processes whose crash must end the test at once), if a process crashed
 * and no link or monitor heard of it ({@link #failOnUnseenCrash()}), and if it has not ended
 * after {@link #timeoutMillis()}, with a dump of every live process (state, mailbox length, entry,
 * stack).
 *
 * <pre>{@code
 * class CounterTest {
 *     @PreemptTest
 *     void countsCasts() {
 *         Pid counter = Server.start("counter", new CounterServer());
 *         Preempt.cast(counter, "inc");
 *         assertEquals(1, Preempt.call(counter, "get"));
 *     }
 * }
 * }</pre>
 *
 * Works with and without {@code -javaagent:preempt-agent.jar}; without it processes yield only in
 * {@code receive}, {@code sleep} and {@code Preempt.yield()}.
 *
 * <p>With {@link #schedules()} the body runs under that many deterministic schedules (one carrier,
 * seeded choices, virtual time; see {@code dev.preempt.Scheduler.Builder#deterministic}) and the first
 * failing one fails the test with a replay key; {@link #replay()} or {@code -Dpreempt.replay=...}
 * reruns exactly that schedule.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(PreemptExtension.class)
public @interface PreemptTest {

    /**
     * Carrier threads of the test's scheduler.
     *
     * @return the number of carriers (default 2)
     */
    int carriers() default 2;

    /**
     * How long the root process may run before the test fails with a dump of the live processes.
     *
     * @return the timeout in milliseconds (default 10 s)
     */
    long timeoutMillis() default 10_000;

    /**
     * Whether the test fails when a process crashed (an exception escaped it) and no link or monitor
     * heard of it, even though the root process ended normally. A crash nobody hears of is a bug in
     * most tests; turn it off for a test that crashes processes on purpose without watching them.
     *
     * @return whether unseen crashes fail the test (default true)
     */
    boolean failOnUnseenCrash() default true;

    /**
     * Deterministic schedules to run the body under (0: run it once on a normal scheduler with
     * {@link #carriers()} carriers). With N &gt; 0 the body runs up to N times, each time as the root
     * process of a fresh deterministic scheduler (one carrier, every choice from a seed, virtual time),
     * with seeds {@link #seed()}, {@link #seed()} + 1, ...; the first failing schedule fails the test
     * with its replay key, also printed on stderr. The body must set up its own state each time.
     *
     * <pre>{@code
     * @PreemptTest(schedules = 1000, strategy = Schedule.Strategy.PCT)
     * void transfersKeepTheTotal() { ... }
     * }</pre>
     *
     * @return how many schedules to try (default 0: none, a normal run)
     */
    int schedules() default 0;

    /**
     * How the deterministic schedules choose (with {@link #schedules()} &gt; 0 or {@link #replay()}).
     *
     * @return the strategy (default a random walk)
     */
    dev.preempt.Schedule.Strategy strategy() default dev.preempt.Schedule.Strategy.RANDOM;

    /**
     * The first seed of the search.
     *
     * @return the seed (default 0)
     */
    long seed() default 0;

    /**
     * The largest slice budget a schedule draws (budgets are drawn log-uniformly from 1 up to it).
     *
     * @return the bound (default 64)
     */
    int maxBudget() default dev.preempt.Schedule.DEFAULT_MAX_BUDGET;

    /**
     * PCT's bug depth d: d - 1 priority change points per run.
     *
     * @return the depth (default 3)
     */
    int depth() default 3;

    /**
     * PCT's estimate of the scheduling steps in a run (0: learn it from the runs: the most steps any
     * earlier schedule took, 50 for the first).
     *
     * @return the estimate (default 0)
     */
    int steps() default 0;

    /**
     * A replay key ({@code "strategy=pct seed=17 depth=3 steps=64 budget=64"}, as a failing search
     * prints it): runs exactly that schedule once. The system property {@code preempt.replay} does the
     * same for every deterministic test that runs (pick the test with {@code -Dtest=...}).
     *
     * @return the key (default empty: search)
     */
    String replay() default "";
}
