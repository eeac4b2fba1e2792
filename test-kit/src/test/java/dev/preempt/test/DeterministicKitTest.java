package dev.preempt.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.preempt.Call;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** {@code @PreemptTest(schedules = N)} end to end: passing searches, virtual time, the replay line. */
class DeterministicKitTest {

    private static final AtomicInteger RUNS = new AtomicInteger();

    @PreemptTest(schedules = 50)
    void aSearchRunsTheBodyOncePerScheduleInVirtualTime() {
        RUNS.incrementAndGet();
        assertTrue(Preempt.inDeterministicScheduler());
        TestProbe probe = TestProbe.create();
        Pid echo = Preempt.spawn(() -> Preempt.send(probe.ref(), Preempt.receive()));
        Preempt.send(echo, "hi");
        probe.expectMessage("hi", Duration.ofSeconds(5));
        long t0 = Preempt.nanoTime();
        probe.expectNoMessage(Duration.ofHours(1)); // virtual: takes no real time
        assertTrue(Preempt.nanoTime() - t0 >= Duration.ofHours(1).toNanos());
    }

    @Test
    void theSearchAboveRanFiftyTimes() {
        // JUnit may run this before the search; then the search runs later and this proves nothing, so
        // run the search here too through the public API.
        ScheduleSearch.Outcome o = ScheduleSearch.explore(Schedule.random(0), 0, 50, 10_000, () -> Preempt.sleep(Duration.ofDays(1)));
        assertFalse(o.failed());
        assertEquals(50, o.runs());
    }

    @PreemptTest(schedules = 200, strategy = Schedule.Strategy.PCT)
    void theFixedBankPassesEveryPctSchedule() {
        Bugs.twoCalls(true);
    }

    /** Run only through the launcher below: a search that must fail (surefire skips nested classes). */
    static class FailingSearch {
        @PreemptTest(schedules = 500, seed = 1000)
        void orderAcrossSenders() {
            Bugs.twoSenders(false);
        }
    }

    /** The README's example, as it is there (run only through the launcher). */
    static class BankTest {
        record SetBalance(int value) {}

        @PreemptTest(schedules = 1000, strategy = Schedule.Strategy.PCT)
        void twoWithdrawalsOfTen() {
            Pid bank = Preempt.spawn(() -> {
                int balance = 100;
                while (true) {
                    Call c = Preempt.receive(Call.class);
                    if (c.request() instanceof SetBalance s) balance = s.value();
                    Preempt.reply(c, balance);
                }
            });
            Pid me = Preempt.self();
            for (int i = 0; i < 2; i++) {
                Preempt.spawn(() -> {
                    int b = (Integer) Preempt.call(bank, "balance");   // read in one call...
                    Preempt.call(bank, new SetBalance(b - 10));        // ...write in another: not atomic
                    Preempt.send(me, "done");
                });
            }
            Preempt.receive();
            Preempt.receive();
            org.junit.jupiter.api.Assertions.assertEquals(80, Preempt.call(bank, "balance"));
        }
    }

    /** Run only through the launcher below: an assumption that does not hold, in a search. */
    static class AssumingSearch {
        @PreemptTest(schedules = 10)
        void needsSomethingMissing() {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "not here");
        }
    }

    /**
     * An assumption that fails in a search aborts the test, as it does in a plain test (JUnit reports it
     * skipped). Found by a user: it failed, as "failed under deterministic schedule 1 of 10", with a
     * replay key.
     */
    @Test
    void anAssumptionInASearchAbortsTheTest() {
        List<TestExecutionResult.Status> results = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(AssumingSearch.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) results.add(result.getStatus());
                    }
                });
        assertEquals(List.of(TestExecutionResult.Status.ABORTED), results);
    }

    @Test
    void theReadmeExampleFails() {
        Throwable t = runFailing(BankTest.class);
        System.out.println("README example's report:\n" + t.getMessage());
        assertTrue(t.getMessage().contains("expected: <80> but was: <90>"), t.getMessage());
    }

    private static Throwable runFailingSearch() {
        return runFailing(FailingSearch.class);
    }

    /** Runs {@code testClass} through the launcher and returns its one failure. */
    private static Throwable runFailing(Class<?> testClass) {
        List<Throwable> failures = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest() && result.getStatus() == TestExecutionResult.Status.FAILED) {
                            failures.add(result.getThrowable().orElseThrow());
                        }
                    }
                });
        assertEquals(1, failures.size(), "the failing search failed once");
        return failures.get(0);
    }

    @Test
    void aFailingSearchPrintsAReplayLineThatReplaysIt() {
        Throwable found = runFailingSearch();
        String msg = found.getMessage();
        assertTrue(msg.startsWith("failed under deterministic schedule "), msg);
        assertTrue(msg.contains("a request came before the config"), msg);
        Matcher m = Pattern.compile("-Dpreempt.replay='([^']+)'").matcher(msg);
        assertTrue(m.find(), msg);
        Schedule failing = Schedule.parse(m.group(1));
        assertTrue(failing.seed() >= 1000 && failing.seed() < 1500, failing.toString());
        assertTrue(msg.contains("@PreemptTest(replay = \"" + failing + "\")"), msg);
        assertTrue(msg.contains("the run's last scheduling events:"), msg);
        assertNotNull(found.getCause());

        String before = System.getProperty("preempt.replay");
        System.setProperty("preempt.replay", failing.toString());
        try {
            Throwable replayed = runFailingSearch();
            assertTrue(replayed.getMessage().startsWith("failed under deterministic schedule 1 (replayed)"), replayed.getMessage());
            assertEquals(tail(msg), tail(replayed.getMessage()), "the replay ends with the same scheduling events");
        } finally {
            if (before == null) System.clearProperty("preempt.replay");
            else System.setProperty("preempt.replay", before);
        }
    }

    private static String tail(String msg) {
        return msg.substring(msg.indexOf("the run's last scheduling events:"));
    }

    @PreemptTest(schedules = 20)
    void callsAnswerInVirtualTime() {
        Pid slow = Preempt.spawn(() -> {
            Call c = Preempt.receive(Call.class);
            Preempt.sleep(Duration.ofSeconds(3)); // under the 5 s call timeout
            Preempt.reply(c, "late but in time");
        });
        assertEquals("late but in time", Preempt.call(slow, "q"));
    }
}
