package dev.preempt.internal.sched.det;

/**
 * The record of a deterministic run's scheduling events, one line each: which process ran and with what
 * budget, how its slice ended, what it sent to whom, which timers fired and how far virtual time
 * jumped. Processes appear as {@code p0, p1, ...} (their order of creation), never as pids, so the same
 * seed gives the same trace byte for byte in any JVM. The text is kept up to {@link #MAX_CHARS}; the
 * hash covers every line, kept or not.
 *
 * <p>Thread contract: appended to under the deterministic scheduler's lock or by its carrier thread
 * while no process runs, or by the one process that runs; so one writer at a time. {@link #text()} and
 * {@link #hash()} may be read from any thread (they take the same lock).
 *
 * <pre>{@code
 * trace.line("run p1 budget=12");
 * String all = trace.text();   // "run p1 budget=12\n"
 * }</pre>
 */
public final class Trace {

    /** Text past this many characters is not kept (the hash and the count still cover it). */
    static final int MAX_CHARS = 8 << 20;

    private final StringBuilder text = new StringBuilder();
    private long hash = 0xcbf29ce484222325L; // FNV-1a, 64 bits
    private long lines;
    private boolean truncated;

    /** An empty trace. */
    public Trace() {}

    /**
     * Appends one event.
     *
     * @param event the event's text, without a line end
     */
    public synchronized void line(String event) {
        lines++;
        for (int i = 0; i < event.length(); i++) {
            hash = (hash ^ event.charAt(i)) * 0x100000001b3L;
        }
        hash = (hash ^ '\n') * 0x100000001b3L;
        if (text.length() + event.length() < MAX_CHARS) {
            text.append(event).append('\n');
        } else if (!truncated) {
            truncated = true;
            text.append("... (trace text truncated; the hash covers every line)\n");
        }
    }

    /**
     * The trace so far.
     *
     * @return its lines, each ending in a line feed
     */
    public synchronized String text() {
        return text.toString();
    }

    /**
     * The last {@code n} lines (for a failure report).
     *
     * @param n how many
     * @return those lines
     */
    public synchronized String tail(int n) {
        int count = 0;
        for (int i = text.length() - 2; i >= 0; i--) {
            if (text.charAt(i) == '\n' && ++count == n) return text.substring(i + 1);
        }
        return text.toString();
    }

    /**
     * FNV-1a over every line so far.
     *
     * @return the 64-bit hash
     */
    public synchronized long hash() {
        return hash;
    }

    /**
     * Events so far.
     *
     * @return the line count
     */
    synchronized long lines() {
        return lines;
    }
}
