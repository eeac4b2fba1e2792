package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.ProcessInfo;
import dev.preempt.Scheduler;
import org.junit.jupiter.api.Test;

/** Runs under -javaagent (surefire's argLine): a hog on one carrier is preempted, so others still run. */
class PreemptedTest {

    @Test
    void aHogIsPreemptedAndAnotherProcessStillRuns() {
        try (Scheduler one = Scheduler.builder().carriers(1).handOffAfter(java.time.Duration.ZERO).build()) {
            Pid hog = one.spawn(Main::hog);
            long[] preemptions = new long[1];
            ExitReason r = one.run(() -> {
                Preempt.sleep(100); // on the one carrier: only if the hog yields does this process wake
                preemptions[0] = Preempt.processInfo(hog).map(ProcessInfo::preemptions).orElse(-1L);
            });
            assertEquals(ExitReason.NORMAL, r);
            assertTrue(preemptions[0] > 0, "the hog was preempted: " + preemptions[0]);
            Preempt.exit(hog, ExitReason.KILL);
        }
    }
}
