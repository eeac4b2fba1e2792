package dev.preempt.dist;

import java.nio.charset.StandardCharsets;

/**
 * An Erlang binary, {@code <<1, 2, 3>>}: an immutable sequence of bytes. What a binary from another node
 * decodes to ({@code byte[]} and {@code String} encode to binaries too, but a {@code byte[]} is mutable,
 * which the default send policy refuses).
 *
 * <p>The bytes are kept as a Latin-1 string, which the JDK stores one byte per character: immutable as
 * the send policy sees it, and as compact as an array.
 *
 * <pre>{@code
 * Binary b = Binary.of("héllo");          // UTF-8
 * String s = b.utf8();                    // "héllo"
 * }</pre>
 */
public final class Binary {

    /** Byte i is char i, each 0..255. */
    private final String latin1;

    private Binary(String latin1) {
        this.latin1 = latin1;
    }

    /**
     * A binary holding a copy of {@code bytes}.
     *
     * @param bytes the bytes
     * @return the binary
     */
    public static Binary of(byte[] bytes) {
        return new Binary(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /**
     * The UTF-8 bytes of {@code text}, as Erlang's {@code <<"text"/utf8>>}.
     *
     * @param text the text
     * @return the binary
     */
    public static Binary of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How many bytes it has.
     *
     * @return the size in bytes
     */
    public int size() {
        return latin1.length();
    }

    /**
     * One byte.
     *
     * @param i its index, from 0
     * @return the byte, 0..255
     * @throws IndexOutOfBoundsException if there is no such byte
     */
    public int get(int i) {
        return latin1.charAt(i);
    }

    /**
     * A copy of the bytes.
     *
     * @return a fresh array
     */
    public byte[] bytes() {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The bytes read as UTF-8 (malformed sequences become U+FFFD).
     *
     * @return the text
     */
    public String utf8() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Binary b && b.latin1.equals(latin1);
    }

    @Override
    public int hashCode() {
        return latin1.hashCode();
    }

    /** As Erlang prints it: {@code <<"text">>} when the bytes are printable ASCII, else {@code <<1,2,3>>}. */
    @Override
    public String toString() {
        if (latin1.chars().allMatch(c -> c >= 32 && c < 127 && c != '"' && c != '\\')) return "<<\"" + latin1 + "\">>";
        StringBuilder b = new StringBuilder("<<");
        for (int i = 0; i < latin1.length(); i++) {
            if (i > 0) b.append(',');
            b.append((int) latin1.charAt(i));
        }
        return b.append(">>").toString();
    }
}
