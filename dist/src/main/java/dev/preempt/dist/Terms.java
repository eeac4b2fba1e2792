package dev.preempt.dist;

import dev.preempt.dist.internal.Identity;
import dev.preempt.dist.internal.TermDecoder;
import dev.preempt.dist.internal.TermEncoder;

/**
 * The external term format ({@code term_to_binary}/{@code binary_to_term}) for Java values. Thread-safe.
 *
 * <p>Java to Erlang: {@link Atom} and {@link Boolean} → atom; {@link Byte}, {@link Short},
 * {@link Integer}, {@link Long}, {@link java.math.BigInteger} → integer; {@link Double}, {@link Float}
 * (finite) → float; {@link Binary}, {@code byte[]}, {@link String} (UTF-8) → binary; {@link Tuple} →
 * tuple; {@link java.util.List} → proper list; {@link ImproperList} → improper list; {@link java.util.Map}
 * → map; {@link dev.preempt.Pid} → pid; {@link ErlRef} → reference. Anything else, null included, is an
 * {@link UnmappableTermException} naming the class and where it sits in the term.
 *
 * <p>Erlang to Java: the same, with one form each: atoms are {@link Atom}s (true and false too),
 * integers {@link Long}s, or {@link java.math.BigInteger}s past 64 bits; floats {@link Double}s; binaries
 * {@link Binary}s; lists immutable {@link java.util.List}s (a string such as {@code "abc"} is a list of
 * {@link Long}s); maps immutable {@link java.util.Map}s; references {@link ErlRef}s. So a Java
 * {@code String} comes back as a {@link Binary} ({@link Binary#utf8()} gives the text back).
 *
 * <pre>{@code
 * byte[] b = Terms.encode(Tuple.of(Atom.OK, 42L, "hi"));   // term_to_binary({ok, 42, <<"hi">>})
 * Object t = Terms.decode(b);                              // {ok, 42, <<"hi">>}
 * }</pre>
 *
 * <p>Pids are encoded as pids of the node running in this JVM ({@code nonode@nohost} if none).
 */
public final class Terms {

    private Terms() {}

    /**
     * {@code term_to_binary(term, [{minor_version, 2}])}.
     *
     * @param term the value
     * @return the bytes, starting with the version byte 131
     * @throws UnmappableTermException if a part of {@code term} has no Erlang term
     */
    public static byte[] encode(Object term) {
        return new TermEncoder(identity()).encode(term);
    }

    /**
     * {@code binary_to_term(bytes)}.
     *
     * @param bytes one whole term, starting with the version byte 131
     * @return the value
     * @throws TermFormatException if the bytes are not one well-formed term
     * @throws UnmappableTermException if the term has a part with no Java value (a fun, a port...)
     */
    public static Object decode(byte[] bytes) {
        TermDecoder d = new TermDecoder(identity(), bytes, 0, bytes.length);
        Object t = d.readTerm();
        if (d.hasMore()) {
            throw new TermFormatException((bytes.length - d.position()) + " bytes left after the term (at offset " + d.position() + ")");
        }
        return t;
    }

    private static Identity identity() {
        Node n = Node.current();
        return n == null ? Identity.NO_NODE : n.identity();
    }
}
