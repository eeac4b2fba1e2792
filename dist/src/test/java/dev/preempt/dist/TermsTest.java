package dev.preempt.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.Pid;
import dev.preempt.dist.internal.Identity;
import dev.preempt.dist.internal.WirePid;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The term codec against real Erlang: bytes erl made, and many generated terms that erl decodes and re-encodes. */
class TermsTest {

    private static Pid remotePid(String node, int id, int serial, int creation) {
        return Identity.NO_NODE.fromWire(new WirePid(node, id, serial, creation));
    }

    @Test
    void decodesWhatErlEncoded() throws Exception {
        String out = Erl.eval("io:format(\"~s\", [binary:encode_hex(term_to_binary("
                + "[ok, 'Hello World', 'hé', 0, 255, 256, -1, 2147483647, -2147483648, 2147483648, 1 bsl 64, -(1 bsl 64),"
                + " 1.5, -0.25, <<>>, <<1,2,3>>, \"abc\", [], [1000, 2], [a | b], {}, {1, {2}}, #{a => 1, <<\"k\">> => [x]},"
                + " true, binary_to_term(<<131,100,0,3,111,108,100>>)]))]), halt().", 30).trim();
        Object t = Terms.decode(Erl.unhex(out));
        assertThat(t).isEqualTo(List.of(
                Atom.of("ok"), Atom.of("Hello World"), Atom.of("hé"), 0L, 255L, 256L, -1L, 2147483647L, -2147483648L,
                2147483648L, BigInteger.ONE.shiftLeft(64), BigInteger.ONE.shiftLeft(64).negate(),
                1.5, -0.25, Binary.of(new byte[0]), Binary.of(new byte[] {1, 2, 3}), List.of(97L, 98L, 99L), List.of(),
                List.of(1000L, 2L), new ImproperList(List.of(Atom.of("a")), Atom.of("b")), Tuple.of(),
                Tuple.of(1L, Tuple.of(2L)), Map.of(Atom.of("a"), 1L, Binary.of("k"), List.of(Atom.of("x"))),
                Atom.TRUE, Atom.of("old")));
    }

    @Test
    void decodesPidsAndRefsErlMade() throws Exception {
        String out = Erl.eval("io:format(\"~s ~s\", [binary:encode_hex(term_to_binary({self(), make_ref()}, [{minor_version, 2}])), "
                + "pid_to_list(self())]), halt().", 30).trim();
        String[] parts = out.split(" ");
        Tuple t = (Tuple) Terms.decode(Erl.unhex(parts[0]));
        Pid p = (Pid) t.get(0);
        assertThat(p.isRemote()).isTrue();
        assertThat(p.node()).contains("nonode@nohost");
        // erl printed <0.N.0>; the same numbers, on another node
        String[] nums = parts[1].replaceAll("[<>]", "").split("\\.");
        assertThat(p.id()).isEqualTo(Long.parseLong(nums[1]));
        assertThat(p.toString()).matches("<\\d+\\." + nums[1] + "\\." + nums[2] + ">");
        ErlRef r = (ErlRef) t.get(1);
        assertThat(r.node()).isEqualTo("nonode@nohost");
        assertThat(r.ids()).hasSize(3);
        assertThat(Terms.encode(t)).isEqualTo(Erl.unhex(parts[0]));
    }

    @Test
    void encodesJavaConveniencesAsErlangDoes() throws Exception {
        // Java forms that have no form of their own on the way back: Integer, String, byte[], Boolean, Float.
        byte[] mine = Terms.encode(List.of(7, (short) 300, (byte) -3, "héllo", new byte[] {9}, true, 0.5f,
                BigInteger.valueOf(12), List.of(1, 2)));
        String expected = Erl.eval("io:format(\"~s\", [binary:encode_hex(term_to_binary("
                + "[7, 300, -3, <<\"héllo\"/utf8>>, <<9>>, true, 0.5, 12, [1, 2]], [{minor_version, 2}]))]), halt().", 30).trim();
        assertThat(Erl.hex(mine)).isEqualTo(expected);
    }

    @Test
    void generatedTermsSurviveErlangBothWays() throws Exception {
        Random rnd = new Random(20261201);
        List<Object> terms = new ArrayList<>();
        for (int i = 0; i < 400; i++) terms.add(gen(rnd, 0));
        Path in = Files.createTempFile("terms", ".hex");
        Path out = Files.createTempFile("terms", ".out");
        List<String> lines = new ArrayList<>();
        for (Object t : terms) lines.add(Erl.hex(Terms.encode(t)));
        Files.write(in, lines);
        Erl.eval("{ok, B} = file:read_file(\"" + in + "\"), "
                + "Ls = binary:split(B, <<\"\\n\">>, [global, trim_all]), "
                + "Os = [binary:encode_hex(term_to_binary(binary_to_term(binary:decode_hex(L)), [{minor_version, 2}])) || L <- Ls], "
                + "ok = file:write_file(\"" + out + "\", lists:join(<<\"\\n\">>, Os)), halt().", 60);
        List<String> back = Files.readAllLines(out);
        assertThat(back).hasSize(terms.size());
        int sameBytes = 0;
        for (int i = 0; i < terms.size(); i++) {
            Object t = terms.get(i);
            Object decoded = Terms.decode(Erl.unhex(back.get(i)));
            assertThat(decoded).as("term %d: %s", i, t).isEqualTo(t);
            if (!hasMap(t)) {
                // OTP orders map keys its own way; everything else must be byte for byte what erl writes
                assertThat(back.get(i)).as("bytes of term %d: %s", i, t).isEqualTo(lines.get(i));
                sameBytes++;
            }
        }
        assertThat(sameBytes).isGreaterThan(100);
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
    }

    /** A random term in decoded form (what decode returns), nested up to 4 deep. */
    private static Object gen(Random r, int depth) {
        int kind = r.nextInt(depth >= 4 ? 8 : 14);
        return switch (kind) {
            case 0 -> (long) r.nextInt(256);
            case 1 -> (long) r.nextInt();
            case 2 -> r.nextLong();
            case 3 -> {
                BigInteger b = new BigInteger(64 + r.nextInt(2100), r);
                BigInteger v = r.nextBoolean() ? b : b.negate();
                yield v.bitLength() < 64 ? (Object) v.longValue() : v;
            }
            case 4 -> {
                double d = r.nextInt(3) == 0 ? r.nextGaussian() * 1e300 : (r.nextDouble() - 0.5) * 1000;
                yield d;
            }
            case 5 -> Atom.of(randomText(r, r.nextInt(20)));
            case 6 -> {
                byte[] b = new byte[r.nextInt(20) == 0 ? r.nextInt(70_000) : r.nextInt(20)];
                r.nextBytes(b);
                yield Binary.of(b);
            }
            case 7 -> r.nextBoolean()
                    ? remotePid("n" + r.nextInt(3) + "@host", r.nextInt(), r.nextInt(), r.nextInt())
                    : new ErlRef("r@host", r.nextInt(), List.of(r.nextInt(), r.nextInt(), r.nextInt()));
            case 8, 9 -> {
                int n = r.nextInt(6);
                List<Object> l = new ArrayList<>();
                boolean chars = r.nextInt(3) == 0;
                int len = chars ? r.nextInt(300) : n;
                for (int i = 0; i < len; i++) l.add(chars ? (Object) (long) r.nextInt(256) : gen(r, depth + 1));
                yield List.copyOf(l);
            }
            case 10 -> {
                Object[] e = new Object[r.nextInt(10) == 0 ? 256 + r.nextInt(10) : r.nextInt(5)];
                for (int i = 0; i < e.length; i++) e[i] = gen(r, depth + 2);
                yield new Tuple(e);
            }
            case 11 -> {
                Map<Object, Object> m = new HashMap<>();
                int n = r.nextInt(5) == 0 ? 40 : r.nextInt(5);
                for (int i = 0; i < n; i++) m.put(gen(r, 4), gen(r, depth + 1));
                yield Map.copyOf(m);
            }
            case 12 -> new ImproperList(List.of(gen(r, depth + 1), gen(r, depth + 1)), gen(r, 4) instanceof List<?> ? Atom.of("t") : gen(r, 4));
            default -> List.of(Atom.of(randomText(r, 300)));   // long atoms: ATOM_UTF8_EXT when > 255 bytes
        };
    }

    private static String randomText(Random r, int n) {
        StringBuilder b = new StringBuilder();
        String alphabet = "abcxyzABC_@ 019'é€ж";
        for (int i = 0; i < n && b.codePointCount(0, b.length()) < 255; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        while (b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1020) b.setLength(b.length() - 1);
        return b.toString();
    }

    private static boolean hasMap(Object t) {
        if (t instanceof Map<?, ?>) return true;
        if (t instanceof Tuple tu) return tu.elements().stream().anyMatch(TermsTest::hasMap);
        if (t instanceof List<?> l) return l.stream().anyMatch(TermsTest::hasMap);
        if (t instanceof ImproperList il) return hasMap(il.head()) || hasMap(il.tail());
        return false;
    }

    @Test
    void aValueWithNoMappingSaysWhatAndWhere() {
        assertThatThrownBy(() -> Terms.encode(Tuple.of(Atom.OK, List.of(1L, new StringBuilder("x")))))
                .isInstanceOf(UnmappableTermException.class)
                .hasMessageContaining("message[1][1]")
                .hasMessageContaining("java.lang.StringBuilder has no Erlang term");
        assertThatThrownBy(() -> Terms.encode(Map.of("k", Double.NaN)))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("message[k]").hasMessageContaining("NaN");
        assertThatThrownBy(() -> Terms.encode(Arrays.asList(1L, null)))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("message[1]: null");
    }

    @Test
    void badBytesSayWhatIsWrong() {
        assertThatThrownBy(() -> Terms.decode(new byte[] {(byte) 131, 109, 0, 0, 0, 9, 1}))
                .isInstanceOf(TermFormatException.class).hasMessageContaining("length 9");
        assertThatThrownBy(() -> Terms.decode(new byte[] {1, 2})).isInstanceOf(TermFormatException.class)
                .hasMessageContaining("version byte");
        assertThatThrownBy(() -> Terms.decode(new byte[] {(byte) 131, 97, 1, 0})).isInstanceOf(TermFormatException.class)
                .hasMessageContaining("1 bytes left");
        assertThatThrownBy(() -> Terms.decode(new byte[] {(byte) 131, 77, 0, 0, 0, 1, 3, 1}))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("bit string");
    }

    @Test
    void decodedTermsAreImmutableForTheSendPolicy() {
        Object t = Terms.decode(Terms.encode(Tuple.of(Binary.of("x"), List.of(1L, Map.of(Atom.OK, 2.5)),
                new ImproperList(List.of(1L), Atom.OK), remotePid("a@b", 1, 2, 3))));
        assertThat(dev.preempt.internal.policy.Immutability.problem(t)).isNull();
    }

    record Point(int x, int y) {}

    record WorkItem(long id, String text, boolean urgent, Point at, List<Object> tags) {}

    @Test
    void recordsAreErlangRecords() throws Exception {
        WorkItem w = new WorkItem(7, "héllo", true, new Point(1, -2), List.of(Atom.of("a")));
        byte[] b = Terms.encode(w);
        String verdict = Erl.eval("T = binary_to_term(binary:decode_hex(<<\"" + Erl.hex(b) + "\">>)),"
                + "io:format(\"~w\", [T =:= {work_item, 7, <<\"héllo\"/utf8>>, true, {point, 1, -2}, [a]}]), halt().", 30);
        assertThat(verdict.trim()).isEqualTo("true");
        Tuple back = (Tuple) Terms.decode(b);
        assertThat(back.as(WorkItem.class)).isEqualTo(w);
        assertThat(dev.preempt.dist.internal.RecordMapping.tagOf(WorkItem.class)).isEqualTo("work_item");
        record HTTPRequest(String path) {}
        assertThat(dev.preempt.dist.internal.RecordMapping.tagOf(HTTPRequest.class)).isEqualTo("http_request");
        assertThatThrownBy(() -> Tuple.of(Atom.of("point"), 1L).as(Point.class))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("expected {point, ...} with 2 fields");
        assertThatThrownBy(() -> Tuple.of(Atom.of("point"), 1L, Binary.of("x")).as(Point.class))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("Point.y");
        assertThatThrownBy(() -> Tuple.of(Atom.of("point"), 1L, 1L << 40).as(Point.class))
                .isInstanceOf(UnmappableTermException.class).hasMessageContaining("does not convert to int");
    }
}
