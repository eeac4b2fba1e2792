package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Preemption inside lambdas, streams, try/finally, constructors, deep recursion, exception handlers,
 * default methods, while loops, switch loops and code from a second class loader, with results
 * identical to an uninstrumented run.
 */
class ShapesIT {

    @ParameterizedTest(name = "ticks={0}")
    @ValueSource(strings = {"count", "flag"})
    void everyShapeIsPreemptedAndComputesWhatItComputesUninstrumented(String ticks) {
        // One carrier, no hand-off and no spares: nothing may run the witness beside a shape. (On a loaded
        // machine the OS can deschedule the carrier long enough for the watchdog to take it for held; and
        // a spare started for the main process's blocking console write took the witness, and the OS then
        // left that spare's thread unscheduled for milliseconds: the witness sat "running" on it, the
        // shape saw no other work and ran unpreempted, witness=0, about 1 run in 7 beside two busy
        // loops; with spares=0, 0 in 20.) With
        // ticks=flag the shapes that only call are preempted by time alone, and a shape of a few
        // milliseconds may end before the watchdog's first look at its slice (up to its idle period,
        // 10 ms, after an idle spell): there the results must still be identical, and the witness must
        // have run during some shapes, not each (SliceBoundsIT shows every shape cut in that mode).
        Jvm.Result with = Jvm.withAgent("carriers=1,handoff=0,spares=0,ticks=" + ticks).run("dev.preempt.it.apps.Shapes");
        Jvm.Result without = Jvm.plain().jvmArg("-Dpreempt.quiet=true").run("dev.preempt.it.apps.Shapes");
        assertThat(with.exit()).as(with.toString()).isZero();
        assertThat(without.exit()).as(without.toString()).isZero();

        Map<String, String> expected = results(without);
        Map<String, String> actual = results(with);
        assertThat(expected).hasSize(10);
        assertThat(actual).as(with.toString()).isEqualTo(expected);
        long preempted = 0;
        for (String line : with.lines("shape")) {
            // one carrier: the witness only counts while a shape runs if that shape yielded to it
            long witness = Long.parseLong(line.substring(line.indexOf("witness=") + 8));
            if (unseenByTheLoader(line)) {
                assertThat(witness).as("PreemptLoader leaves a class another loader defines unrewritten: %s", line).isZero();
                continue;
            }
            if (ticks.equals("count")) assertThat(witness).as("the witness ran during: %s", line).isPositive();
            if (witness > 0) preempted++;
        }
        int rewritten = Jvm.underLoader() ? 9 : 10;
        assertThat(preempted).as(with.toString()).isGreaterThanOrEqualTo(ticks.equals("count") ? rewritten : 2);
    }

    @Test
    void classesReadFromTheRewriteCacheBehaveAsRewrittenOnes(@TempDir Path dir) {
        String options = "carriers=1,handoff=0,spares=0,stats=true,cache=" + dir.resolve("cache"); // as above: nothing beside a shape
        Jvm.Result first = Jvm.withAgent(options).run("dev.preempt.it.apps.Shapes");
        Jvm.Result second = Jvm.withAgent(options).run("dev.preempt.it.apps.Shapes");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(first.err()).as(first.toString()).contains("cache: 0 read");
        long read = Long.parseLong(second.err().replaceAll("(?s).*cache: (\\d+) read.*", "$1"));
        assertThat(read).as("the second start reads its classes from the cache: %s", second).isPositive();
        assertThat(results(second)).isEqualTo(results(first));
        for (String line : second.lines("shape")) {
            long witness = Long.parseLong(line.substring(line.indexOf("witness=") + 8));
            if (unseenByTheLoader(line)) continue;
            assertThat(witness).as("still preempted: %s", line).isPositive();
        }
    }

    /**
     * The shape whose class a second class loader defines: under PreemptLoader (no agent) nothing rewrites
     * it, as the README says; under the agent it is preempted like the others.
     */
    private static boolean unseenByTheLoader(String line) {
        return Jvm.underLoader() && line.contains("name=secondClassLoader ");
    }

    private static Map<String, String> results(Jvm.Result r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : r.lines("shape")) {
            String name = line.replaceAll(".*name=(\\S+).*", "$1");
            m.put(name, line.replaceAll(".*result=(\\S+).*", "$1"));
        }
        return m;
    }
}
