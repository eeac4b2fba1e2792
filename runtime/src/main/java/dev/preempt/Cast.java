package dev.preempt;

/**
 * A message sent with {@link Preempt#cast}: fire and forget, no reply. {@link Server} hands its
 * content to {@code handleCast}.
 *
 * <pre>{@code
 * Preempt.cast(counter, "increment");
 * }</pre>
 *
 * @param message what was cast
 */
public record Cast(Object message) {}
