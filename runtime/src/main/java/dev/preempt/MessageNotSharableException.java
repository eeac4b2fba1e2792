package dev.preempt;

/**
 * A message broke the send policy: it is not deeply immutable (policy {@link SendPolicy#IMMUTABLE}) or
 * cannot be copied (policy {@link SendPolicy#COPY}). The message says which class and field.
 *
 * <pre>{@code
 * record Order(java.util.List<String> items) {}
 * Preempt.send(pid, new Order(new java.util.ArrayList<>()));   // throws: Order.items holds an ArrayList
 * }</pre>
 */
public class MessageNotSharableException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * A refused message, as {@code message} says.
     *
     * @param message which class and field broke the policy
     */
    public MessageNotSharableException(String message) {
        super(message);
    }

    /**
     * A refused message, as {@code message} says, with the failure behind it.
     *
     * @param message which class and field broke the policy
     * @param cause what went wrong, such as the serialization error of a message that could not be copied
     */
    public MessageNotSharableException(String message, Throwable cause) {
        super(message, cause);
    }
}
