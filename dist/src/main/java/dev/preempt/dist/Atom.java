package dev.preempt.dist;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An Erlang atom, such as {@code ok} or {@code 'EXIT'}. Immutable: safe to share and to send.
 *
 * <pre>{@code
 * Preempt.send(erlangPid, new Tuple(Atom.of("hello"), Preempt.self()));
 * }</pre>
 *
 * @param name the atom's text (at most 255 characters, as Erlang allows)
 */
public record Atom(String name) {

    /** {@code true}. */
    public static final Atom TRUE = new Atom("true");
    /** {@code false}. */
    public static final Atom FALSE = new Atom("false");
    /** {@code ok}. */
    public static final Atom OK = new Atom("ok");
    /** {@code undefined}. */
    public static final Atom UNDEFINED = new Atom("undefined");

    /**
     * Checks the name.
     *
     * @param name the atom's text
     * @throws IllegalArgumentException if it has more than 255 characters or more than 1020 bytes of UTF-8
     */
    public Atom {
        Objects.requireNonNull(name, "name");
        if (name.codePointCount(0, name.length()) > 255 || name.getBytes(StandardCharsets.UTF_8).length > 1020) {
            throw new IllegalArgumentException("an atom has at most 255 characters: '" + name + "'");
        }
    }

    /**
     * The atom named {@code name}.
     *
     * @param name the atom's text
     * @return the atom
     */
    public static Atom of(String name) {
        return new Atom(name);
    }

    /** As Erlang prints it: bare if it is a plain lower-case name, else quoted. */
    @Override
    public String toString() {
        if (name.matches("[a-z][A-Za-z0-9_@]*")) return name;
        return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
