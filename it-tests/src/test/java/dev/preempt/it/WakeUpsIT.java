package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The idle-carrier pairing ({@code Carrier}'s "register as idle, look again" against the producer's
 * "enqueue, fence, read the idle count", see ARCHITECTURE "Scheduler"): with the park backstop at an
 * hour, a lost wake-up would leave a process unrun for good instead of for up to 100 ms. 4 plain
 * threads wake their processes 20,000 times each, one wake-up at a time, so the carriers park between
 * them; every wake-up must be answered.
 */
class WakeUpsIT {

    @Test
    void everyWakeUpOfAnIdleSchedulerIsSeen() {
        Jvm.Result r = Jvm.withAgent("carriers=2,send=trust").jvmArg("-Dpreempt.parkBackstopMillis=3600000")
                .timeout(180).run("dev.preempt.it.apps.WakeUps", "4", "20000");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("wakeups", "lost")).as(r.toString()).isZero();
        assertThat(r.longValue("wakeups", "done")).as(r.toString()).isEqualTo(80_000);
    }
}
