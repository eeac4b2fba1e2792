package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An exit signal that arrives as its target turns {@code trapExits} on or off. The sender decides
 * whether the signal will end the process, and if so interrupts it out of a blocking JDK call; that
 * decision read the flag racily, so a process that had just turned trapping on could be interrupted for
 * an exit it then received as a message (a spurious {@code InterruptedException}), and one that had just
 * turned it off could sleep through an exit no one interrupted it for, ending only at its next receive
 * (after a {@code take()} no one feeds: never). Both sides are swept across each other's timing with
 * random spins.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrapExitsRaceTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static final int ROUNDS = 1_000;
    static final ExitReason X = ExitReason.of("x");

    static void spin(int n) {
        for (int i = 0; i < n; i++) Thread.onSpinWait();
    }

    /** A process turning trapping on is never interrupted for an exit it then receives as a message. */
    @Test
    void anExitRacingTrapExitsOnIsEitherTrappedOrEndsTheProcessNeverBoth() {
        List<String> wrong = new ArrayList<>();
        AtomicInteger trapped = new AtomicInteger(), ended = new AtomicInteger();
        Procs.run(s, () -> {
            for (int round = 0; round < ROUNDS && wrong.isEmpty(); round++) {
                AtomicBoolean ready = new AtomicBoolean(), go = new AtomicBoolean();
                int mine = ThreadLocalRandom.current().nextInt(400), theirs = ThreadLocalRandom.current().nextInt(400);
                Pid tester = self();
                Spawned p = spawnMonitor(() -> {
                    ready.set(true);
                    while (!go.get()) Thread.onSpinWait();
                    spin(mine);
                    trapExits(true);
                    boolean interrupted = false;
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    interrupted |= Thread.interrupted();
                    // an exit that ends the process ends it here; a trapped one is a message
                    Object m = receive(x -> x instanceof Exit, Duration.ofSeconds(5)).orElse(null);
                    send(tester, interrupted ? "interrupted, then " + m : "trapped");
                });
                while (!ready.get()) Preempt.yield(); // both sides start together, each on a carrier
                go.set(true);
                spin(theirs);
                exit(p.pid(), X);
                Object r = receive(m -> m instanceof String || m instanceof Down d && d.ref().equals(p.ref()), Duration.ofSeconds(10)).orElse("nothing");
                if (r instanceof Down d) {
                    if (d.reason().equals(X)) ended.incrementAndGet();
                    else wrong.add("round " + round + ": ended " + d.reason());
                } else if ("trapped".equals(r)) {
                    trapped.incrementAndGet();
                } else {
                    wrong.add("round " + round + ": " + r);
                }
            }
        });
        System.out.println("trapExits(true) race: trapped " + trapped + ", ended " + ended);
        assertThat(wrong).isEmpty();
    }

    /** A process turning trapping off is interrupted for an exit that ends it, or ends at once. */
    @Test
    void anExitRacingTrapExitsOffNeverLetsTheProcessSleepThroughIt() {
        List<String> wrong = new ArrayList<>();
        AtomicInteger trapped = new AtomicInteger(), ended = new AtomicInteger();
        Procs.run(s, () -> {
            for (int round = 0; round < ROUNDS && wrong.isEmpty(); round++) {
                AtomicBoolean ready = new AtomicBoolean(), go = new AtomicBoolean(), sleptThrough = new AtomicBoolean();
                int mine = ThreadLocalRandom.current().nextInt(400), theirs = ThreadLocalRandom.current().nextInt(400);
                Pid tester = self();
                Spawned p = spawnMonitor(() -> {
                    trapExits(true);
                    ready.set(true);
                    while (!go.get()) Thread.onSpinWait();
                    spin(mine);
                    trapExits(false);
                    try {
                        Thread.sleep(10); // an exit that ends the process must not wait for this to end
                        sleptThrough.set(true);
                    } catch (InterruptedException e) {
                        // the exit interrupted the sleep: it lands at the receive below
                    }
                    Object m = receive(x -> x instanceof Exit, Duration.ZERO).orElse(null);
                    send(tester, m == null ? "no exit" : "trapped");
                });
                while (!ready.get()) Preempt.yield(); // both sides start together, each on a carrier
                go.set(true);
                spin(theirs);
                exit(p.pid(), X);
                Object r = receive(m -> m instanceof String || m instanceof Down d && d.ref().equals(p.ref()), Duration.ofSeconds(10)).orElse("nothing");
                if (r instanceof Down d && d.reason().equals(X) && !sleptThrough.get()) {
                    ended.incrementAndGet();
                } else if ("trapped".equals(r)) {
                    trapped.incrementAndGet();
                } else {
                    wrong.add("round " + round + ": " + r + (sleptThrough.get() ? " after sleeping through the exit" : ""));
                }
            }
        });
        System.out.println("trapExits(false) race: trapped " + trapped + ", ended " + ended);
        assertThat(wrong).isEmpty();
    }
}
