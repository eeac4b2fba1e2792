package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Threads a process starts (its own virtual threads, and the JDK's socket pollers when the first socket
 * is opened inside a process) are ordinary virtual threads: they never take a process's place on a
 * carrier, never spend its budget, and nothing they wake is lost.
 */
class ForeignThreadsIT {

    /**
     * With {@code -Dpreempt.pollers=jdk} the JDK's pollers start inside the first process that opens a
     * socket and inherit it as their scheduler (the case that lost processes); by default the scheduler
     * adopts them first ({@code SystemThreads}), and the first socket is then an ordinary one.
     */
    @ParameterizedTest(name = "-Dpreempt.pollers={0}")
    @ValueSource(strings = {"jdk", "carriers"})
    void anEchoServerWhoseFirstSocketOpensInsideAProcessServesEveryConnection(String pollers) {
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg("-Dpreempt.pollers=" + pollers)
                .run("dev.preempt.it.apps.EchoFirstSocket", "2000", "5");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("echo", "ok")).as(r.toString()).isEqualTo(2000);
        assertThat(r.err()).as("no JDK poller died").doesNotContain("Exception");
    }

    /**
     * The JDK's socket sub-pollers, created inside a process, run on that scheduler's carriers; when it
     * closes they go back to the JDK's pool and then to the next scheduler whose processes wait for
     * sockets; sockets keep working throughout (on plain virtual threads and in the second scheduler's
     * processes): no sub-poller is left behind with the closed scheduler. With {@code jdk} no carrier
     * runs them.
     */
    @ParameterizedTest(name = "-Dpreempt.pollers={0}")
    @ValueSource(strings = {"carriers", "jdk"})
    void theJdksSubPollersRunOnTheCarriersAndOutliveTheSchedulerThatHostedThem(String pollers) {
        Jvm.Result r = Jvm.withAgent("").jvmArg("-Dpreempt.pollers=" + pollers)
                .run("dev.preempt.it.apps.PollerHosting", "500", "20");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("pollers", "first")).as(r.toString()).isEqualTo(500);
        assertThat(r.longValue("pollers", "virtual")).as(r.toString()).isEqualTo(500);
        assertThat(r.longValue("pollers", "second")).as(r.toString()).isEqualTo(500);
        if (pollers.equals("carriers")) {
            assertThat(r.longValue("pollers", "firstTasks")).as(r.toString()).isPositive();
            assertThat(r.longValue("pollers", "secondTasks")).as(r.toString()).isPositive();
        } else {
            assertThat(r.longValue("pollers", "firstTasks")).as(r.toString()).isZero();
            assertThat(r.longValue("pollers", "secondTasks")).as(r.toString()).isZero();
        }
    }

    @Test
    void aBadPollersSettingIsAClearError() {
        Jvm.Result r = Jvm.withAgent("").jvmArg("-Dpreempt.pollers=epoll").run("dev.preempt.it.apps.PollerHosting", "1", "1");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).as(r.toString()).contains("-Dpreempt.pollers=epoll: accepted values are carriers and jdk");
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
