package dev.preempt.dist;

/**
 * The message {@link Node#monitorNode} delivers when the connection to {@code node} goes down, or
 * cannot be made: Erlang's {@code {nodedown, Node}}, with the reason as OTP states it
 * ({@code connection_closed}, {@code net_tick_timeout}, {@code cannot connect: ...}).
 *
 * @param node the node's name
 * @param reason why the connection went (or could not be made)
 */
public record NodeDown(String node, String reason) {}
