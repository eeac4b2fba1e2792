package dev.preempt.internal.sched;

/**
 * A deterministic scheduler's clock: starts at {@link #ORIGIN}, moves {@link #NANOS_PER_REDUCTION} per
 * reduction a slice spent (so a process that spins waiting for a timer still lets it come due), and
 * jumps to the next timer's deadline when no process is runnable. An hour of sleeping takes no time.
 *
 * <p>Thread contract: only the deterministic scheduler's carrier thread advances it, between slices;
 * any thread may read it.
 *
 * <pre>{@code
 * VirtualClock c = new VirtualClock();
 * c.advanceTo(c.nanoTime() + 3_600_000_000_000L);   // an hour later, at once
 * }</pre>
 */
final class VirtualClock implements Clock {

    /** Where every deterministic run's time starts (far from 0 and from overflow). */
    public static final long ORIGIN = 1L << 40;
    /** How far a spent reduction moves the clock. */
    public static final long NANOS_PER_REDUCTION = 10;

    private volatile long now = ORIGIN;

    /** A clock at {@link #ORIGIN}. */
    public VirtualClock() {}

    @Override
    public long nanoTime() {
        return now;
    }

    /**
     * Moves the clock on by {@code nanos} (not back).
     *
     * @param nanos how far, not negative
     */
    public void advance(long nanos) {
        if (nanos > 0) now = now + nanos;
    }

    /**
     * Moves the clock to {@code t} if that is later.
     *
     * @param t the new time
     */
    public void advanceTo(long t) {
        if (t - now > 0) now = t;
    }

    /**
     * Time since {@link #ORIGIN}.
     *
     * @return nanoseconds of virtual time so far
     */
    public long elapsed() {
        return now - ORIGIN;
    }
}
