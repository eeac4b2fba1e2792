package dev.preempt;

/**
 * Thrown inside a process to end it with a reason: by {@link Preempt#exit(ExitReason)}, or when an exit
 * signal arrives (a kill, a linked process's crash). It unwinds the process's stack so that
 * {@code finally} blocks run and monitors are released. It is an {@link Error} so that
 * {@code catch (Exception e)} does not swallow it; a process that catches it anyway and goes on is
 * ended again at the end of its current slice.
 *
 * <pre>{@code
 * try { work(); } finally { cleanUp(); }   // cleanUp runs when the process is killed
 * }</pre>
 */
public final class ProcessExit extends Error {

    private static final long serialVersionUID = 1L;
    private final transient ExitReason reason;
    /** The thread it was made on: the process it ends (all of Preempt's are made on the ending process's own). */
    private final transient Thread thread = Thread.currentThread();

    /**
     * An exit with {@code reason}. {@link Preempt#exit(ExitReason)} throws one, and so does the runtime
     * when an exit signal ends a process. Its stack trace says where the exit landed: a library that
     * catches it and records it (Lucene's {@code IndexWriter} keeps it as its "tragic" exception, a pool
     * logs it) shows where the process was when it was killed. (It had none, as control flow: the record
     * then read only {@code ProcessExit: process exit: killed}.)
     *
     * @param reason why the process ends
     */
    public ProcessExit(ExitReason reason) {
        super("process exit: " + reason);
        this.reason = reason;
    }

    /**
     * Why the process ends.
     *
     * @return the exit reason
     */
    public ExitReason reason() {
        return reason;
    }

    /**
     * Whether this exit ends the calling thread's process: it was thrown in that process, not in another one
     * and kept by something they share. A fork/join task that a killed process was running fails with that
     * process's exit, and every {@code join()} of the task rethrows it on the joiner's thread; there it is a
     * failure of the task, not an exit of the joiner, and the runtime treats it so (the joiner ends with it
     * as an exception, and a join in code the agent rewrote throws {@code CancellationException} instead).
     *
     * <pre>{@code
     * catch (ProcessExit e) { if (!e.isForCurrentThread()) log.warn("a shared task was killed", e); throw e; }
     * }</pre>
     *
     * @return true on the thread the exit was made on
     */
    public boolean isForCurrentThread() {
        return thread == Thread.currentThread();
    }
}
