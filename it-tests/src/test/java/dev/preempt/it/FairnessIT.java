package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain counting loops are preempted: a probe beside them is served, and they share the CPU. */
class FairnessIT {

    @ParameterizedTest(name = "{0} hogs")
    @ValueSource(ints = {8, 64})
    void probeIsServedBesideHogsAndHogsShareTheCpu(int hogs) {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.HogProbe", String.valueOf(hogs), "200");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("probe", "samples")).isEqualTo(200);
        // generous: the tight figure (well under a millisecond) belongs to the benchmark
        assertThat(r.longValue("probe", "p99us")).as(r.toString()).isLessThan(50_000);
        long min = r.longValue("hogs", "min"), max = r.longValue("hogs", "max");
        assertThat(min).as("every hog ran while the probe did: %s", r).isPositive();
        assertThat(min * 5).as("hogs share the CPU roughly evenly (min %d, max %d)", min, max).isGreaterThanOrEqualTo(max);
    }
}
