package dev.preempt.internal.policy;

import dev.preempt.Down;
import dev.preempt.Exit;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Ref;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Decides whether a message is deeply immutable, for the default send policy.
 *
 * <p>A verdict is computed once per class (a {@link ClassValue}) and says one of: immutable as it
 * stands (String, boxed primitives, enums, java.time values, pids, a record whose components are all
 * of such types...), refused (with the reason), an object whose final fields of open types (Object,
 * interfaces, collections) must be looked at per message, or an immutable JDK container
 * ({@code List.of}, {@code Map.of}, {@code Optional}...) whose elements must be. So the common message,
 * a record of leaves, costs one ClassValue lookup per send.
 */
public final class Immutability {

    private static final int MAX_DEPTH = 512;

    /** Final classes of the JDK whose instances are immutable and hold only immutable state. */
    private static final Set<Class<?>> LEAVES = Set.of(
            String.class, Integer.class, Long.class, Short.class, Byte.class, Character.class, Boolean.class,
            Float.class, Double.class, BigInteger.class, BigDecimal.class, UUID.class,
            Locale.class, java.net.URI.class, OptionalInt.class, OptionalLong.class,
            OptionalDouble.class, Instant.class, Duration.class,
            LocalDate.class, LocalTime.class, LocalDateTime.class,
            OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class,
            ZoneOffset.class, Period.class, Year.class, YearMonth.class,
            MonthDay.class, Pattern.class, Class.class,
            Pid.class, Ref.class, ExitReason.class, Exit.class, Down.class);

    /** What one class needs. */
    private sealed interface Verdict permits Leaf, Refused, Fields, Container {}

    private record Leaf() implements Verdict {}

    private record Refused(String why) implements Verdict {}

    /** Final fields whose values must be checked per message. */
    private record Fields(Field[] open) implements Verdict {}

    private enum ContainerKind { COLLECTION, MAP, OPTIONAL, ENTRY }

    private record Container(ContainerKind kind) implements Verdict {}

    private static final Leaf LEAF = new Leaf();

    private static final ClassValue<Verdict> VERDICTS = new ClassValue<>() {
        @Override
        protected Verdict computeValue(Class<?> type) {
            return analyse(type);
        }
    };

    /**
     * A small direct-mapped cache in front of {@link #VERDICTS} (a ClassValue lookup is the larger part
     * of a send's cost otherwise). Racy by design: a slot holds an immutable pair, so a reader sees a
     * whole pair or an older one, and a miss just asks the ClassValue.
     */
    private record Cached(Class<?> type, Verdict verdict) {}

    private static final Cached[] CACHE = new Cached[256];

    private static Verdict verdict(Class<?> c) {
        int i = c.hashCode() & (CACHE.length - 1);
        Cached e = CACHE[i];
        if (e != null && e.type == c) return e.verdict;
        Verdict v = VERDICTS.get(c);
        CACHE[i] = new Cached(c, v);
        return v;
    }

    private Immutability() {}

    /**
     * Null if {@code message} is deeply immutable, else a sentence naming the class and field at fault.
     *
     * @param message the message; not null
     * @return null, or what is wrong
     */
    public static String problem(Object message) {
        if (isImmutable(message, 0)) return null; // the common case builds no strings
        return find(message, simpleName(message.getClass()), 0);
    }

    /** The same walk as {@link #find}, without building any path. */
    private static boolean isImmutable(Object v, int depth) {
        if (v == null) return true;
        if (depth > MAX_DEPTH) return false;
        Verdict verdict = verdict(v.getClass());
        if (verdict instanceof Leaf) return true;
        if (verdict instanceof Refused) return false;
        if (verdict instanceof Fields f) {
            for (Field field : f.open()) {
                try {
                    if (!isImmutable(field.get(v), depth + 1)) return false;
                } catch (IllegalAccessException e) {
                    return false;
                }
            }
            return true;
        }
        return switch (((Container) verdict).kind()) {
            case COLLECTION -> {
                for (Object e : (Collection<?>) v) {
                    if (!isImmutable(e, depth + 1)) yield false;
                }
                yield true;
            }
            case MAP -> {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!isImmutable(e.getKey(), depth + 1) || !isImmutable(e.getValue(), depth + 1)) yield false;
                }
                yield true;
            }
            case ENTRY -> isImmutable(((Map.Entry<?, ?>) v).getKey(), depth + 1)
                    && isImmutable(((Map.Entry<?, ?>) v).getValue(), depth + 1);
            case OPTIONAL -> isImmutable(((Optional<?>) v).orElse(null), depth + 1);
        };
    }

    private static String find(Object v, String path, int depth) {
        if (v == null) return null;
        if (depth > MAX_DEPTH) return path + " nests more than " + MAX_DEPTH + " levels deep";
        Class<?> c = v.getClass();
        Verdict verdict = verdict(c);
        if (verdict instanceof Leaf) return null;
        if (verdict instanceof Refused r) return path + " is a " + c.getName() + ", which " + r.why();
        if (verdict instanceof Fields f) {
            for (Field field : f.open()) {
                Object value;
                try {
                    value = field.get(v);
                } catch (IllegalAccessException e) {
                    return path + "." + field.getName() + " cannot be read to check it (" + e.getMessage() + ")";
                }
                String p = find(value, path + "." + field.getName(), depth + 1);
                if (p != null) return p;
            }
            return null;
        }
        Container k = (Container) verdict;
        return switch (k.kind()) {
            case COLLECTION -> {
                int i = 0;
                for (Object e : (Collection<?>) v) {
                    String p = find(e, path + "[" + i++ + "]", depth + 1);
                    if (p != null) yield p;
                }
                yield null;
            }
            case MAP -> {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    String p = find(e.getKey(), path + ".key(" + e.getKey() + ")", depth + 1);
                    if (p == null) p = find(e.getValue(), path + "[" + e.getKey() + "]", depth + 1);
                    if (p != null) yield p;
                }
                yield null;
            }
            case ENTRY -> {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) v;
                String p = find(e.getKey(), path + ".key", depth + 1);
                yield p != null ? p : find(e.getValue(), path + ".value", depth + 1);
            }
            case OPTIONAL -> find(((Optional<?>) v).orElse(null), path + ".value", depth + 1);
        };
    }

    private static Verdict analyse(Class<?> c) {
        if (LEAVES.contains(c)) return LEAF;
        if (c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum())) return LEAF;
        if (c.isArray()) {
            return new Refused("is an array; arrays are mutable (send a List.of(...) copy)");
        }
        String n = c.getName();
        if (n.startsWith("java.util.ImmutableCollections$")) {
            return n.contains("Map") ? new Container(ContainerKind.MAP) : new Container(ContainerKind.COLLECTION);
        }
        if (n.equals("java.util.KeyValueHolder") || n.equals("java.util.AbstractMap$SimpleImmutableEntry")) {
            return new Container(ContainerKind.ENTRY);
        }
        if (n.equals("java.util.Collections$EmptyList") || n.equals("java.util.Collections$EmptySet")
                || n.equals("java.util.Collections$SingletonList") || n.equals("java.util.Collections$SingletonSet")) {
            return new Container(ContainerKind.COLLECTION);
        }
        if (n.equals("java.util.Collections$EmptyMap") || n.equals("java.util.Collections$SingletonMap")) {
            return new Container(ContainerKind.MAP);
        }
        if (c == Optional.class) return new Container(ContainerKind.OPTIONAL);
        if (Throwable.class.isAssignableFrom(c)) {
            return new Refused("is an exception; exceptions are mutable (send its message or a record describing it)");
        }
        if (isPlatform(c)) {
            return new Refused("is not known to be immutable (a JDK class that is not a value, such as a mutable "
                    + "collection or an unmodifiable view of one; use List.of/Set.of/Map.of or List.copyOf)");
        }
        List<Field> open = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class && k != Record.class; k = k.getSuperclass()) {
            if (isPlatform(k)) {
                return new Refused("extends " + k.getName() + ", which is not known to be immutable");
            }
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                if (!Modifier.isFinal(f.getModifiers())) {
                    return new Refused("is mutable: field " + simpleName(k) + "." + f.getName() + " is not final");
                }
                Class<?> t = f.getType();
                if (t.isPrimitive() || LEAVES.contains(t) || t.isEnum()) continue;
                try {
                    f.setAccessible(true);
                } catch (RuntimeException e) {
                    return new Refused("cannot be inspected (field " + f.getName() + ": " + e.getMessage() + ")");
                }
                open.add(f);
            }
        }
        return open.isEmpty() ? LEAF : new Fields(open.toArray(new Field[0]));
    }

    private static boolean isPlatform(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")
                || n.startsWith("com.sun.");
    }

    private static String simpleName(Class<?> c) {
        String n = c.getName();
        return n.substring(n.lastIndexOf('.') + 1);
    }
}
