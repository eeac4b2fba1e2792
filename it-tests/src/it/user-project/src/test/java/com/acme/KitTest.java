package com.acme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.ProcessInfo;
import dev.preempt.test.PreemptTest;
import dev.preempt.test.TestProbe;
import java.time.Duration;

/** preempt-test in a user's build, under the agent: the body is a process on a scheduler of its own. */
class KitTest {

    @PreemptTest(carriers = 1)
    void aHogBesideTheTestBodyRunsRewritten() {
        Pid hog = Preempt.spawnLink(Main::hog);
        Preempt.sleep(100); // one carrier: the hog yields (or a spare takes its carrier) for this to wake
        long reductions = Preempt.processInfo(hog).map(ProcessInfo::reductions).orElse(-1L);
        assertTrue(reductions > 0, "the hog spends reductions, so it was rewritten: " + reductions);
        TestProbe probe = TestProbe.create();
        Preempt.send(probe.ref(), "seen");
        probe.expectMessage("seen", Duration.ofSeconds(5));
    }
}
