package dev.preempt.dist;

import java.util.List;
import java.util.Objects;

/**
 * An improper list, {@code [A, B | Tail]} where the tail is not a list (OTP's gen_server calls tag their
 * requests with {@code [alias | Ref]}). Proper lists are {@link java.util.List}s. Immutable.
 *
 * @param head the elements before the tail; not empty
 * @param tail the last tail; not a list
 */
public record ImproperList(List<Object> head, Object tail) {

    /**
     * Checks and copies the parts.
     *
     * @param head the elements before the tail; not empty
     * @param tail the last tail; not a list
     * @throws IllegalArgumentException if {@code head} is empty or {@code tail} is a list
     */
    public ImproperList {
        head = List.copyOf(head);
        Objects.requireNonNull(tail, "tail");
        if (head.isEmpty()) throw new IllegalArgumentException("an improper list has at least one element before its tail");
        if (tail instanceof List<?>) throw new IllegalArgumentException("the tail of an improper list is not a list");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < head.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(head.get(i));
        }
        return b.append(" | ").append(tail).append(']').toString();
    }
}
