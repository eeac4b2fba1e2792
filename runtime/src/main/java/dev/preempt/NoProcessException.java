package dev.preempt;

/**
 * Erlang's {@code noproc}: an operation needed a live process and there was none: linking to it,
 * sending to or calling a registered name that no live process holds, registering a name for a dead
 * process, calling a process that is not there. It is the one exception for "no such process"; it is a
 * {@link CallException} too (reason {@link ExitReason#NOPROC}), so that code catching a call's failures
 * catches this one with the others.
 *
 * <pre>{@code
 * try { Preempt.link(deadPid); } catch (NoProcessException e) { ... }
 * try { Preempt.call("cache", request); } catch (CallException e) { if (e.isNoProc()) ... }
 * }</pre>
 */
public class NoProcessException extends CallException {

    private static final long serialVersionUID = 1L;

    /**
     * No process {@code pid} (null when a name was looked up), as {@code message} says.
     *
     * @param pid the process that is not there, or null when a name was looked up
     * @param message what the operation wanted
     */
    public NoProcessException(Pid pid, String message) {
        super(pid, ExitReason.NOPROC, message);
    }

    /**
     * No such process, as {@code message} says.
     *
     * @param message what the operation wanted, and the name it looked up
     */
    public NoProcessException(String message) {
        this(null, message);
    }
}
