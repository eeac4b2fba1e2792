package dev.preempt.dist.internal;

import dev.preempt.dist.Atom;
import dev.preempt.dist.Binary;
import dev.preempt.dist.ErlRef;
import dev.preempt.dist.ImproperList;
import dev.preempt.dist.TermFormatException;
import dev.preempt.dist.Tuple;
import dev.preempt.dist.UnmappableTermException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads terms of the external term format into Java values (the mapping is {@link TermEncoder}'s, read
 * back): atoms to {@link Atom} (true and false too), integers to {@link Long} or, past 64 bits,
 * {@link BigInteger}, floats to {@link Double}, binaries to {@link Binary}, proper lists (and
 * {@code STRING_EXT}) to immutable {@link List}s (of {@link Long} for a string), improper lists to
 * {@link ImproperList}, tuples to {@link Tuple}, maps to immutable {@link Map}s, pids to
 * {@link dev.preempt.Pid}, references to {@link ErlRef}. Funs, ports and bit strings are an
 * {@link UnmappableTermException} (or, with {@link #placeholders}, an atom in their place); malformed
 * bytes a {@link TermFormatException}. Every value made is
 * immutable, so it may be forwarded under the default send policy. One decoder per buffer, one thread.
 */
public final class TermDecoder {

    private final Identity self;
    private final byte[] b;
    private int pos;
    private final int end;
    private boolean placeholders;

    /**
     * Sets whether the terms read from now on get a placeholder atom ({@link #FUN}, {@link #PORT},
     * {@link #BIT_STRING}, {@link #OLD_REF}) for a part with no Java value, instead of failing. For a
     * control message: an exit reason with a fun in it (a {@code function_clause} with its arguments)
     * closed the whole connection, and every link and monitor over it heard {@code noconnection}.
     *
     * @param on whether to put placeholders in
     * @return this decoder
     */
    public TermDecoder placeholders(boolean on) {
        placeholders = on;
        return this;
    }

    /**
     * A decoder of {@code b[from, to)}.
     *
     * @param self the node that receives (its pids come back as local pids)
     * @param b the bytes
     * @param from the first offset
     * @param to the end
     */
    public TermDecoder(Identity self, byte[] b, int from, int to) {
        this.self = self;
        this.b = b;
        this.pos = from;
        this.end = to;
    }

    /**
     * Reads one whole term: the version byte (131), then the term.
     *
     * @return the value
     * @throws TermFormatException if the bytes are not a term
     * @throws UnmappableTermException if the term has a part with no Java value here
     */
    public Object readTerm() {
        int v = u8();
        if (v != Tags.VERSION) throw bad("expected the version byte 131, got " + v);
        return read();
    }

    /**
     * Whether bytes are left.
     *
     * @return true if the buffer is not used up
     */
    public boolean hasMore() {
        return pos < end;
    }

    /**
     * The current offset.
     *
     * @return the offset of the next byte
     */
    public int position() {
        return pos;
    }

    private Object read() {
        int at = pos;
        int tag = u8();
        switch (tag) {
            case Tags.SMALL_INTEGER_EXT:
                return (long) u8();
            case Tags.INTEGER_EXT:
                return (long) s32();
            case Tags.SMALL_BIG_EXT:
                return big(u8());
            case Tags.LARGE_BIG_EXT:
                return big(length(u32()));
            case Tags.NEW_FLOAT_EXT: {
                long hi = u32() & 0xFFFF_FFFFL;
                long lo = u32() & 0xFFFF_FFFFL;
                return Double.longBitsToDouble(hi << 32 | lo);
            }
            case Tags.FLOAT_EXT: {
                String s = new String(take(31), StandardCharsets.ISO_8859_1).trim();
                int nul = s.indexOf('\0');
                try {
                    return Double.parseDouble(nul >= 0 ? s.substring(0, nul) : s);
                } catch (NumberFormatException e) {
                    throw bad("FLOAT_EXT is not a number: " + s, at);
                }
            }
            case Tags.ATOM_UTF8_EXT, Tags.ATOM_EXT, Tags.SMALL_ATOM_UTF8_EXT, Tags.SMALL_ATOM_EXT:
                pos = at;
                return new Atom(atomText());
            case Tags.SMALL_TUPLE_EXT:
                return tuple(u8());
            case Tags.LARGE_TUPLE_EXT:
                return tuple(length(u32()));
            case Tags.NIL_EXT:
                return List.of();
            case Tags.STRING_EXT: {
                int n = u16();
                need(n);
                Long[] chars = new Long[n];
                for (int i = 0; i < n; i++) chars[i] = (long) (b[pos++] & 0xFF);
                return List.of(chars);
            }
            case Tags.LIST_EXT: {
                int n = length(u32());
                List<Object> items = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) items.add(read());
                Object tail = read();
                if (tail instanceof List<?> t && t.isEmpty()) return List.copyOf(items);
                if (tail instanceof List<?> t) { // [a | [b, c]] written the long way: still a proper list
                    items.addAll(t);
                    return List.copyOf(items);
                }
                if (tail instanceof ImproperList il) {
                    items.addAll(il.head());
                    return new ImproperList(items, il.tail());
                }
                return new ImproperList(items, tail);
            }
            case Tags.BINARY_EXT:
                return Binary.of(take(length(u32())));
            case Tags.MAP_EXT: {
                int n = length(u32());
                Map<Object, Object> m = HashMap.newHashMap(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    Object k = read();
                    if (m.put(k, read()) != null) throw bad("map has the key " + k + " twice", at);
                }
                return Map.copyOf(m);
            }
            case Tags.NEW_PID_EXT, Tags.PID_EXT: {
                String node = atomText();
                int id = u32();
                int serial = u32();
                int creation = tag == Tags.NEW_PID_EXT ? u32() : u8();
                return self.fromWire(new WirePid(node, id, serial, creation));
            }
            case Tags.NEWER_REFERENCE_EXT, Tags.NEW_REFERENCE_EXT: {
                int n = u16();
                if (n < 1 || n > 5) throw bad("a reference has 1 to 5 words, not " + n, at);
                String node = atomText();
                int creation = tag == Tags.NEWER_REFERENCE_EXT ? u32() : u8();
                Integer[] ids = new Integer[n];
                for (int i = 0; i < n; i++) ids[i] = u32();
                return new ErlRef(node, creation, List.of(ids));
            }
            case Tags.NEW_FUN_EXT, Tags.FUN_EXT, Tags.EXPORT_EXT:
                if (placeholders) return skipFun(tag);
                throw new UnmappableTermException("a fun (tag " + tag + " at offset " + at + ") has no Java value here");
            case Tags.NEW_PORT_EXT, Tags.PORT_EXT, Tags.V4_PORT_EXT:
                if (placeholders) {
                    atomText();
                    int n = tag == Tags.V4_PORT_EXT ? 12 : tag == Tags.NEW_PORT_EXT ? 8 : 5; // id and creation
                    need(n);
                    pos += n;
                    return PORT;
                }
                throw new UnmappableTermException("a port (tag " + tag + " at offset " + at + ") has no Java value here");
            case Tags.BIT_BINARY_EXT:
                if (placeholders) {
                    int n = u32();
                    u8();
                    take(length(n));
                    return BIT_STRING;
                }
                throw new UnmappableTermException("a bit string whose size is not a whole number of bytes (at offset "
                        + at + ") has no Java value here");
            case Tags.REFERENCE_EXT:
                if (placeholders) {
                    atomText();
                    u32();
                    u8();
                    return OLD_REF;
                }
                throw new UnmappableTermException("an old REFERENCE_EXT (at offset " + at + ") is not supported");
            default:
                throw bad("unknown tag " + tag, at);
        }
    }

    /** A fun's bytes, skipped: {@link #FUN} in its place (see {@link #placeholders}). */
    private Object skipFun(int tag) {
        switch (tag) {
            case Tags.NEW_FUN_EXT -> {
                int size = u32(); // counts itself
                if (size < 4) throw bad("a fun of " + size + " bytes");
                take(length(size - 4));
            }
            case Tags.EXPORT_EXT -> {
                read(); // module, function, arity
                read();
                read();
            }
            default -> { // FUN_EXT: NumFree, Pid, Module, Index, Uniq, then the free variables
                int free = u32();
                for (int i = 0; i < 4; i++) read();
                for (int i = 0; i < free; i++) read();
            }
        }
        return FUN;
    }

    /** What a fun becomes where {@link #placeholders} are on. */
    public static final Atom FUN = Atom.of("#Fun");
    /** What a port becomes where {@link #placeholders} are on. */
    public static final Atom PORT = Atom.of("#Port");
    /** What a bit string (not whole bytes) becomes where {@link #placeholders} are on. */
    public static final Atom BIT_STRING = Atom.of("#BitString");
    /** What an old REFERENCE_EXT becomes where {@link #placeholders} are on. */
    public static final Atom OLD_REF = Atom.of("#Ref");

    /** An atom's text: the next term must be an atom. */
    String atomText() {
        int at = pos;
        int tag = u8();
        return switch (tag) {
            case Tags.ATOM_UTF8_EXT -> new String(take(u16()), StandardCharsets.UTF_8);
            case Tags.SMALL_ATOM_UTF8_EXT -> new String(take(u8()), StandardCharsets.UTF_8);
            case Tags.ATOM_EXT -> new String(take(u16()), StandardCharsets.ISO_8859_1);
            case Tags.SMALL_ATOM_EXT -> new String(take(u8()), StandardCharsets.ISO_8859_1);
            default -> throw bad("expected an atom, got tag " + tag, at);
        };
    }

    private Tuple tuple(int n) {
        Object[] e = new Object[n];
        for (int i = 0; i < n; i++) e[i] = read();
        return new Tuple(e);
    }

    private Object big(int n) {
        int sign = u8();
        need(n);
        byte[] be = new byte[n + 1]; // leading zero: a positive magnitude
        for (int i = 0; i < n; i++) be[n - i] = b[pos++];
        BigInteger v = new BigInteger(be);
        if (sign != 0) v = v.negate();
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A length word, checked against what is left (so a corrupt length cannot make a huge array). */
    private int length(int n) {
        if (n < 0 || n > end - pos) throw bad("length " + Integer.toUnsignedLong(n) + " is more than the " + (end - pos) + " bytes left");
        return n;
    }

    private byte[] take(int n) {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(b, pos, out, 0, n);
        pos += n;
        return out;
    }

    private int u8() {
        need(1);
        return b[pos++] & 0xFF;
    }

    private int u16() {
        need(2);
        int v = (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    private int u32() {
        need(4);
        int v = (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    private int s32() {
        return u32();
    }

    private void need(int n) {
        if (n > end - pos) throw bad("truncated: " + n + " more bytes needed, " + (end - pos) + " left");
    }

    private TermFormatException bad(String what) {
        return bad(what, pos);
    }

    private TermFormatException bad(String what, int at) {
        return new TermFormatException(what + " (at offset " + at + ")");
    }
}
