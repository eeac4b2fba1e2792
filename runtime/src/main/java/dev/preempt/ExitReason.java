package dev.preempt;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a process ended, Erlang's exit reason. The well-known ones are constants; an exception that
 * escaped a process is wrapped with {@link #exception(Throwable)}; any other reason is a name with an
 * optional detail, like an Erlang atom or tuple.
 *
 * <pre>{@code
 * Preempt.exit(worker, ExitReason.KILL);            // cannot be trapped; the worker ends 'killed'
 * Preempt.exit(ExitReason.shutdown("maintenance")); // ends the caller with {shutdown, maintenance}
 * }</pre>
 */
public final class ExitReason {

    /** The body returned: not an error; links do not propagate it to non-trapping processes. */
    public static final ExitReason NORMAL = new ExitReason("normal", null, null);
    /** Sent with {@link Preempt#exit(Pid, ExitReason)}: ends the target even if it traps exits. */
    public static final ExitReason KILL = new ExitReason("kill", null, null);
    /** The reason of a process ended by {@link #KILL}. */
    public static final ExitReason KILLED = new ExitReason("killed", null, null);
    /** An orderly stop, used by supervisors; transient children are not restarted after it. */
    public static final ExitReason SHUTDOWN = new ExitReason("shutdown", null, null);
    /** The process named does not exist (any more). */
    public static final ExitReason NOPROC = new ExitReason("noproc", null, null);

    private final String name;
    private final Object detail;
    private final Throwable exception;

    private ExitReason(String name, Object detail, Throwable exception) {
        this.name = name;
        this.detail = detail;
        this.exception = exception;
    }

    /** The reason of a process that ended because {@code t} escaped its body. */
    public static ExitReason exception(Throwable t) {
        return new ExitReason("exception", null, Objects.requireNonNull(t, "exception"));
    }

    /** A named reason such as {@code "timeout"}; the well-known names give the constants. */
    public static ExitReason of(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name) {
            case "normal" -> NORMAL;
            case "kill" -> KILL;
            case "killed" -> KILLED;
            case "shutdown" -> SHUTDOWN;
            case "noproc" -> NOPROC;
            default -> new ExitReason(name, null, null);
        };
    }

    /** A named reason with a detail, like Erlang's {@code {Name, Detail}}. */
    public static ExitReason of(String name, Object detail) {
        return detail == null ? of(name) : new ExitReason(Objects.requireNonNull(name, "name"), detail, null);
    }

    /** {@code {shutdown, detail}}: counts as a shutdown, so transient children stay down. */
    public static ExitReason shutdown(Object detail) {
        return of("shutdown", detail);
    }

    /** The reason's name: normal, kill, killed, shutdown, noproc, exception, or a user's name. */
    public String name() {
        return name;
    }

    /** The detail of a {@code {Name, Detail}} reason. */
    public Optional<Object> detail() {
        return Optional.ofNullable(detail);
    }

    /** The exception that ended the process, for exception reasons. */
    public Optional<Throwable> exceptionCause() {
        return Optional.ofNullable(exception);
    }

    public boolean isNormal() {
        return this == NORMAL;
    }

    /** {@code shutdown} or {@code {shutdown, _}}. */
    public boolean isShutdown() {
        return name.equals("shutdown");
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        return o instanceof ExitReason r && r.name.equals(name) && Objects.equals(r.detail, detail)
                && r.exception == exception;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Objects.hashCode(detail) + System.identityHashCode(exception);
    }

    @Override
    public String toString() {
        if (exception != null) return "exception " + exception;
        return detail == null ? name : "{" + name + ", " + detail + "}";
    }
}
