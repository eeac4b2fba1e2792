package dev.preempt;

/**
 * Erlang's {@code noproc}: an operation needed a live process (linking to it, a registered name, a
 * call) and there was none.
 *
 * <pre>{@code
 * try { Preempt.link(deadPid); } catch (NoProcessException e) { ... }
 * }</pre>
 */
public class NoProcessException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoProcessException(String message) {
        super(message);
    }
}
