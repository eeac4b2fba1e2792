package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Deep stacks: a legal one survives being preempted; a runaway one ends alone, and soon. */
class StacksIT {

    @Test
    void aLegalDeepRecursionPreemptedAtItsDeepestPointEndsNormally() {
        // 6,000 cold frames, about 40% of a 1 MB stack; freezing them at once needs more room than is left,
        // so the yield there is refused (counted as a pin) and the recursion runs on, as it would unpreempted.
        Jvm.Result r = Jvm.withAgent("carriers=1,budget=100").run("dev.preempt.it.apps.DeepStack", "6000", "3");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("deepstack", "normal")).as(r.toString()).isEqualTo(3);
    }

    @Test
    void eightRunawayRecursionsAtOnceEachEndAloneWithAStackOverflow() {
        // Unbounded, their frames moved into the heap until a 6 GB heap was full (~580 s to die).
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg("-Xmx1g").timeout(90).run("dev.preempt.it.apps.Runaway", "8");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("runaway", "ended")).as(r.toString()).isEqualTo(8);
        List<String> reasons = r.lines("down reason=");
        assertThat(reasons).as(r.toString()).hasSize(8)
                .allMatch(l -> l.startsWith("down reason=exception_java.lang.StackOverflowError"));
        assertThat(reasons).as("at least one met Preempt's bound (the others the carrier's stack, cold)")
                .anyMatch(l -> l.contains("Preempt's_bound_on_a_process's_stack"));
        assertThat(r.lines("after alive=true")).as("the JVM goes on").hasSize(1);
    }
}
