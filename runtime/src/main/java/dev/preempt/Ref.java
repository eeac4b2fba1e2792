package dev.preempt;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A reference unique in this JVM, like Erlang's {@code make_ref()}: it tags monitors and
 * request/reply pairs. Prints like {@code #Ref<0.0.0.7>}.
 *
 * <pre>{@code
 * Ref tag = Ref.make();
 * Preempt.send(server, new Request(tag, Preempt.self()));
 * }</pre>
 */
public final class Ref implements Comparable<Ref> {

    private static final AtomicLong NEXT = new AtomicLong(1);
    private final long id;

    private Ref(long id) {
        this.id = id;
    }

    /**
     * A fresh reference, different from every other made in this JVM.
     *
     * @return the new reference
     */
    public static Ref make() {
        return new Ref(NEXT.getAndIncrement());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ref r && r.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public int compareTo(Ref o) {
        return Long.compare(id, o.id);
    }

    @Override
    public String toString() {
        return "#Ref<0.0.0." + id + ">";
    }
}
