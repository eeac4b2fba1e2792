package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Process priorities ({@link Preempt#setPriority}): a runnable high-priority process is taken before
 * every normal one, a low-priority one runs less often than normal ones but is not starved. One carrier
 * each, so that the order the carrier chose is the only thing measured; the processes switch by
 * {@link Preempt#yield()} (no agent here), and none waits on anything else.
 */
class PriorityTest {

    /** Normal processes that count their turns until {@code stop}. */
    private static void yielders(Scheduler s, int n, AtomicLong turns, AtomicBoolean stop) {
        for (int i = 0; i < n; i++) {
            s.spawn(() -> {
                while (!stop.get()) {
                    turns.incrementAndGet();
                    Preempt.yield();
                }
            });
        }
    }

    @Test
    void aRunnableHighPriorityProcessRunsBeforeEveryNormalOne() throws Exception {
        try (Scheduler s = Scheduler.builder().carriers(1).build()) {
            AtomicLong normalTurns = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            yielders(s, 4, normalTurns, stop);
            CompletableFuture<long[]> seen = new CompletableFuture<>();
            s.spawn(() -> {
                while (normalTurns.get() < 100) Preempt.yield(); // the others are going
                Priority before = Preempt.setPriority(Priority.HIGH);
                Preempt.yield(); // queued as high from here on
                long atStart = normalTurns.get();
                for (int i = 0; i < 1_000; i++) Preempt.yield();
                long whileHigh = normalTurns.get() - atStart;
                Preempt.setPriority(Priority.NORMAL);
                Preempt.yield();
                long atNormal = normalTurns.get();
                for (int i = 0; i < 100; i++) Preempt.yield();
                seen.complete(new long[] {before.ordinal(), whileHigh, normalTurns.get() - atNormal});
            });
            long[] r = seen.get(10, TimeUnit.SECONDS);
            stop.set(true);
            assertThat(Priority.values()[(int) r[0]]).as("every process starts normal").isEqualTo(Priority.NORMAL);
            assertThat(r[1]).as("normal turns during 1,000 yields of a high-priority process").isZero();
            assertThat(r[2]).as("normal turns during 100 yields once it is normal again (each yield goes behind them)")
                    .isGreaterThanOrEqualTo(100);
        }
    }

    @Test
    void aLowPriorityProcessRunsLessOftenThanANormalOneButIsNotStarved() throws Exception {
        try (Scheduler s = Scheduler.builder().carriers(1).build()) {
            AtomicLong normalTurns = new AtomicLong(), lowTurns = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            s.spawn(() -> {
                Preempt.setPriority(Priority.LOW);
                while (!stop.get()) {
                    lowTurns.incrementAndGet();
                    Preempt.yield();
                }
            });
            yielders(s, 1, normalTurns, stop);
            Thread.sleep(300);
            stop.set(true);
            long low = lowTurns.get(), normal = normalTurns.get();
            assertThat(low).as("low-priority turns beside a normal process that is always runnable").isPositive();
            assertThat(normal).as("normal turns (%d low)", low).isGreaterThan(3 * low);
        }
    }

    @Test
    void theSchedulerCountsLiveHighPriorityProcessesWhicheverWayTheyEnd() throws Exception {
        try (Scheduler s = Scheduler.builder().carriers(1).build()) {
            CompletableFuture<Integer> whileHigh = new CompletableFuture<>(), afterNormal = new CompletableFuture<>();
            Pid a = s.spawn(() -> {
                Preempt.setPriority(Priority.HIGH);
                Preempt.setPriority(Priority.HIGH); // no change: counted once
                whileHigh.complete(s.core.highPriorityProcesses());
                Preempt.setPriority(Priority.LOW);
                afterNormal.complete(s.core.highPriorityProcesses());
                Preempt.setPriority(Priority.HIGH);
                Preempt.receive(); // ends normally on a message
            });
            assertThat(whileHigh.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(afterNormal.get(5, TimeUnit.SECONDS)).isZero();
            Pid b = s.spawn(() -> {
                Preempt.setPriority(Priority.HIGH);
                Preempt.receive();
                throw new IllegalStateException("a crash ends it");
            });
            Pid c = s.spawn(() -> {
                Preempt.setPriority(Priority.HIGH);
                Preempt.receive(); // killed
            });
            Procs.await(java.time.Duration.ofSeconds(5), () -> s.core.highPriorityProcesses() == 3, "three high-priority processes");
            Preempt.send(a, "end");
            Preempt.send(b, "crash");
            Preempt.exit(c, ExitReason.KILL);
            Procs.await(java.time.Duration.ofSeconds(5), () -> !Preempt.isAlive(a) && !Preempt.isAlive(b) && !Preempt.isAlive(c), "all three to end");
            assertThat(s.core.highPriorityProcesses()).as("after a normal end, a crash and a kill").isZero();
        }
    }

    @Test
    void theProcessListingShowsThePriority() throws Exception {
        try (Scheduler s = Scheduler.builder().carriers(1).build()) {
            CompletableFuture<Priority> seen = new CompletableFuture<>();
            s.spawn(() -> {
                Preempt.setPriority(Priority.LOW);
                seen.complete(Preempt.processInfo(Preempt.self()).orElseThrow().priority());
            });
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(Priority.LOW);
        }
        assertThatThrownBy(() -> Preempt.setPriority(Priority.HIGH)).isInstanceOf(IllegalStateException.class);
    }
}
