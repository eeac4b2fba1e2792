package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The deterministic scheduler under the agent: the preemption points inside a plain loop (the agent's
 * ticks) are explored, so a lost update with no send or receive between its read and write is found;
 * every schedule replays to the same count and trace. Without the agent the same loop never yields.
 */
class DeterministicIT {

    @Test
    void underTheAgentTheSeedsExplorePreemptionInsideAPlainLoop() {
        Jvm.Result r = Jvm.withAgent("").run("dev.preempt.it.apps.DeterministicLoop", "40");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("det", "lost")).as(r.toString()).isGreaterThan(0);
        assertThat(r.longValue("det", "replayed")).as(r.toString()).isEqualTo(40);
        assertThat(r.longValue("det", "distinct")).as(r.toString()).isGreaterThan(20);
        assertThat(r.longValue("det", "steps")).as("many slices: the budget ends them inside the loop").isGreaterThan(40 * 20);
        // Another JVM, classes initialised afresh: the same seeds give the same traces and counts.
        Jvm.Result again = Jvm.withAgent("").run("dev.preempt.it.apps.DeterministicLoop", "5");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.value("det", "first")).isEqualTo(r.value("det", "first"));
    }

    @Test
    void withoutTheAgentThePlainLoopIsNeverPreempted() {
        Jvm.Result r = Jvm.plain().jvmArg("--add-opens").jvmArg("java.base/java.lang=ALL-UNNAMED")
                .run("dev.preempt.it.apps.DeterministicLoop", "10");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("det", "lost")).as(r.toString()).isZero();
        assertThat(r.longValue("det", "replayed")).as(r.toString()).isEqualTo(10);
    }
}
