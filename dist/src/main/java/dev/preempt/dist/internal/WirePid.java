package dev.preempt.dist.internal;

/**
 * A pid as {@code NEW_PID_EXT} carries it. It is also the address inside a remote {@link dev.preempt.Pid}
 * (so two remote pids are equal when their wire forms are). Immutable.
 *
 * @param node the node's name
 * @param id the ID word
 * @param serial the Serial word
 * @param creation the node's creation
 */
public record WirePid(String node, int id, int serial, int creation) {}
