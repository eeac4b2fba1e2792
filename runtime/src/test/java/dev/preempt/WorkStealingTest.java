package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Processes spawned by one process start on its carrier's queue; only stealing can move them to the
 * other carrier. With stealing off the same program stays on one carrier, which shows the test can fail.
 */
class WorkStealingTest {

    static Set<String> carriersUsed(boolean stealing) {
        Set<String> used = ConcurrentHashMap.newKeySet();
        try (Scheduler s = Scheduler.builder().carriers(2).stealing(stealing).build()) {
            Procs.run(s, () -> {
                Pid me = self();
                for (int i = 0; i < 16; i++) {
                    spawn(() -> {
                        long end = System.nanoTime() + 50_000_000L;
                        while (System.nanoTime() < end) {
                            used.add(carrierName());
                            Preempt.yield();
                        }
                        send(me, "done");
                    });
                }
                for (int i = 0; i < 16; i++) receive(String.class);
            });
        }
        used.remove("a spare");
        return used;
    }

    /**
     * The carrier a virtual thread is mounted on shows in its toString: VirtualThread[#n]/runnable@carrier.
     * A spare carrier (one the watchdog started because the OS kept a carrier off the CPU on a loaded
     * machine) does not count: the test is about the scheduler's own two.
     */
    static String carrierName() {
        String t = Thread.currentThread().toString();
        String name = t.substring(t.indexOf('@') + 1);
        return name.contains("-spare-") ? "a spare" : name;
    }

    @Test
    void idleCarriersStealWork() {
        assertThat(carriersUsed(true)).hasSize(2);
    }

    @Test
    void withoutStealingTheWorkStaysWhereItWasSpawned() {
        assertThat(carriersUsed(false)).hasSize(1);
    }
}
