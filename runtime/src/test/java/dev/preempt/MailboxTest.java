package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MailboxTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    record Msg(int sender, int seq) {}

    @Test
    void perPairOrderHoldsUnderEightConcurrentSendersAndNothingIsLost() {
        int senders = 8, each = 100_000;
        Procs.run(s, () -> {
            Pid me = self();
            for (int k = 0; k < senders; k++) {
                int id = k;
                spawn(() -> {
                    for (int i = 0; i < each; i++) send(me, new Msg(id, i));
                });
            }
            int[] next = new int[senders];
            for (int i = 0; i < senders * each; i++) {
                Msg m = receive(Msg.class);
                assertThat(m.seq()).as("message from sender %d", m.sender()).isEqualTo(next[m.sender()]);
                next[m.sender()]++;
            }
            for (int k = 0; k < senders; k++) assertThat(next[k]).isEqualTo(each);
            assertThat(receive(Duration.ofMillis(50))).as("nothing extra").isEmpty();
        });
    }

    @Test
    void plainThreadsSendingConcurrentlyKeepPerSenderOrderToo() throws Exception {
        int senders = 4, each = 50_000;
        CountDownLatch ready = new CountDownLatch(1);
        List<String> problems = new ArrayList<>();
        AtomicInteger received = new AtomicInteger();
        Pid sink = s.spawn(() -> {
            ready.countDown();
            int[] next = new int[senders];
            for (int i = 0; i < senders * each; i++) {
                Msg m = receive(Msg.class);
                if (m.seq() != next[m.sender()]) problems.add("out of order " + m);
                next[m.sender()] = m.seq() + 1;
                received.incrementAndGet();
            }
        });
        ready.await();
        Thread[] ts = new Thread[senders];
        for (int k = 0; k < senders; k++) {
            int id = k;
            ts[k] = new Thread(() -> {
                for (int i = 0; i < each; i++) send(sink, new Msg(id, i));
            });
            ts[k].start();
        }
        for (Thread t : ts) t.join();
        Procs.await(Duration.ofSeconds(30), () -> received.get() == senders * each, "all messages");
        assertThat(problems).isEmpty();
    }

    @Test
    void selectiveReceiveTakesTheFirstMatchAndLeavesTheRestInOrder() {
        Procs.run(s, () -> {
            Pid me = self();
            for (Object m : List.of("a", 1, "b", 2, "c", 3)) send(me, m);
            assertThat(receive(Integer.class)).isEqualTo(1);
            assertThat(receive(x -> x.equals(3))).isEqualTo(3);
            assertThat(receive(x -> x instanceof String str && str.compareTo("a") > 0)).isEqualTo("b");
            List<Object> rest = new ArrayList<>();
            for (int i = 0; i < 3; i++) rest.add(receive());
            assertThat(rest).containsExactly("a", 2, "c");
        });
    }

    @Test
    void selectiveReceiveWaitsForAMatchThatComesAfterNonMatches() {
        Procs.run(s, () -> {
            Pid me = self();
            spawn(() -> {
                for (int i = 0; i < 1000; i++) send(me, "noise" + i);
                Preempt.sleep(20);
                send(me, 42);
            });
            assertThat(receive(Integer.class)).isEqualTo(42);
            for (int i = 0; i < 1000; i++) assertThat(receive()).isEqualTo("noise" + i);
        });
    }

    @Test
    void receiveTimeoutReturnsNothingAndLeavesOtherMessages() {
        Procs.run(s, () -> {
            send(self(), "not an integer");
            long t0 = System.nanoTime();
            Optional<Integer> none = receive(Integer.class, Duration.ofMillis(100));
            long waited = System.nanoTime() - t0;
            assertThat(none).isEmpty();
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
            assertThat(receive(Duration.ZERO)).contains("not an integer");
            assertThat(receive(Duration.ZERO)).isEmpty();
        });
    }

    @Test
    void aMessageBeforeTheTimeoutIsReturned() {
        Procs.run(s, () -> {
            Pid me = self();
            spawn(() -> {
                Preempt.sleep(30);
                send(me, "in time");
            });
            assertThat(receive(String.class, Duration.ofSeconds(10))).contains("in time");
        });
    }

    @Test
    void waitingProcessesDoNotHoldCarriers() {
        // 10,000 processes wait in receive on 2 carriers; a plain worker still gets to run, then all are woken.
        int n = 10_000;
        Procs.run(s, () -> {
            Pid me = self();
            List<Pid> waiters = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                waiters.add(spawn(() -> {
                    String go = receive(String.class);
                    send(me, go.length());
                }));
            }
            // every waiter has started and parked if a process spawned after them can run to completion
            Pid late = spawn(() -> send(me, "late ran"));
            assertThat(receive(String.class, Duration.ofSeconds(30))).contains("late ran");
            for (Pid w : waiters) send(w, "go");
            for (int i = 0; i < n; i++) assertThat(receive(Integer.class, Duration.ofSeconds(30))).contains(2);
            assertThat(isAlive(late)).isFalse();
        });
    }

    @Test
    void aHundredThousandPendingTimersAreCheap() {
        // 100,000 processes each wait with a timeout; all time out, none holds a carrier meanwhile.
        int n = 100_000;
        Procs.run(s, () -> {
            Pid me = self();
            for (int i = 0; i < n; i++) {
                spawn(() -> {
                    Optional<Object> m = receive(Duration.ofMillis(500));
                    send(me, m.isEmpty());
                });
            }
            // While 100k timers are pending, a ping-pong still flows.
            Pid echo = spawn(() -> send(me, "echo"));
            assertThat(receive(String.class, Duration.ofSeconds(10))).contains("echo");
            int timedOut = 0;
            for (int i = 0; i < n; i++) {
                if (receive(Boolean.class, Duration.ofSeconds(60)).orElseThrow()) timedOut++;
            }
            assertThat(timedOut).isEqualTo(n);
            assertThat(isAlive(echo)).isFalse();
        });
    }

    @Test
    void aSenderNeverBlocksEvenOnAnUnreadMailbox() {
        Procs.run(s, () -> {
            Pid lazy = spawn(() -> Preempt.sleep(60_000));
            long t0 = System.nanoTime();
            for (int i = 0; i < 200_000; i++) send(lazy, i);
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(20).toNanos());
            exit(lazy, ExitReason.KILL);
        });
    }
}
