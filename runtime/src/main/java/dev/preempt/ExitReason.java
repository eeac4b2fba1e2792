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

    /**
     * The reason of a process that ended because {@code t} escaped its body.
     *
     * @param t the exception; not null
     * @return a reason named {@code exception} whose {@link #exceptionCause()} is {@code t}
     */
    public static ExitReason exception(Throwable t) {
        return new ExitReason("exception", null, Objects.requireNonNull(t, "exception"));
    }

    /**
     * A named reason such as {@code "timeout"}; the well-known names give the constants.
     *
     * <pre>{@code
     * ExitReason.of("normal") == ExitReason.NORMAL   // true
     * Preempt.exit(ExitReason.of("bad_config"));
     * }</pre>
     *
     * @param name the reason's name; not null
     * @return the constant of that name, or a new reason with it
     */
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

    /**
     * A named reason with a detail, like Erlang's {@code {Name, Detail}}.
     *
     * <pre>{@code
     * Preempt.exit(ExitReason.of("bad_config", "port")); // prints as {bad_config, port}
     * }</pre>
     *
     * @param name the reason's name; not null
     * @param detail what to say with it; null gives {@link #of(String) of(name)}
     * @return the reason
     */
    public static ExitReason of(String name, Object detail) {
        return detail == null ? of(name) : new ExitReason(Objects.requireNonNull(name, "name"), detail, null);
    }

    /**
     * {@code {shutdown, detail}}: counts as a shutdown, so transient children stay down.
     *
     * @param detail why it shuts down; null gives {@link #SHUTDOWN}
     * @return the reason, for which {@link #isShutdown()} is true
     */
    public static ExitReason shutdown(Object detail) {
        return of("shutdown", detail);
    }

    /**
     * The reason's name: normal, kill, killed, shutdown, noproc, exception, or a user's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The detail of a {@code {Name, Detail}} reason.
     *
     * @return the detail, or empty if the reason has none
     */
    public Optional<Object> detail() {
        return Optional.ofNullable(detail);
    }

    /**
     * The exception that ended the process, for exception reasons.
     *
     * @return the exception, or empty if the reason is not one made by {@link #exception(Throwable)}
     */
    public Optional<Throwable> exceptionCause() {
        return Optional.ofNullable(exception);
    }

    /**
     * Whether this is {@code normal}: the process's body returned. Links do not pass it on to processes
     * that do not trap exits.
     *
     * @return true for {@link #NORMAL}
     */
    public boolean isNormal() {
        return this == NORMAL;
    }

    /**
     * {@code shutdown} or {@code {shutdown, _}}.
     *
     * @return true if the reason's name is {@code shutdown}, with a detail or without
     */
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
