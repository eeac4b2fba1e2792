package dev.preempt.dist;

import java.util.List;
import java.util.Objects;

/**
 * An Erlang reference ({@code make_ref()}) made on any node, as the external term format carries it.
 * A {@link dev.preempt.Ref} of this JVM encodes as an {@code ErlRef} of this node but decodes as an
 * {@code ErlRef}, not as the {@code Ref} it came from. Immutable.
 *
 * @param node the node that made it
 * @param creation that node's creation (its incarnation)
 * @param ids the reference's words (1 to 5 of them, 32 bits each)
 */
public record ErlRef(String node, int creation, List<Integer> ids) {

    /**
     * Checks and copies the parts.
     *
     * @param node the node that made it
     * @param creation that node's creation
     * @param ids the reference's words
     * @throws IllegalArgumentException if there are not 1 to 5 words
     */
    public ErlRef {
        Objects.requireNonNull(node, "node");
        ids = List.copyOf(ids);
        if (ids.isEmpty() || ids.size() > 5) throw new IllegalArgumentException("a reference has 1 to 5 words, not " + ids.size());
    }

    /** As Erlang prints a reference: {@code #Ref<node.w2.w1.w0>}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("#Ref<").append(node);
        for (int i = ids.size() - 1; i >= 0; i--) b.append('.').append(Integer.toUnsignedLong(ids.get(i)));
        return b.append('>').toString();
    }
}
