package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Binary;
import dev.preempt.dist.Tuple;
import dev.preempt.dist.UnmappableTermException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Java records as Erlang records: {@code record WorkItem(long id, String text)} is the tuple
 * {@code {work_item, Id, <<"text">>}} (the tag is the record's simple name in snake_case), and such a
 * tuple converts back to the record with {@link #toRecord}. Accessors and the canonical constructor
 * are found once per class. Thread-safe.
 */
public final class RecordMapping {

    private record Shape(Atom tag, RecordComponent[] components, Constructor<?> constructor) {}

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            RecordComponent[] cs = type.getRecordComponents();
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                cs[i].getAccessor().setAccessible(true);
            }
            try {
                Constructor<?> k = type.getDeclaredConstructor(types);
                k.setAccessible(true);
                return new Shape(Atom.of(tagOf(type)), cs, k);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
            }
        }
    };

    private RecordMapping() {}

    /**
     * The Erlang record tag of a record class: its simple name in snake_case.
     *
     * @param type a record class
     * @return e.g. {@code work_item} for {@code WorkItem}, {@code http_request} for {@code HTTPRequest}
     */
    public static String tagOf(Class<?> type) {
        return type.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The tuple for a record: its tag, then its components in order.
     *
     * @param r the record
     * @return the tuple (components not yet encoded)
     */
    static Tuple toTuple(Record r) {
        Shape s = SHAPES.get(r.getClass());
        Object[] e = new Object[s.components().length + 1];
        e[0] = s.tag();
        for (int i = 0; i < s.components().length; i++) {
            try {
                e[i + 1] = s.components()[i].getAccessor().invoke(r);
            } catch (ReflectiveOperationException ex) {
                throw new UnmappableTermException("cannot read " + r.getClass().getName() + "." + s.components()[i].getName() + ": " + ex);
            }
        }
        return new Tuple(e);
    }

    /**
     * The record a tuple stands for: the tag must be the record's and the arity its components' plus
     * one; each element is converted to its component's type (integers to {@code int}/{@code long}/...,
     * a binary to {@code String}, {@code true}/{@code false} to {@code boolean}, a tuple to a nested
     * record...).
     *
     * @param <R> the record type
     * @param t the tuple
     * @param type the record class
     * @return the record
     * @throws UnmappableTermException if the tuple does not fit the record (saying which element)
     */
    public static <R extends Record> R toRecord(Tuple t, Class<R> type) {
        Shape s = SHAPES.get(type);
        if (t.arity() != s.components().length + 1 || !s.tag().equals(t.get(0))) {
            throw new UnmappableTermException(t + " is not a " + type.getSimpleName() + ": expected {" + s.tag() + ", ...} with "
                    + s.components().length + " fields");
        }
        Object[] args = new Object[s.components().length];
        for (int i = 0; i < args.length; i++) {
            RecordComponent c = s.components()[i];
            args[i] = convert(t.get(i + 1), c.getType(), type.getSimpleName() + "." + c.getName());
        }
        try {
            return type.cast(s.constructor().newInstance(args));
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new UnmappableTermException("cannot make a " + type.getSimpleName() + " from " + t + ": " + cause);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object convert(Object v, Class<?> to, String where) {
        if (to.isInstance(v) && !to.isPrimitive()) return v;
        if ((to == long.class || to == Long.class) && v instanceof Long l) return l;
        if ((to == int.class || to == Integer.class) && v instanceof Long l && l == (int) (long) l) return (int) (long) l;
        if ((to == short.class || to == Short.class) && v instanceof Long l && l == (short) (long) l) return (short) (long) l;
        if ((to == byte.class || to == Byte.class) && v instanceof Long l && l == (byte) (long) l) return (byte) (long) l;
        if ((to == double.class || to == Double.class) && v instanceof Double d) return d;
        if ((to == float.class || to == Float.class) && v instanceof Double d) return (float) (double) d;
        if ((to == boolean.class || to == Boolean.class) && v instanceof Atom a && (a.equals(Atom.TRUE) || a.equals(Atom.FALSE))) {
            return a.equals(Atom.TRUE);
        }
        if (to == BigInteger.class && v instanceof Long l) return BigInteger.valueOf(l);
        if (to == String.class && v instanceof Binary b) return b.utf8();
        if (to == byte[].class && v instanceof Binary b) return b.bytes();
        if (to.isRecord() && v instanceof Tuple t) return toRecord(t, (Class<? extends Record>) to);
        if (to == Object.class || to == List.class && v instanceof List || to == Map.class && v instanceof Map || to == Pid.class && v instanceof Pid) return v;
        throw new UnmappableTermException(where + ": " + v + " does not convert to " + to.getName());
    }
}
