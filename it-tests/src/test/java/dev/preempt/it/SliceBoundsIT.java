package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Preemption stays bounded for every shape of work: the longest slice a hog gets beside a witness on
 * one carrier, per shape (recursion, megamorphic calls, counted and uncounted loops, a loop around a JDK
 * call). The stated bound is the time slice plus one watchdog period (2 ms + 1 ms by default); measured
 * on 2 cores: p99 under 2 ms in {@code ticks=count} for every shape, and in {@code ticks=flag} the
 * recursion, preempted by time alone, at a median of ~3.3 ms. The assertions are generous (p99 under
 * 20 ms, longest under 100 ms): a loaded machine deschedules the carrier itself.
 */
class SliceBoundsIT {

    @ParameterizedTest(name = "ticks={0}")
    @ValueSource(strings = {"count", "flag"})
    void everyShapesLongestSliceStaysBounded(String ticks) {
        Jvm.Result r = Jvm.withAgent("carriers=1,handoff=0,ticks=" + ticks).timeout(60).run("dev.preempt.it.apps.SliceBounds", "1");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.lines("slice shape=");
        assertThat(lines).as(r.toString()).hasSize(5);
        for (String l : lines) {
            long slices = field(l, "slices"), p99 = field(l, "p99us"), max = field(l, "maxus");
            assertThat(slices).as("the witness ran between the hog's slices: %s", l).isPositive();
            assertThat(p99).as("p99 slice: %s", l).isLessThan(20_000);
            assertThat(max).as("longest slice: %s", l).isLessThan(100_000);
        }
    }

    private static long field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) return Long.parseLong(part.substring(key.length() + 1));
        }
        throw new AssertionError("no " + key + " in " + line);
    }
}
