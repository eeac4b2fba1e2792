package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the VM refuses a yield (class initialisers) and where it must not lose a lock (monitors). */
class ClassInitAndMonitorsIT {

    @Test
    void aHogInAStaticInitialiserRunsCorrectlyIsCountedAsPinnedAndBlocksNobodyElse() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.StaticInitHog");
        checkStaticInit(r, true);
    }

    @Test
    void aHogCalledFromAStaticInitialiserRunsCorrectlyAndIsCountedAsPinned() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.StaticInitHog", "callee");
        checkStaticInit(r, false);
    }

    private static void checkStaticInit(Jvm.Result r, boolean othersProgress) {
        Jvm.Result expected = Jvm.plain().run("dev.preempt.it.apps.StaticInitHog$Expected");
        assertThat(r.exit()).as(r.toString()).isZero();
        String slow = expected.value("expected", "slow"), other = expected.value("expected", "other");
        var results = r.lines("result");
        assertThat(results).as(r.toString()).hasSize(5);
        for (String line : results) {
            String value = line.replaceAll(".*value=(\\S+).*", "$1");
            assertThat(value).as(line).isEqualTo(line.contains("who=other") ? other : slow);
        }
        String slowLine = results.stream().filter(l -> l.contains("who=slow")).findFirst().orElseThrow();
        assertThat(Long.parseLong(slowLine.replaceAll(".*pins=(\\S+).*", "$1"))).as("yields refused in <clinit>: %s", r)
                .isPositive();
        if (othersProgress) {
            long others = Long.parseLong(r.out().replaceAll("(?s).*others progressed during initialisation=(\\d+).*", "$1"));
            assertThat(others).as("processes using other classes ran on the other carrier: %s", r).isPositive();
        }
    }

    @ParameterizedTest(name = "{0} monitors")
    @ValueSource(strings = {"thin", "inflated"})
    void contendedMonitorsLoseNothingAndDoNotDeadlock(String mode) {
        int procs = 64, rounds = 200;
        Jvm.Result r = Jvm.withAgent("carriers=2,budget=200").timeout(180)
                .run("dev.preempt.it.apps.Monitors", mode, String.valueOf(procs), String.valueOf(rounds));
        assertThat(r.exit()).as(r.toString()).isZero();
        long expected = (long) procs * rounds;
        assertThat(r.longValue("monitors", "counter")).isEqualTo(expected);
        assertThat(r.longValue("monitors", "guarded")).isEqualTo(expected * 200);
        assertThat(r.longValue("monitors", "box")).isEqualTo(expected * 50);
    }
}
