package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.internal.engine.FrozenStack;
import org.junit.jupiter.api.Test;

/**
 * A process's frozen stack is bounded: a recursion that yields on its way down keeps its older frames in
 * the heap, never meeting the carrier's stack limit, so only the bound ends it.
 */
class StackBoundTest {

    static long down(long depth, long yieldEvery) {
        if (depth % yieldEvery == 0) Preempt.yield(); // freezes the frames pushed since the last yield
        return down(depth + 1, yieldEvery) + 1;
    }

    @Test
    void aRecursionThatYieldsOnItsWayDownEndsWithAStackOverflowAtTheBound() {
        assertThat(FrozenStack.available()).as(FrozenStack.unavailableReason()).isTrue();
        try (Scheduler s = Scheduler.builder().carriers(1).maxProcessStack(4L << 20).build()) {
            ExitReason r = s.run(() -> down(1, 50));
            assertThat(r.exceptionCause()).get().isInstanceOf(StackOverflowError.class);
            assertThat(r.exceptionCause().get().getMessage()).contains("passed 4 MB").contains("maxstack=");
            assertThat(s.run(() -> {})).as("the scheduler goes on").isEqualTo(ExitReason.NORMAL);
        }
    }

    @Test
    void withoutABoundTheSameRecursionGrowsPastIt() {
        try (Scheduler s = Scheduler.builder().carriers(1).maxProcessStack(0).build()) {
            long[] deepest = new long[1];
            ExitReason r = s.run(() -> deepest[0] = downUntil(1, 50, 200_000));
            assertThat(r).isEqualTo(ExitReason.NORMAL);
            assertThat(deepest[0]).isEqualTo(200_000); // far beyond what a 1 MB carrier stack holds at once
        }
    }

    static long downUntil(long depth, long yieldEvery, long limit) {
        if (depth == limit) return depth;
        if (depth % yieldEvery == 0) Preempt.yield();
        return downUntil(depth + 1, yieldEvery, limit);
    }
}
