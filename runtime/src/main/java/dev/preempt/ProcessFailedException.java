package dev.preempt;

/**
 * A process that {@link Scheduler#runOrThrow} waited for ended abnormally with a reason that is not an
 * unchecked exception: {@code Preempt.exit(reason)}, a kill, an exit signal from a linked process, a
 * checked exception (then also the {@linkplain #getCause() cause}).
 */
public final class ProcessFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient ExitReason reason;

    /**
     * The process ended with {@code reason}.
     *
     * @param reason its exit reason; its exception, if any, becomes the cause
     */
    public ProcessFailedException(ExitReason reason) {
        super("the process exited with " + reason, reason.exceptionCause().orElse(null));
        this.reason = reason;
    }

    /**
     * Why the process ended.
     *
     * @return the exit reason
     */
    public ExitReason reason() {
        return reason;
    }
}
