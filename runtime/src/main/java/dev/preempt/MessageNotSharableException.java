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

    public MessageNotSharableException(String message) {
        super(message);
    }

    public MessageNotSharableException(String message, Throwable cause) {
        super(message, cause);
    }
}
