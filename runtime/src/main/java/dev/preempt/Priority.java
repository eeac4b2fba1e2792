package dev.preempt;

/**
 * A process's scheduling priority, Erlang's {@code process_flag(priority, Level)}. A runnable process
 * of a higher priority is taken before any of a lower one at every scheduling point (a slice's end, a
 * wait): {@link #HIGH} ahead of {@link #NORMAL}, which shares the carriers with {@link #LOW} but takes
 * most turns. Priorities choose who runs next; they never stop a slice that is running, so a
 * {@code HIGH} process woken while both carriers run hogs waits for the first of those slices to end
 * (a slice is bounded by the budget and the time slice, a millisecond or two at most).
 *
 * <p>As in Erlang, use {@code HIGH} sparingly, for short, latency-sensitive work (a probe, a
 * heartbeat, a connection that carries control traffic): a {@code HIGH} process that never waits
 * keeps every {@code NORMAL} process off the carrier it runs on. The JDK's socket pollers keep their
 * turns beside {@code HIGH} work, so sockets stay served. Deterministic schedules ({@link Schedule})
 * ignore priorities: they choose among every runnable process.
 *
 * <pre>{@code
 * Preempt.spawn(() -> {
 *     Preempt.setPriority(Priority.HIGH);   // from here on this process is taken first
 *     while (true) { Preempt.sleep(Duration.ofMillis(1)); heartbeat(); }
 * });
 * }</pre>
 */
public enum Priority {
    /** Runs when no {@code NORMAL} or {@code HIGH} process is runnable, and also on one scheduling round in eight, so it is never starved by {@code NORMAL} work. */
    LOW,
    /** Every process's priority unless it changes it. */
    NORMAL,
    /** Taken before every {@code NORMAL} and {@code LOW} process. */
    HIGH
}
