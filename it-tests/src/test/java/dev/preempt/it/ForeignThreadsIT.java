package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Threads a process starts (its own virtual threads, and the JDK's socket pollers when the first socket
 * is opened inside a process) are ordinary virtual threads: they never take a process's place on a
 * carrier, never spend its budget, and nothing they wake is lost.
 */
class ForeignThreadsIT {

    @Test
    void anEchoServerWhoseFirstSocketOpensInsideAProcessServesEveryConnection() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.EchoFirstSocket", "2000", "5");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("echo", "ok")).as(r.toString()).isEqualTo(2000);
        assertThat(r.err()).as("no JDK poller died").doesNotContain("Exception");
    }

    @Test
    void virtualThreadsStartedByProcessesLoseNothingAndChargeNothingToTheirParent() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.ChildThreads", "64", "1000");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("childthreads", "received")).as(r.toString()).isEqualTo(64_000);
        // While the parent waits 500 ms in receive it spends a reduction or two; a child virtual thread
        // spinning in instrumented code meanwhile was charged ~500 million to it.
        assertThat(r.longValue("childthreads", "parentGrowth")).as(r.toString()).isLessThan(10_000);
    }
}
