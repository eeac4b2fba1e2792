package dev.preempt.modlib;

import java.util.function.BooleanSupplier;

/** A CPU hog that knows nothing of Preempt. */
public final class Spin {
    private Spin() {}

    /**
     * Spins until {@code stop} says so.
     *
     * @param stop asked on every turn
     * @return the turns taken
     */
    public static long until(BooleanSupplier stop) {
        long n = 0;
        while (!stop.getAsBoolean()) n++;
        return n;
    }
}
