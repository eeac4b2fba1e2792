package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** j.u.c locks contended by many processes: every contender gets the lock, as on plain virtual threads. */
class LocksIT {

    @ParameterizedTest(name = "{0} reductions inside, {1} outside")
    @CsvSource({"1000, 0", "20, 2000"})
    void sixtyFourProcessesOnOneNonFairReentrantLockAllProgress(int inside, int outside) {
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg("-Dinside=" + inside).jvmArg("-Doutside=" + outside)
                .run("dev.preempt.it.apps.LockContention", "64", "2");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("lock", "progressed")).as(r.toString()).isEqualTo(64);
    }
}
