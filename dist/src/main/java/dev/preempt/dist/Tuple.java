package dev.preempt.dist;

import java.util.List;

/**
 * An Erlang tuple, {@code {A, B, ...}}: a fixed sequence of terms. Immutable (it holds an immutable list,
 * so the default send policy accepts it when its elements are immutable too).
 *
 * <pre>{@code
 * Tuple t = Tuple.of(Atom.of("ok"), 42L);
 * if (t.arity() == 2 && t.get(0).equals(Atom.OK)) ...
 * }</pre>
 */
public final class Tuple {

    private final List<Object> elements;

    /**
     * A tuple of {@code elements}.
     *
     * @param elements the elements, in order; none may be null
     * @throws NullPointerException if an element is null
     */
    public Tuple(Object... elements) {
        this.elements = List.of(elements);
    }

    /**
     * A tuple of {@code elements}.
     *
     * @param elements the elements, in order; none may be null
     * @throws NullPointerException if an element is null
     */
    public Tuple(List<?> elements) {
        this.elements = List.copyOf(elements);
    }

    /**
     * A tuple of {@code elements}.
     *
     * @param elements the elements, in order; none may be null
     * @return the tuple
     */
    public static Tuple of(Object... elements) {
        return new Tuple(elements);
    }

    /**
     * How many elements it has.
     *
     * @return the arity
     */
    public int arity() {
        return elements.size();
    }

    /**
     * One element.
     *
     * @param i its index, from 0 (Erlang's {@code element(i + 1, T)})
     * @return the element
     * @throws IndexOutOfBoundsException if there is no such element
     */
    public Object get(int i) {
        return elements.get(i);
    }

    /**
     * The elements.
     *
     * @return an immutable list of them
     */
    public List<Object> elements() {
        return elements;
    }

    /**
     * The Java record this tuple stands for, as a Java record is sent: {@code {work_item, 7, <<"x">>}}
     * gives {@code new WorkItem(7, "x")} (the tag is the record's simple name in snake_case; each
     * element is converted to its component's type: integers to {@code int}/{@code long}, a binary to
     * {@code String}, {@code true}/{@code false} to {@code boolean}, a tuple to a nested record).
     *
     * <pre>{@code
     * record WorkItem(long id, String text) {}
     * WorkItem w = ((Tuple) Preempt.receive(Tuple.class)).as(WorkItem.class);
     * }</pre>
     *
     * @param <R> the record type
     * @param type the record class
     * @return the record
     * @throws UnmappableTermException if the tuple does not fit the record (which element, and why)
     */
    public <R extends Record> R as(Class<R> type) {
        return dev.preempt.dist.internal.RecordMapping.toRecord(this, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tuple t && t.elements.equals(elements);
    }

    @Override
    public int hashCode() {
        return elements.hashCode() + 7;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(elements.get(i));
        }
        return b.append('}').toString();
    }
}
