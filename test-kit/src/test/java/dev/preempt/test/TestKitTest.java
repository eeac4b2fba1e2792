package dev.preempt.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The kit on itself: passing bodies pass, failing ones fail with what went wrong. */
class TestKitTest {

    @PreemptTest
    void aBodyRunsAsAProcessWithAProbe() {
        TestProbe probe = TestProbe.create();
        Pid echo = Preempt.spawn(() -> {
            Object m = Preempt.receive();
            Preempt.send(probe.ref(), m);
        });
        probe.watch(echo);
        Preempt.send(echo, "hi");
        probe.expectMessage("hi", Duration.ofSeconds(5));
        Down d = probe.expectDown(echo, Duration.ofSeconds(5));
        assertEquals(ExitReason.NORMAL, d.reason());
        probe.expectNoMessage(Duration.ofMillis(50));
    }

    @PreemptTest
    void aNameRegisteredInOneTestIsFreeInTheNext_1() {
        Preempt.register("shared-name", Preempt.spawn(() -> Preempt.receive()));
    }

    @PreemptTest
    void aNameRegisteredInOneTestIsFreeInTheNext_2() {
        Preempt.register("shared-name", Preempt.spawn(() -> Preempt.receive()));
    }

    @PreemptTest
    void aMailboxCanBeSeenWithoutTakingFromIt() {
        Pid worker = Preempt.spawn(() -> Preempt.receive(m -> m.equals("go")));
        Preempt.send(worker, "job 1");
        Preempt.send(worker, "job 2");
        assertEquals(java.util.List.of("job 1", "job 2"), ProcessAsserts.messagesOf(worker));
        Preempt.send(worker, "go");
        assertTrue(ProcessAsserts.awaitExit(worker, Duration.ofSeconds(5)).isNormal());
        assertThrows(AssertionError.class, () -> ProcessAsserts.messagesOf(worker));
    }

    /** A test looks into its own mailbox too (Erlang's process_info(self(), messages)); it waited 5 s for itself and failed. */
    @PreemptTest
    void aTestSeesItsOwnMailbox() {
        Preempt.send(Preempt.self(), "first");
        Preempt.send(Preempt.self(), "second");
        assertEquals(java.util.List.of("first", "second"), ProcessAsserts.messagesOf(Preempt.self()));
        assertEquals("first", Preempt.receive());
    }

    @PreemptTest
    void expectExitAndAwaitExit() {
        TestProbe probe = TestProbe.create();
        Pid crasher = Preempt.spawn(() -> {
            Preempt.receive(m -> m.equals("go"));
            throw new IllegalStateException("boom");
        });
        probe.link(crasher);
        Preempt.send(crasher, "go");
        ExitReason r = probe.expectExit(crasher, Duration.ofSeconds(5));
        assertTrue(r.exceptionCause().orElseThrow() instanceof IllegalStateException, r.toString());
        Pid worker = Preempt.spawn(() -> Preempt.receive(m -> m.equals("go")));
        Preempt.spawn(() -> { // "go" comes well after awaitExit has its monitor in place
            Preempt.sleep(100);
            Preempt.send(worker, "go");
        });
        assertTrue(ProcessAsserts.awaitExit(worker, Duration.ofSeconds(5)).isNormal());
        assertThrows(AssertionError.class, () -> ProcessAsserts.awaitExit(probe.ref(), Duration.ofMillis(50)));
    }

    @Test
    void anAssertionInTheRootFailsTheTestAsItWas() {
        AssertionError e = assertThrows(AssertionError.class, () -> PreemptExtension.runAsRoot("t", 2, 5_000, () -> {
            assertEquals(1, 2, "inside the process");
        }));
        assertTrue(e.getMessage().contains("inside the process"), e.getMessage());
    }

    @Test
    void aLinkedCrashFailsTheTestWithTheReason() {
        AssertionError e = assertThrows(AssertionError.class, () -> PreemptExtension.runAsRoot("t", 2, 5_000, () -> {
            Preempt.spawnLink(() -> {
                throw new IllegalArgumentException("the worker fell over");
            });
            Preempt.receive(); // the exit signal ends us first
        }));
        assertTrue(e.getMessage().contains("exit signal") && e.getMessage().contains("the worker fell over"), e.getMessage());
    }

    @Test
    void aHungTestFailsAtItsTimeoutWithADumpOfTheLiveProcesses() {
        AssertionError e = assertThrows(AssertionError.class, () -> PreemptExtension.runAsRoot("t", 2, 300, () -> {
            Pid stuck = Preempt.spawn(() -> Preempt.receive(m -> m.equals("never")));
            Preempt.register("stuck-one", stuck);
            Preempt.send(stuck, "not this");
            Preempt.receive(m -> m.equals("never either"));
        }));
        assertTrue(e.getMessage().contains("had not ended after 300 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("name=stuck-one") && e.getMessage().contains("mailbox=1"), e.getMessage());
        assertTrue(e.getMessage().contains("receive"), "stacks are shown: " + e.getMessage());
    }

    @Test
    void anExpectationThatFailsSaysWhatCame() {
        AssertionError e = assertThrows(AssertionError.class, () -> PreemptExtension.runAsRoot("t", 2, 5_000, () -> {
            TestProbe probe = TestProbe.create();
            Preempt.send(probe.ref(), "this");
            probe.expectMessage("that", Duration.ofSeconds(2));
        }));
        assertTrue(e.getMessage().contains("expected message that but got this"), e.getMessage());
    }

    @Test
    void aCrashNobodyHeardOfFailsTheTestUnlessTurnedOff() throws Throwable {
        PreemptExtension.Body crashUnwatched = () -> {
            Pid p = Preempt.spawn(() -> {
                throw new IllegalStateException("nobody watched me");
            });
            TestProbe probe = TestProbe.create(); // wait for the end without hearing of it: poll
            while (Preempt.isAlive(p)) Preempt.sleep(5);
            probe.expectNoMessage(Duration.ofMillis(10));
        };
        AssertionError e = assertThrows(AssertionError.class, () -> PreemptExtension.runAsRoot("t", 2, 5_000, crashUnwatched));
        assertTrue(e.getMessage().contains("no link or monitor heard of it") && e.getMessage().contains("nobody watched me"),
                e.getMessage());
        PreemptExtension.runAsRoot("t", 2, 5_000, false, crashUnwatched); // turned off: passes
    }

    @PreemptTest
    void aWatchedCrashIsTheTestsBusiness() {
        TestProbe probe = TestProbe.create();
        Pid p = Preempt.spawn(() -> {
            Preempt.receive(m -> m.equals("go"));
            throw new IllegalStateException("seen by the probe");
        });
        probe.watch(p);
        Preempt.send(p, "go");
        assertTrue(probe.expectDown(p, Duration.ofSeconds(5)).reason().exceptionCause().isPresent());
    }
}
