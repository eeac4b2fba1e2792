package dev.preempt.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.Preempt;
import dev.preempt.Schedule;
import dev.preempt.SendPolicy;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeded search finds each bug of {@link Bugs} within its schedule budget, under both strategies;
 * the fixed versions pass every schedule; the failing schedule replays to the same failure and trace.
 * Prints a table row per bug and strategy (schedules to first failure, schedules per second).
 */
class BugFindingTest {

    /** Schedules a search may use to find a bug. */
    static final int BUDGET = 1000;
    /** Schedules a fixed version must pass. */
    static final int FIXED_SCHEDULES = 200;

    private static final StringBuilder TABLE = new StringBuilder();

    private SendPolicy before;

    @BeforeEach
    void trust() {
        before = Preempt.sendPolicy();
        Preempt.setSendPolicy(SendPolicy.TRUST); // the lost update shares a mutable object on purpose
    }

    @AfterEach
    void restore() {
        Preempt.setSendPolicy(before);
    }

    private static final StringBuilder STATS = new StringBuilder();

    @AfterAll
    static void printTable() {
        System.out.println("| bug | strategy | schedules to first failure | fixed version: schedules passed | schedules/s |\n"
                + "|---|---|---|---|---|\n" + TABLE);
        System.out.println(STATS);
    }

    /** Independent searches per bug and strategy in {@link #schedulesToFirstFailureOverManySearches}. */
    static final int SEARCHES = 20;
    /** Runs of each buggy body on a normal two-carrier scheduler (fewer where a hit waits out a real timeout). */
    static final int PLAIN_RUNS = 20, PLAIN_RUNS_SLOW = 3;
    /** Random-walk searches for a deep bug (each runs the whole budget and finds nothing). */
    static final int DEEP_RANDOM_SEARCHES = 3;

    @org.junit.jupiter.api.Test
    void schedulesToFirstFailureOverManySearches() throws Exception {
        StringBuilder b = new StringBuilder("| bug | normal scheduler, 2 carriers: runs failed | random walk: schedules to first failure,"
                + " median (min-max) over " + SEARCHES + " searches | PCT (d=3) | POS |\n|---|---|---|---|---|\n");
        for (Bugs.Bug bug : Bugs.all()) {
            b.append("| ").append(bug).append(" | ").append(plainFailures(bug)).append(" |");
            for (Schedule.Strategy st : Schedule.Strategy.values()) {
                boolean deepForThis = bug.deep() && st == Schedule.Strategy.RANDOM;
                int searches = deepForThis ? DEEP_RANDOM_SEARCHES : SEARCHES;
                int[] runs = new int[searches];
                int found = 0;
                for (int k = 0; k < searches; k++) {
                    Schedule base = base(st, k * 100_000L);
                    ScheduleSearch.Outcome o = ScheduleSearch.explore(base, 0, BUDGET, 10_000, bug.buggy());
                    if (!deepForThis) assertTrue(o.failed(), bug + ": search " + k + " (" + st + ") found nothing in " + BUDGET + " schedules");
                    if (o.failed()) found++;
                    runs[k] = o.failed() ? o.runs() : Integer.MAX_VALUE;
                }
                java.util.Arrays.sort(runs);
                if (found < searches) {
                    b.append(String.format(Locale.ROOT, " found by %d of %d searches of %d schedules |", found, searches, BUDGET));
                } else {
                    b.append(String.format(Locale.ROOT, " %d (%d-%d) |", runs[searches / 2], runs[0], runs[searches - 1]));
                }
            }
            b.append('\n');
        }
        STATS.append(b);
    }

    /** "k of n": how many runs of the buggy body failed on a normal scheduler. */
    private static String plainFailures(Bugs.Bug bug) {
        int n = bug.waitsWhenHit() ? PLAIN_RUNS_SLOW : PLAIN_RUNS;
        int failed = 0;
        for (int i = 0; i < n; i++) {
            try {
                PreemptExtension.runAsRoot("plain", 2, 10_000, bug.buggy());
            } catch (Throwable t) {
                failed++;
            }
        }
        return failed + " of " + n;
    }

    static Stream<Arguments> cases() {
        return Bugs.all().stream().flatMap(b -> Stream.of(Schedule.Strategy.values()).map(st -> Arguments.of(b, base(st, 1))));
    }

    /** The base schedule of a search: PCT with d = 3 (its steps learnt from the runs), a random walk, POS. */
    static Schedule base(Schedule.Strategy st, long seed) {
        return switch (st) {
            case RANDOM -> Schedule.random(seed);
            case PCT -> Schedule.pct(seed, 3, 1);
            case POS -> Schedule.pos(seed);
        };
    }

    private static String withoutPids(Throwable t) {
        return String.valueOf(t).replaceAll("<\\d+\\.\\d+\\.\\d+>", "<pid>");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void theSearchFindsTheBugAndPassesTheFix(Bugs.Bug bug, Schedule base) {
        int pctSteps = 0; // learnt from the runs
        ScheduleSearch.Outcome found = ScheduleSearch.explore(base, pctSteps, BUDGET, 10_000, bug.buggy());
        if (bug.deep() && base.strategy() == Schedule.Strategy.RANDOM) {
            // Measured, not wished for: with these seeds the random walk does not find it (see the README).
            assertFalse(found.failed(), bug + ": the random walk found it after all, under " + found.failing());
            TABLE.append(String.format(Locale.ROOT, "| %s | random | not found in %d | - | %.0f |%n", bug, BUDGET,
                    found.schedulesPerSecond()));
            return;
        }
        assertTrue(found.failed(), bug + ": not found in " + BUDGET + " schedules of " + base.strategy());
        assertTrue(found.warnings().isEmpty(), "the run stayed in the controlled world: " + found.warnings());

        // The replay key reruns exactly that interleaving: the same failure, the same trace.
        Schedule again = Schedule.parse(found.failing().toString());
        assertEquals(found.failing(), again);
        ScheduleSearch.Run first = ScheduleSearch.runOne("replay", again, 10_000, true, bug.buggy());
        ScheduleSearch.Run second = ScheduleSearch.runOne("replay", again, 10_000, true, bug.buggy());
        assertNotNull(first.failure(), "the replayed schedule " + again + " fails again");
        // Pids are numbered JVM-wide, so they differ between runs; the trace names processes p0, p1, ...
        assertEquals(withoutPids(found.failure()), withoutPids(first.failure()));
        assertEquals(found.traceTail(), first.traceTail());
        assertEquals(first.traceTail(), second.traceTail());

        ScheduleSearch.Outcome fixed = ScheduleSearch.explore(base, pctSteps, FIXED_SCHEDULES, 10_000, bug.fixed());
        assertFalse(fixed.failed(), () -> bug + " (fixed) failed under " + fixed.failing() + ": " + fixed.failure()
                + "\n" + fixed.traceTail());
        TABLE.append(String.format(Locale.ROOT, "| %s | %s | %d | %d of %d | %.0f |%n", bug, base.strategy().name().toLowerCase(Locale.ROOT),
                found.runs(), fixed.runs(), FIXED_SCHEDULES, fixed.schedulesPerSecond()));
    }
}
