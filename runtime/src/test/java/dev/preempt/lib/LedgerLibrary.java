package dev.preempt.lib;

import dev.preempt.internal.hooks.Reductions;
import dev.preempt.internal.hooks.Waits;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stands for a library's code in {@code KillSitesTest}: the test loads it again under a code source of a
 * jar of its own. Its ticks are the agent's, written out (unit tests run without the agent).
 */
public final class LedgerLibrary {

    private LedgerLibrary() {}

    /** Units taken out and put in; a step moves one, with ticking work between its two halves. */
    public static long out, in;

    /** One two-step update: a tick between its halves that throws leaves {@code out != in}. */
    public static void step() {
        Reductions.tick();
        out++;
        for (int i = 0; i < 200; i++) Reductions.tick();
        in++;
    }

    /** What {@link #longStep} computes, so the JIT keeps its loop. */
    public static long sink;

    /**
     * A long two-step update (a million ticks between its halves, a few milliseconds), ticking as the agent
     * rewrites a library's class ({@code Reductions.tickInLibrary}): an exit thrown inside leaves
     * {@code out != in}.
     */
    public static void longStep() {
        Reductions.tickInLibrary();
        out++;
        long s = 0;
        for (int i = 0; i < 1_000_000; i++) {
            Reductions.tickInLibrary();
            s += i ^ (s >>> 7);
        }
        sink += s;
        in++;
    }

    /**
     * A two-step update with a lock taken between its halves, as the agent rewrites {@code lock.lock()}
     * in a library's code ({@code Waits.lock}): an exit thrown at the lock leaves {@code out != in}.
     */
    public static void lockedStep(ReentrantLock lock) {
        Reductions.tick();
        out++;
        Waits.lock(lock);
        try {
            in++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A two-step update with a short nap between its halves that turns an interrupt into a failure, as
     * H2's {@code MVMap.tryLock} does (a {@code RuntimeException} wrapping the {@code InterruptedException},
     * its transaction left open): an interrupt there leaves {@code out != in}.
     */
    public static void sleepyStep() {
        Reductions.tick();
        out++;
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted between the two halves", e);
        }
        in++;
    }

    /** Waits for good, as a library's wait for an event that never comes; an interrupt ends it with a failure. */
    public static void awaitForever() {
        Reductions.tick();
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Reads one byte, as a library's client waits for a reply: a socket read an interrupt ends by closing the socket. */
    public static int readOne(java.io.InputStream in) throws java.io.IOException {
        Reductions.tick();
        return in.read();
    }

    /** Never returns: a library's loop that naps and swallows every interrupt (a retrying poller). */
    public static void napForever() {
        while (true) {
            Reductions.tick();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                // retried, as such loops do
            }
        }
    }

    /** Never returns: a library's loop that calls back nothing. */
    public static void spin() {
        while (true) Reductions.tick();
    }
}
