package dev.preempt;

/**
 * A {@link Preempt#call} that got no reply: the server did not answer in time ({@code timeout}), was not
 * there ({@code noproc}), died while handling it (its exit reason), or was the caller itself
 * ({@code calling_self}). A late reply is dropped, never left in the caller's mailbox. "Not there" is a
 * {@link NoProcessException}, the exception every operation throws for a process that does not exist.
 *
 * <pre>{@code
 * try {
 *     Preempt.call(server, "status", Duration.ofSeconds(1));
 * } catch (CallException e) {
 *     if (e.isTimeout()) ...
 * }
 * }</pre>
 */
public class CallException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient ExitReason reason;
    private final transient Pid server;

    /**
     * A call to {@code server} that failed for {@code reason}. The cause is the exception in
     * {@code reason}, if it has one (a server that crashed with an exception).
     *
     * @param server the process called, or null when a registered name was not found
     * @param reason why no reply came: {@code timeout}, {@code noproc}, {@code calling_self}, or the
     *        reason the server died with
     * @param message the detail message
     */
    public CallException(Pid server, ExitReason reason, String message) {
        super(message, reason.exceptionCause().orElse(null));
        this.server = server;
        this.reason = reason;
    }

    /**
     * timeout, noproc, calling_self, or the reason the server died with.
     *
     * @return why the call got no reply
     */
    public ExitReason reason() {
        return reason;
    }

    /**
     * Whether the server did not answer in time.
     *
     * @return true if the call timed out
     */
    public boolean isTimeout() {
        return reason.name().equals("timeout");
    }

    /**
     * Whether the server was not there (then this is a {@link NoProcessException}).
     *
     * @return true if the reason is {@link ExitReason#NOPROC}
     */
    public boolean isNoProc() {
        return reason == ExitReason.NOPROC;
    }

    /**
     * Whether the server died while the call waited (its reason is {@link #reason()}).
     *
     * @return true unless the call timed out, found no process, or called the caller itself
     */
    public boolean serverExited() {
        return !isTimeout() && !isNoProc() && !reason.name().equals("calling_self");
    }

    /**
     * The server called (null when a registered name was not found).
     *
     * @return the server's pid, or null
     */
    public Pid server() {
        return server;
    }
}
