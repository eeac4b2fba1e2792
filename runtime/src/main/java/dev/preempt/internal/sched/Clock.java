package dev.preempt.internal.sched;

/**
 * The time processes see: receive and call timeouts, sleeps, the timers behind them, supervisors'
 * restart windows and {@code Preempt.nanoTime()}. A scheduler has one; the normal one reads
 * {@link System#nanoTime()}, a deterministic one is a {@link VirtualClock} that stands still while
 * processes run (but for a small step per slice) and jumps to the next deadline when none can run.
 * Time the scheduler itself keeps (the watchdog's, carriers' spinning, JFR slice timing) stays real.
 *
 * <p>Thread contract: {@link #nanoTime()} may be called from any thread.
 *
 * <pre>{@code
 * long deadline = sched.clock.nanoTime() + timeoutNanos;
 * }</pre>
 */
interface Clock {

    /**
     * Now, in nanoseconds from an arbitrary origin (compare differences only, as with System.nanoTime).
     *
     * @return the time
     */
    long nanoTime();

    /** Real time: {@link System#nanoTime()}. */
    Clock SYSTEM = System::nanoTime;
}
