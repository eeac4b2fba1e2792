package dev.preempt.internal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Stresses {@link Mailbox}'s contract (its class comment): many senders push, one owner drains, takes
 * selectively, and at some point closes while senders still push. Over many rounds: every push that
 * returned true is seen by the owner exactly once (taken, or handed over by {@code drainClosed}), every
 * push after the close returns false, system signals go to the handler and messages to the list, and
 * each sender's messages are seen in the order it sent them, whether the owner takes the oldest or only
 * one sender's (selective receive keeps the rest in place and in order). A plain harness in place of
 * jcstress (whose artifacts do not resolve here): short rounds, many of them.
 */
class MailboxStressTest {

    private static final int SENDERS = 4;
    private static final int PER_SENDER = 5_000;
    private static final int SYSTEM_KIND = 7;

    @Test
    void nothingIsLostOrSeenTwiceAndEachSendersOrderIsKept() throws Exception {
        for (int round = 0; round < 100; round++) round(round % 3 == 0);
    }

    private void round(boolean closeEarly) throws Exception {
        Mailbox box = new Mailbox();
        boolean[][] accepted = new boolean[SENDERS][PER_SENDER];
        boolean[][] seen = new boolean[SENDERS][PER_SENDER];
        int[][] lastSeen = new int[2][SENDERS]; // per kind: messages [0], system signals [1]
        java.util.Arrays.fill(lastSeen[0], -1);
        java.util.Arrays.fill(lastSeen[1], -1);
        AtomicReference<String> error = new AtomicReference<>();
        AtomicInteger refusedBeforeClose = new AtomicInteger();
        CyclicBarrier go = new CyclicBarrier(SENDERS + 1);
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int me = s;
            senders.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < PER_SENDER; i++) {
                        int kind = i % 10 == 9 ? SYSTEM_KIND : Signal.MESSAGE;
                        accepted[me][i] = box.push(new Signal(kind, new long[] {me, i}));
                    }
                } catch (Exception e) {
                    error.compareAndSet(null, e.toString());
                }
            }));
        }
        go.await();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int closeAfter = closeEarly ? r.nextInt(SENDERS * PER_SENDER / 2) : Integer.MAX_VALUE;
        int taken = 0;
        // the owner: drain, take the oldest or one sender's, until the senders are done (or close early)
        while (taken < closeAfter && (senders.stream().anyMatch(Thread::isAlive) || box.hasIncoming())) {
            box.drain(sig -> {
                if (sig.kind != SYSTEM_KIND) error.compareAndSet(null, "a message went to the system handler");
                see(sig.payload, seen, lastSeen, error);
            });
            int only = r.nextInt(SENDERS + 1);
            Object m = box.takeFirst(null, only == SENDERS ? x -> true : x -> ((long[]) x)[0] == only);
            if (m != Mailbox.NO_MATCH) {
                see(m, seen, lastSeen, error);
                taken++;
            }
        }
        // whatever is left, in order: take every message still in the list, then close and hand over the rest
        box.drain(sig -> see(sig.payload, seen, lastSeen, error));
        Object m;
        while ((m = box.takeFirst(null, x -> true)) != Mailbox.NO_MATCH) see(m, seen, lastSeen, error);
        box.close();
        box.drainClosed(sig -> see(sig.payload, seen, lastSeen, error));
        for (Thread t : senders) assertThat(t.join(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(box.push(new Signal(Signal.MESSAGE, "late"))).as("a push after close").isFalse();
        assertThat(error.get()).isNull();
        for (int s = 0; s < SENDERS; s++) {
            boolean refused = false;
            for (int i = 0; i < PER_SENDER; i++) {
                assertThat(seen[s][i]).as("sender %d's signal %d: accepted=%s", s, i, accepted[s][i]).isEqualTo(accepted[s][i]);
                if (!accepted[s][i]) refused = true;
                else assertThat(refused).as("sender %d: a push accepted after one was refused", s).isFalse();
            }
            if (refused) refusedBeforeClose.incrementAndGet();
        }
        if (!closeEarly) assertThat(refusedBeforeClose.get()).as("no close before the senders ended").isZero();
    }

    /**
     * The owner saw {@code payload}: not before, and after everything of its kind its sender sent earlier.
     * (A system signal is handled when drained, a message when taken from the list, so the two kinds are
     * ordered each on its own, as BEAM orders signal handling and message reception.)
     */
    private static void see(Object payload, boolean[][] seen, int[][] lastSeen, AtomicReference<String> error) {
        long[] p = (long[]) payload;
        int s = (int) p[0], i = (int) p[1];
        int[] last = lastSeen[i % 10 == 9 ? 1 : 0];
        if (seen[s][i]) error.compareAndSet(null, "sender " + s + "'s signal " + i + " seen twice");
        seen[s][i] = true;
        if (i <= last[s]) error.compareAndSet(null, "sender " + s + "'s signal " + i + " after its " + last[s]);
        last[s] = i;
    }
}
