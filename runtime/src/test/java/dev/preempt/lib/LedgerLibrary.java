package dev.preempt.lib;

import dev.preempt.internal.hooks.Reductions;

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

    /** Never returns: a library's loop that calls back nothing. */
    public static void spin() {
        while (true) Reductions.tick();
    }
}
