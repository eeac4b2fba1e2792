package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A kill of a busy, message-driven process lands where the process next calls the runtime (here its
 * receive), not at the first tick inside whatever it was running: workers updating shared state in two
 * steps, killed at random 500 times, leave it consistent ({@code apps.KillMidUpdate}). Before, the exit
 * was thrown at the next tick, between the steps, and units were lost: found by a helper whose killed
 * processes left a shared Caffeine cache unable to evict.
 */
class KillSafetyIT {

    @Test
    void killedBusyWorkersLeaveSharedStateConsistent() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.KillMidUpdate", "500");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.longValue("ledger", "moved")).as(r.toString()).isPositive();
        assertThat(r.longValue("ledger", "lost")).as(r.toString()).isZero();
    }

    /**
     * Processes filling a bounded Caffeine cache in a loop that never calls the runtime, killed at random:
     * each exit is thrown at a tick once its deadline passes, and it lands in the fillers' own loop, not
     * inside Caffeine ({@code ExitSites}). Before, it landed wherever the next tick was: the cache, bounded
     * at 100, kept 110-67,289 entries after 12 kills (4 of 4 runs), and no later clean-up brought it back.
     */
    @Test
    void killedProcessesLeaveALibrarysCacheWithinItsBound() {
        Jvm.Result r = Jvm.withAgent("carriers=2").classPath(Jvm.jarOnClassPath("caffeine-3"))
                .run("dev.preempt.it.apps.KillInLibrary", "12");
        assertThat(r.exit()).as(r.toString()).isZero();
        long max = r.longValue("cache", "max");
        assertThat(r.longValue("cache", "size")).as(r.toString()).isEqualTo(max);
        assertThat(r.longValue("cache", "entries")).as(r.toString()).isEqualTo(max);
        assertThat(r.longValue("cache", "after")).as(r.toString()).isEqualTo(max);
    }

    /**
     * A kill of a process inside a class's static initialiser (in a method the initialiser calls) waits
     * for the initialiser to end: thrown there, the exit escaped it and the class was unusable for the
     * rest of the JVM ({@code NoClassDefFoundError: Could not initialize class}), seen by a helper with
     * OkHttp.
     */
    @Test
    void aKillDuringAClassInitializerLeavesTheClassUsable() {
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.KillInInitializer");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.value("initializer", "first")).as(r.toString()).isEqualTo("killed");
        assertThat(r.value("initializer", "second")).as(r.toString()).startsWith("value=");
    }
}
