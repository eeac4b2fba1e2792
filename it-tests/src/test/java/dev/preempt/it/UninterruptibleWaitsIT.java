package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A kill reaches a process in a JDK wait that ignores interrupts, in plain code the agent rewrote
 * ({@code apps.UninterruptibleWaits}): before, the kill landed only once the wait was over, so a deadlock
 * could not be broken by killing one side, and a supervisor's {@code terminateChild} of a deadlocked worker
 * never returned.
 */
class UninterruptibleWaitsIT {

    @Test
    void killsReachProcessesInLockConditionSemaphoreAndJoinWaits() {
        Jvm.Result r = Jvm.withAgent("carriers=2").timeout(90).run("dev.preempt.it.apps.UninterruptibleWaits");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.value("deadlock", "first")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("deadlock", "second")).as(r.toString()).isEqualTo("second-done");
        assertThat(r.value("deadlock", "secondEnd")).as(r.toString()).isEqualTo("normal");
        assertThat(r.value("supervised", "terminated")).as(r.toString()).isEqualTo("true");
        assertThat(r.value("supervised", "other")).as(r.toString()).isEqualTo("other-done");
        assertThat(r.value("condition", "reason")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("condition", "lockFree")).as(r.toString()).isEqualTo("true");
        assertThat(r.value("semaphore", "reason")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("join", "reason")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("join", "lambda")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("phaser", "reason")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("phaser", "phase")).as("the phase waits for its parties").isEqualTo("0");
        assertThat(r.value("fjinvoke", "reason")).as(r.toString()).isEqualTo("killed");
        for (String form : new String[] {"pair", "array", "list", "subclass"}) {
            assertThat(r.value("invokeAll", form)).as(form + ": " + r).isEqualTo("killed+worker");
        }
        assertThat(r.value("stamped", "write")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("stamped", "read")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("stamped", "view")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("unlocked", "stamped")).as("no killed waiter took the lock: " + r).isEqualTo("true");
        assertThat(r.value("forkJoin", "subclassJoin")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("forkJoin", "quietlyJoin")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("invoked", "completer")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("invoked", "quietly")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("parallel", "stream")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("parallel", "map")).as(r.toString()).isEqualTo("killed+worker");
        assertThat(r.value("close", "virtual")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("close", "fixed")).as(r.toString()).isEqualTo("killed");
        for (String wait : new String[] {"lock", "typedAsJdk", "semaphore", "future", "stamped", "phaser"}) {
            assertThat(r.value("subclasses", wait)).as("a subclass's " + wait + ": " + r).isEqualTo("killed");
        }
        assertThat(r.value("subclasses", "overrideRan")).as("an override of lock() runs: " + r).isEqualTo("true");
    }
}
