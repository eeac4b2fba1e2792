package dev.preempt.dist;

/**
 * A Java value that has no Erlang term to stand for it (what the encoder was given, and where inside
 * the message), or a term from another node that has no Java value here (a fun, a port, a bit string).
 */
public class UnmappableTermException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that says what and where.
     *
     * @param message what has no mapping, and where it was
     */
    public UnmappableTermException(String message) {
        super(message);
    }
}
