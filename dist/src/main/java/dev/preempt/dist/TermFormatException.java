package dev.preempt.dist;

/** Bytes that are not a well-formed term in the external term format (truncated, an unknown tag...). */
public class TermFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception saying what is wrong and at which offset.
     *
     * @param message what is wrong, and where
     */
    public TermFormatException(String message) {
        super(message);
    }
}
