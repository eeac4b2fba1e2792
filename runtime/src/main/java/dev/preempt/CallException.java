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

    public CallException(Pid server, ExitReason reason, String message) {
        super(message, reason.exceptionCause().orElse(null));
        this.server = server;
        this.reason = reason;
    }

    /** timeout, noproc, calling_self, or the reason the server died with. */
    public ExitReason reason() {
        return reason;
    }

    /** Whether the server did not answer in time. */
    public boolean isTimeout() {
        return reason.name().equals("timeout");
    }

    /** Whether the server was not there (then this is a {@link NoProcessException}). */
    public boolean isNoProc() {
        return reason == ExitReason.NOPROC;
    }

    /** Whether the server died while the call waited (its reason is {@link #reason()}). */
    public boolean serverExited() {
        return !isTimeout() && !isNoProc() && !reason.name().equals("calling_self");
    }

    /** The server called (null when a registered name was not found). */
    public Pid server() {
        return server;
    }
}
