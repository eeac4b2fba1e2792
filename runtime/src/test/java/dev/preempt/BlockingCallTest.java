package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Preempt#blocking}: the call runs on a pool thread while its process waits without a carrier. */
class BlockingCallTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        // One carrier and no hand-off: if the waiting process held its carrier, nothing else could run.
        s = Scheduler.builder().carriers(1).handOffAfter(Duration.ZERO).build();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void theCallRunsElsewhereWhileOtherProcessesUseTheCarrier() {
        CountDownLatch released = new CountDownLatch(1);
        AtomicReference<String> got = new AtomicReference<>();
        AtomicReference<String> ranOn = new AtomicReference<>();
        Procs.run(s, () -> {
            // the only other process releases the latch the call waits on: it needs the carrier
            s.spawn(released::countDown);
            try {
                got.set(Preempt.blocking(() -> {
                    ranOn.set(Thread.currentThread().getName());
                    return released.await(10, TimeUnit.SECONDS) ? "released" : "timed out";
                }));
            } catch (InterruptedException e) { // the call's own checked exception
                throw new AssertionError(e);
            }
        });
        assertThat(got.get()).isEqualTo("released");
        assertThat(ranOn.get()).startsWith("preempt-blocking-");
    }

    @Test
    void whatTheCallThrowsIsThrownUnchangedWithItsCheckedType() {
        IOException boom = new IOException("disk on fire");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Procs.run(s, () -> {
            try {
                Preempt.blocking(() -> {
                    throw boom;
                });
            } catch (IOException e) { // the compiler knows blocking throws IOException here
                seen.set(e);
            }
        });
        assertThat(seen.get()).isSameAs(boom);
        assertThatThrownBy(() -> Procs.run(s, () -> Preempt.blocking(() -> {
            throw new IllegalStateException("unchecked");
        }))).isInstanceOf(IllegalStateException.class).hasMessage("unchecked");
    }

    @Test
    void aKillEndsTheWaitingProcessAndInterruptsTheCall() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch callEnded = new CountDownLatch(1);
        AtomicReference<ExitReason> reason = new AtomicReference<>();
        AtomicReference<Pid> victim = new AtomicReference<>();
        CountDownLatch down = new CountDownLatch(1);
        s.spawn(() -> {
            Preempt.Spawned v = Preempt.spawnMonitor(() -> Preempt.blocking(() -> {
                inCall.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                } finally {
                    callEnded.countDown();
                }
                return "late";
            }));
            victim.set(v.pid());
            Down d = (Down) Preempt.receive(m -> m instanceof Down dn && dn.ref().equals(v.ref()));
            reason.set(d.reason());
            down.countDown();
        });
        assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();
        Procs.await(Duration.ofSeconds(10), () -> victim.get() != null, "the victim's pid");
        Preempt.exit(victim.get(), ExitReason.KILL);
        assertThat(down.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reason.get()).isEqualTo(ExitReason.KILLED);
        assertThat(callEnded.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted.get()).as("the call was interrupted").isTrue();
        assertThat(s.run(() -> {})).as("the late answer disturbed nothing").isEqualTo(ExitReason.NORMAL);
    }

    @Test
    void outsideAProcessTheCallRunsOnTheCallingThread() throws Exception {
        Thread caller = Thread.currentThread();
        assertThat(Preempt.blocking(() -> Thread.currentThread() == caller)).isTrue();
    }
}
