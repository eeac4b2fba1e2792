package dev.preempt.dist;

import dev.preempt.dist.internal.Identity;

/** A Preempt node of an Erlang cluster (in progress). */
public final class Node {

    private static volatile Node current;

    private final Identity identity;

    private Node(Identity identity) {
        this.identity = identity;
    }

    /**
     * The node running in this JVM.
     *
     * @return it, or null if none runs
     */
    public static Node current() {
        return current;
    }

    Identity identity() {
        return identity;
    }
}
