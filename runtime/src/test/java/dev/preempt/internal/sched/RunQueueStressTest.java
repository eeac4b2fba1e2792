package dev.preempt.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.Scheduler;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stresses {@link RunQueue}'s contract (its class comment): one owner offers and polls, thieves take one
 * ({@code steal}) or half ({@code stealInto} their own queue, which they then poll as its owner), the
 * owner drains half when full. Over many rounds of racing threads: every entry offered is taken exactly
 * once (none lost, none twice), and each taker sees one victim's entries in the order they were offered
 * (all take from the head). jcstress would be the tool of choice; its artifacts do not resolve from the
 * Maven Central served here, so this is a plain harness: the rounds are short and many, so that the
 * interleavings vary.
 */
class RunQueueStressTest {

    private static Scheduler tokens;
    /** Unstarted processes used as the queue's entries (never run). */
    private static final List<Proc> ENTRIES = new ArrayList<>();
    private static final Map<Proc, Integer> ORDER = new IdentityHashMap<>();
    private static final int PER_ROUND = 2_000;

    @BeforeAll
    static void entries() {
        tokens = Scheduler.builder().name("runq-stress").carriers(1).build();
        SchedulerCore core = dev.preempt.SchedulerCores.of(tokens);
        for (int i = 0; i < PER_ROUND; i++) {
            Proc p = core.create(() -> {});
            ENTRIES.add(p);
            ORDER.put(p, i);
        }
    }

    @AfterAll
    static void close() {
        tokens.close();
    }

    @Test
    void everyEntryIsTakenExactlyOnceAndInOfferOrderPerTaker() throws Exception {
        for (int round = 0; round < 300; round++) round(2);
    }

    private void round(int thieves) throws Exception {
        RunQueue victim = new RunQueue();
        int[] takenBy = new int[PER_ROUND]; // 0: not yet; else the taker's number
        AtomicReference<String> error = new AtomicReference<>();
        AtomicBoolean ownerDone = new AtomicBoolean();
        CyclicBarrier go = new CyclicBarrier(thieves + 1);
        List<Thread> threads = new ArrayList<>();
        Object lock = new Object();
        // the owner: offers in order (draining half to "the global queue" when full), polls now and then
        threads.add(Thread.ofPlatform().start(() -> {
            List<Proc> global = new ArrayList<>();
            Proc[] spill = new Proc[RunQueue.CAPACITY / 2];
            int last = -1;
            try {
                go.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < PER_ROUND; i++) {
                    Proc p = ENTRIES.get(i);
                    while (!victim.offer(p)) {
                        int n = victim.drainHalf(spill);
                        for (int k = 0; k < n; k++) {
                            last = taken(takenBy, spill[k], 1, last, error, lock);
                            global.add(spill[k]);
                            spill[k] = null;
                        }
                    }
                    if (r.nextInt(4) == 0) {
                        Proc q = victim.poll();
                        if (q != null) last = taken(takenBy, q, 1, last, error, lock);
                    }
                }
                Proc q;
                while ((q = victim.poll()) != null) last = taken(takenBy, q, 1, last, error, lock);
            } catch (Exception e) {
                error.compareAndSet(null, e.toString());
            } finally {
                ownerDone.set(true);
            }
        }));
        for (int t = 0; t < thieves; t++) {
            int me = 2 + t;
            boolean half = t % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> {
                RunQueue own = new RunQueue();
                int last = -1;
                try {
                    go.await();
                    while (!ownerDone.get() || victim.size() > 0) {
                        Proc p = half ? victim.stealInto(own) : victim.steal();
                        if (p == null) {
                            Thread.onSpinWait();
                            continue;
                        }
                        last = taken(takenBy, p, me, last, error, lock);
                        Proc q; // a half-steal's others, in the thief's own queue: still in offer order
                        while ((q = own.poll()) != null) last = taken(takenBy, q, me, last, error, lock);
                    }
                } catch (Exception e) {
                    error.compareAndSet(null, e.toString());
                }
            }));
        }
        for (Thread t : threads) assertThat(t.join(java.time.Duration.ofSeconds(30))).as("a racing thread ended").isTrue();
        assertThat(error.get()).isNull();
        for (int i = 0; i < PER_ROUND; i++) {
            assertThat(takenBy[i]).as("entry %d was taken", i).isNotZero();
        }
    }

    /** Records that taker {@code who} took {@code p}; checks it was not taken before and comes after {@code last}. */
    private static int taken(int[] takenBy, Proc p, int who, int last, AtomicReference<String> error, Object lock) {
        int i = ORDER.get(p);
        synchronized (lock) {
            if (takenBy[i] != 0) error.compareAndSet(null, "entry " + i + " taken by " + takenBy[i] + " and by " + who);
            takenBy[i] = who;
        }
        if (i <= last) error.compareAndSet(null, "taker " + who + " saw entry " + i + " after entry " + last);
        return i;
    }
}
