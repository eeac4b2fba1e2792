package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Taking a process's stack from another thread while it runs, as {@link Preempt#processInfo} (and the
 * watchdog, for its JFR event) does, must not disturb scheduling. The JDK's {@code
 * VirtualThread.tryGetStackTrace} suspends an unmounted virtual thread, and if it was runnable it
 * submits it once more afterwards ("the task may have run while suspended"): a second queue entry for a
 * process that is already queued. A carrier that then took the stale entry while the process ran
 * elsewhere rewrote its per-slice state, its carrier among it, and the process's next wake-up pushed
 * onto that other carrier's owner-only queue from a foreign thread (the assert in {@code
 * Carrier.pushNext} caught it under JfrRecordingIT about one run in four; without assertions such a push
 * can lose or duplicate a process).
 *
 * <p>Ping-pong pairs (each wake-up goes to the waker's runnext) and yielding processes run beside a
 * plain thread that takes all their stacks in a loop. Every process is linked to the root, so an
 * assertion that fires in one (surefire runs with {@code -ea}) ends the test; a lost process shows as
 * the root's receive timing out.
 */
class StackTraceWhileRunningTest {

    static final int PAIRS = 6, YIELDERS = 4, ROUNDS = 20_000, YIELDS = 40_000;

    @Test
    @Timeout(120)
    void stacksTakenFromOutsideLoseAndDuplicateNothing() throws Exception {
        List<Pid> pids = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong stacks = new AtomicLong();
        Thread looker = Thread.ofPlatform().name("stack-looker").start(() -> {
            while (!done.get()) {
                for (Pid p : pids) {
                    Preempt.processInfo(p).ifPresent(i -> stacks.incrementAndGet());
                }
                Thread.onSpinWait();
            }
        });
        try (Scheduler s = Scheduler.builder().carriers(2).build()) {
            Procs.run(s, () -> {
                Pid root = self();
                for (int i = 0; i < PAIRS; i++) {
                    Pid pong = spawnLink(() -> {
                        for (int r = 0; r < ROUNDS; r++) {
                            Pid from = receive(Pid.class);
                            send(from, "pong");
                        }
                    });
                    pids.add(pong);
                    pids.add(spawnLink(() -> {
                        Pid me = self();
                        for (int r = 0; r < ROUNDS; r++) {
                            send(pong, me);
                            receive(String.class);
                        }
                        send(root, "pair done");
                    }));
                }
                for (int i = 0; i < YIELDERS; i++) {
                    pids.add(spawnLink(() -> {
                        for (int r = 0; r < YIELDS; r++) Preempt.yield();
                        send(root, "yielder done");
                    }));
                }
                for (int i = 0; i < PAIRS + YIELDERS; i++) {
                    assertThat(receive(String.class, Duration.ofSeconds(60)))
                            .as("every pair and yielder finishes (%d of %d did)", i, PAIRS + YIELDERS).isPresent();
                }
            });
        } finally {
            done.set(true);
            looker.join();
        }
        assertThat(stacks.get()).as("stacks taken while they ran").isGreaterThan(100);
    }
}
