package dev.preempt.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Which fork/join tasks a kill may cancel: only those the JDK makes for one call of its caller. */
class OwnJdkTasksTest {

    @Test
    void theJdksOwnPerCallTasksAreTakenAnApplicationsAndAFuturesAreNot() throws Exception {
        assertThat(OwnJdkTasks.madeForItsCaller(Class.forName("java.util.stream.ReduceOps$ReduceTask"))).isTrue();
        assertThat(OwnJdkTasks.madeForItsCaller(Class.forName("java.util.concurrent.ConcurrentHashMap$ForEachMappingTask"))).isTrue();
        assertThat(OwnJdkTasks.madeForItsCaller(Sum.class)).isFalse(); // may have other waiters
        // CompletableFuture.supplyAsync's task is a ForkJoinTask too, and its future is shared
        assertThat(OwnJdkTasks.madeForItsCaller(Class.forName("java.util.concurrent.CompletableFuture$AsyncSupply"))).isFalse();
        assertThat(OwnJdkTasks.madeForItsCaller(ForkJoinTask.adapt(() -> 1).getClass())).isFalse();
    }

    @Test
    void anApplicationsTaskThatAThreadParksForIsNotCancelled() {
        Sum mine = new Sum();
        Thread t = Thread.ofPlatform().unstarted(() -> {});
        OwnJdkTasks.cancelAwaitedBy(t); // no blocker
        Thread waiter = Thread.ofPlatform().start(() -> LockSupport.park(mine));
        try {
            while (LockSupport.getBlocker(waiter) != mine) Thread.onSpinWait();
            OwnJdkTasks.cancelAwaitedBy(waiter);
            assertThat(mine.isCancelled()).isFalse();
        } finally {
            LockSupport.unpark(waiter);
        }
    }

    static final class Sum extends RecursiveTask<Integer> {
        @Override
        protected Integer compute() {
            return 1;
        }
    }
}
