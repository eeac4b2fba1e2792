package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Monitors, modelled on OTP's monitor_SUITE (demon_*, demonitor_flush). */
class MonitorTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static Pid waiter() {
        return spawn(() -> {
            Object m = receive();
            if (m instanceof ExitReason r) Preempt.exit(r);
        });
    }

    @Test
    void aMonitorDeliversDownWithTheReasonAndIsOneWay() {
        Procs.run(s, () -> {
            Pid p = waiter();
            Ref r = monitor(p);
            send(p, ExitReason.of("bye"));
            Down d = receive(Down.class);
            assertThat(d).isEqualTo(new Down(r, p, ExitReason.of("bye")));
            // one-way: the monitored process's death does not touch us, and we are not linked
            assertThat(Preempt.processInfo(self()).orElseThrow().links()).isEmpty();
        });
    }

    @Test
    void monitorsAreRepeatableEachGivesItsOwnDown() {
        Procs.run(s, () -> {
            Pid p = waiter();
            Ref r1 = monitor(p);
            Ref r2 = monitor(p);
            assertThat(r1).isNotEqualTo(r2);
            send(p, ExitReason.NORMAL);
            Down a = receive(Down.class);
            Down b = receive(Down.class);
            assertThat(java.util.Set.of(a.ref(), b.ref())).containsExactlyInAnyOrder(r1, r2);
        });
    }

    @Test
    void monitoringADeadProcessGivesNoprocAtOnce() {
        Procs.run(s, () -> {
            Pid p = waiter();
            Ref r0 = monitor(p);
            send(p, ExitReason.NORMAL);
            receive(Down.class);
            Ref r = monitor(p);
            assertThat(receive(Down.class, Duration.ofSeconds(5))).contains(new Down(r, p, ExitReason.NOPROC));
            assertThat(r0).isNotEqualTo(r);
        });
    }

    /** demon_1: demonitor of an unknown or spent reference is harmless. */
    @Test
    void demonitorOfAnUnknownRefIsHarmless() {
        Procs.run(s, () -> {
            assertThat(demonitor(Ref.make())).isFalse();
            Pid p = waiter();
            Ref r = monitor(p);
            send(p, ExitReason.NORMAL);
            receive(Down.class);
            assertThat(demonitor(r)).isFalse();
        });
    }

    /** demon_2/3: after demonitor returns, no Down for it is added, even if the target dies right away. */
    @Test
    void afterDemonitorNoDownIsAdded() {
        Procs.run(s, () -> {
            int activeWhenRemoved = 0;
            for (int i = 0; i < 500; i++) {
                Pid p = waiter();
                Ref r = monitor(p);
                send(p, ExitReason.of("x"));
                boolean wasActive = demonitor(r);
                Ref check = monitor(p);
                receive(m -> m instanceof Down d && d.ref().equals(check));
                Optional<Object> down = receive(m -> m instanceof Down d && d.ref().equals(r), Duration.ZERO);
                if (wasActive) {
                    activeWhenRemoved++;
                    assertThat(down).as("a Down after demonitor returned true").isEmpty();
                } else {
                    assertThat(down).as("demonitor returned false: its Down was already queued").isPresent();
                }
            }
            assertThat(activeWhenRemoved).isPositive();
            // the decisive version: demonitor(flush) leaves no Down at all
            for (int i = 0; i < 500; i++) {
                Pid p = waiter();
                Ref r = monitor(p);
                send(p, ExitReason.of("x"));
                if (i % 2 == 0) Preempt.sleep(0);
                demonitor(r, true);
                Ref check = monitor(p);
                receive(m -> m instanceof Down d && d.ref().equals(check));
                assertThat(receive(m -> m instanceof Down d && d.ref().equals(r), Duration.ZERO)).isEmpty();
            }
        });
    }

    /** demonitor_flush: a Down already in the mailbox is removed by flush, and only that one. */
    @Test
    void demonitorFlushRemovesAQueuedDown() {
        Procs.run(s, () -> {
            Pid p = waiter();
            Pid q = waiter();
            Ref r = monitor(p);
            Ref rq = monitor(q);
            send(p, ExitReason.NORMAL);
            send(q, ExitReason.NORMAL);
            Preempt.sleep(50); // both Downs are queued now
            send(self(), "marker");
            assertThat(demonitor(r, true)).isFalse();
            assertThat(receive(Down.class)).isEqualTo(new Down(rq, q, ExitReason.NORMAL));
            assertThat(receive()).isEqualTo("marker");
            assertThat(receive(Duration.ZERO)).isEmpty();
        });
    }

    @Test
    void spawnMonitorMonitorsBeforeTheChildRuns() {
        Procs.run(s, () -> {
            Spawned sp = spawnMonitor(() -> {
                throw new IllegalArgumentException("instant");
            });
            Down d = receive(Down.class);
            assertThat(d.ref()).isEqualTo(sp.ref());
            assertThat(d.pid()).isEqualTo(sp.pid());
            assertThat(d.reason().exceptionCause()).get().isInstanceOf(IllegalArgumentException.class);
        });
    }
}
