package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Binary;
import dev.preempt.dist.ErlRef;
import dev.preempt.dist.ImproperList;
import dev.preempt.dist.Tuple;
import dev.preempt.dist.UnmappableTermException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes Java values as terms of the external term format, making the same choices as OTP's
 * {@code term_to_binary(T, [{minor_version, 2}])} (so the bytes are the same for terms without maps):
 * the smallest integer form, {@code NEW_FLOAT_EXT}, UTF-8 atoms, {@code STRING_EXT} for a list of
 * 0..255 integers shorter than 65536. One encoder per thread (it owns its buffer).
 *
 * <p>The mapping: {@link Atom} and {@link Boolean} to atoms; {@link Byte}, {@link Short}, {@link Integer},
 * {@link Long} and {@link BigInteger} to integers; {@link Double} and {@link Float} (finite) to floats;
 * {@link Binary}, {@code byte[]} and {@link String} (UTF-8) to binaries; {@link Tuple} to tuples; any
 * {@link List} to a proper list, {@link ImproperList} to an improper one; any {@link Map} to a map;
 * {@link Pid} to a pid; {@link ErlRef} to a reference; any other record to an Erlang record, a tuple
 * tagged with its snake_case name ({@link RecordMapping}). Anything else (null included) is an
 * {@link UnmappableTermException} that names the value's class and its place in the term.
 */
public final class TermEncoder {

    private final Identity self;
    private byte[] buf = new byte[256];
    private int pos;

    /**
     * An encoder for values sent by {@code self}.
     *
     * @param self the node local pids belong to
     */
    public TermEncoder(Identity self) {
        this.self = self;
    }

    /**
     * {@code term} as a whole external term, the version byte (131) first.
     *
     * @param term the value
     * @return the bytes
     * @throws UnmappableTermException if a part of it has no mapping
     */
    public byte[] encode(Object term) {
        reset();
        writeTerm(term);
        return toBytes();
    }

    /** Empties the buffer. */
    public void reset() {
        pos = 0;
    }

    /**
     * Appends the version byte and {@code term}.
     *
     * @param term the value
     * @throws UnmappableTermException if a part of it has no mapping (the buffer is then undefined)
     */
    public void writeTerm(Object term) {
        u8(Tags.VERSION);
        try {
            write(term);
        } catch (Unmappable u) {
            throw new UnmappableTermException("message" + u.path + ": " + u.getMessage());
        }
    }

    /**
     * Appends one byte.
     *
     * @param b the byte (low 8 bits)
     */
    public void u8(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    /**
     * Appends a big-endian 32-bit word.
     *
     * @param v the word
     */
    public void u32(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    /**
     * Overwrites a big-endian 32-bit word written earlier (a frame's length).
     *
     * @param at its offset
     * @param v the word
     */
    public void patch32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    /**
     * How many bytes are written.
     *
     * @return the length
     */
    public int size() {
        return pos;
    }

    /**
     * A copy of what is written.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, pos);
    }

    // ------------------------------------------------------------------ terms

    private void write(Object v) {
        switch (v) {
            case null -> throw new Unmappable("null has no Erlang term (use an atom such as Atom.UNDEFINED)");
            case Atom a -> atom(a.name());
            case Boolean b -> atom(b ? "true" : "false");
            case Long l -> integer(l);
            case Integer i -> integer(i);
            case Short s -> integer(s);
            case Byte b -> integer(b);
            case BigInteger b -> big(b);
            case Double d -> floating(d);
            case Float f -> floating(f);
            case Binary b -> binary(b.bytes());
            case byte[] b -> binary(b);
            case String s -> binary(s.getBytes(StandardCharsets.UTF_8));
            case Tuple t -> tuple(t);
            case List<?> l -> list(l);
            case ImproperList l -> improper(l);
            case Map<?, ?> m -> map(m);
            case Pid p -> pid(self.toWire(p));
            case ErlRef r -> ref(r);
            case Record r -> tuple(RecordMapping.toTuple(r)); // {snake_case_name, Field1, ...}
            default -> throw new Unmappable("a " + v.getClass().getName() + " has no Erlang term (see the README's "
                    + "Java-Erlang mapping: atoms, numbers, Binary/byte[]/String, Tuple, List, Map, Pid, ErlRef, records)");
        }
    }

    void atom(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 255) {
            u8(Tags.SMALL_ATOM_UTF8_EXT);
            u8(b.length);
        } else {
            u8(Tags.ATOM_UTF8_EXT);
            u16(b.length);
        }
        bytes(b);
    }

    private void integer(long v) {
        if (v >= 0 && v <= 255) {
            u8(Tags.SMALL_INTEGER_EXT);
            u8((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            u8(Tags.INTEGER_EXT);
            u32((int) v);
        } else {
            big(BigInteger.valueOf(v));
        }
    }

    private void big(BigInteger v) {
        if (v.bitLength() < 64) {
            long l = v.longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                integer(l);
                return;
            }
        }
        byte[] be = v.abs().toByteArray(); // big-endian, maybe with a leading zero byte
        int start = be[0] == 0 ? 1 : 0;
        int n = be.length - start;
        if (n <= 255) {
            u8(Tags.SMALL_BIG_EXT);
            u8(n);
        } else {
            u8(Tags.LARGE_BIG_EXT);
            u32(n);
        }
        u8(v.signum() < 0 ? 1 : 0);
        ensure(n);
        for (int i = be.length - 1; i >= start; i--) buf[pos++] = be[i]; // little-endian digits
    }

    private void floating(double d) {
        if (!Double.isFinite(d)) throw new Unmappable(d + " has no Erlang term (Erlang floats are finite)");
        u8(Tags.NEW_FLOAT_EXT);
        long bits = Double.doubleToRawLongBits(d);
        u32((int) (bits >>> 32));
        u32((int) bits);
    }

    private void binary(byte[] b) {
        u8(Tags.BINARY_EXT);
        u32(b.length);
        bytes(b);
    }

    private void tuple(Tuple t) {
        int n = t.arity();
        if (n <= 255) {
            u8(Tags.SMALL_TUPLE_EXT);
            u8(n);
        } else {
            u8(Tags.LARGE_TUPLE_EXT);
            u32(n);
        }
        for (int i = 0; i < n; i++) element(t.get(i), i);
    }

    private void list(List<?> l) {
        int n = l.size();
        if (n == 0) {
            u8(Tags.NIL_EXT);
            return;
        }
        if (n < 65536 && allBytes(l)) {
            u8(Tags.STRING_EXT);
            u16(n);
            ensure(n);
            for (Object o : l) buf[pos++] = (byte) ((Number) o).intValue();
            return;
        }
        u8(Tags.LIST_EXT);
        u32(n);
        int i = 0;
        for (Object o : l) element(o, i++);
        u8(Tags.NIL_EXT);
    }

    private static boolean allBytes(List<?> l) {
        for (Object o : l) {
            long v;
            if (o instanceof Long x) v = x;
            else if (o instanceof Integer x) v = x;
            else if (o instanceof Short x) v = x;
            else if (o instanceof Byte x) v = x;
            else return false;
            if (v < 0 || v > 255) return false;
        }
        return true;
    }

    private void improper(ImproperList l) {
        u8(Tags.LIST_EXT);
        u32(l.head().size());
        int i = 0;
        for (Object o : l.head()) element(o, i++);
        try {
            write(l.tail());
        } catch (Unmappable u) {
            throw u.under(".tail");
        }
    }

    private void map(Map<?, ?> m) {
        u8(Tags.MAP_EXT);
        u32(m.size());
        for (Map.Entry<?, ?> e : m.entrySet()) {
            try {
                write(e.getKey());
            } catch (Unmappable u) {
                throw u.under(".key(" + e.getKey() + ")");
            }
            try {
                write(e.getValue());
            } catch (Unmappable u) {
                throw u.under("[" + e.getKey() + "]");
            }
        }
    }

    void pid(WirePid w) {
        u8(Tags.NEW_PID_EXT);
        atom(w.node());
        u32(w.id());
        u32(w.serial());
        u32(w.creation());
    }

    private void ref(ErlRef r) {
        u8(Tags.NEWER_REFERENCE_EXT);
        u16(r.ids().size());
        atom(r.node());
        u32(r.creation());
        for (int id : r.ids()) u32(id);
    }

    private void element(Object o, int i) {
        try {
            write(o);
        } catch (Unmappable u) {
            throw u.under("[" + i + "]");
        }
    }

    private void u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }

    /** What has no mapping, and the path to it from the top (built on the way out, only on failure). */
    private static final class Unmappable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        String path = "";

        Unmappable(String what) {
            super(what, null, false, false);
        }

        Unmappable under(String segment) {
            path = segment + path;
            return this;
        }
    }
}
