package dev.preempt;

/**
 * What {@link Preempt#send} accepts. Processes share nothing by contract; the default policy holds
 * senders to it.
 *
 * <pre>{@code
 * Preempt.setSendPolicy(SendPolicy.COPY);   // or -javaagent:preempt-agent.jar=send=copy
 * }</pre>
 */
public enum SendPolicy {
    /**
     * The default: only deeply immutable messages are sent (records and final-field classes of
     * immutable parts, String, boxed primitives, enums, {@code List.of}/{@code Set.of}/{@code Map.of},
     * java.time values, pids and refs). Anything else is refused with a
     * {@link MessageNotSharableException} naming the class and field at fault. The verdict is cached
     * per class; only fields of open types (Object, interfaces, collections) are looked at per send.
     */
    IMMUTABLE,
    /** Immutable messages go as they are; others are deep-copied by serialization (so must be Serializable). */
    COPY,
    /** No check: the sender promises not to touch what it sent. */
    TRUST
}
