package dev.preempt.bench.libs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ListMultimap;
import com.google.common.collect.MultimapBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.commons.lang3.StringUtils;
import org.apache.commons.lang3.text.StrBuilder;

/**
 * Real-library and real-shaped workloads for {@code LibraryBenchmarks}: each is deterministic, takes
 * tens to hundreds of microseconds, and returns a checksum so the JIT cannot drop it. This package is
 * application code to the agent, and so are Jackson, Guava and commons-lang3: under the agent all of
 * them are rewritten, as a user's would be.
 */
public final class Workloads {

    private Workloads() {}

    /** Every workload by name, in the order the report lists them. */
    public static LongSupplier byName(String name) {
        return switch (name) {
            case "jacksonRecords" -> Workloads::jacksonRecords;
            case "jacksonTree" -> Workloads::jacksonTree;
            case "jacksonWrite" -> Workloads::jacksonWrite;
            case "guavaCollections" -> Workloads::guavaCollections;
            case "guavaSplitJoin" -> Workloads::guavaSplitJoin;
            case "guavaCache" -> Workloads::guavaCache;
            case "lang3Strings" -> Workloads::lang3Strings;
            case "exprParser" -> Workloads::exprParser;
            case "interpreter" -> Workloads::interpreter;
            case "streams" -> Workloads::streams;
            case "wordCount" -> Workloads::wordCount;
            case "megamorphic" -> Workloads::megamorphic;
            default -> throw new IllegalArgumentException("no workload " + name);
        };
    }

    // ---- Jackson databind: a 500-item document ----

    /** One item of the JSON document. */
    public record Item(int id, String name, double price, boolean active, List<String> tags, Map<String, Integer> stock) {}

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<Item> ITEMS = items(500);
    static final String JSON;
    static final TypeReference<List<Item>> ITEM_LIST = new TypeReference<>() {};

    static {
        try {
            JSON = MAPPER.writeValueAsString(ITEMS);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static List<Item> items(int n) {
        SplittableRandom r = new SplittableRandom(7);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> tags = new ArrayList<>();
            for (int t = r.nextInt(1, 5); t > 0; t--) tags.add("tag-" + r.nextInt(50));
            Map<String, Integer> stock = new HashMap<>();
            for (int s = r.nextInt(1, 4); s > 0; s--) stock.put("warehouse-" + r.nextInt(10), r.nextInt(1000));
            items.add(new Item(i, "item number " + i + " " + Long.toHexString(r.nextLong()), r.nextDouble() * 100, r.nextBoolean(),
                    tags, stock));
        }
        return items;
    }

    /** Parse the document into records. */
    public static long jacksonRecords() {
        try {
            List<Item> items = MAPPER.readValue(JSON, ITEM_LIST);
            long s = 0;
            for (Item it : items) s += it.id() + it.tags().size() + it.stock().size();
            return s;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parse the document into a tree and walk it. */
    public static long jacksonTree() {
        try {
            JsonNode root = MAPPER.readTree(JSON);
            long s = 0;
            for (JsonNode it : root) {
                s += it.get("id").asInt() + it.get("tags").size();
                for (JsonNode v : it.get("stock")) s += v.asInt();
            }
            return s;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serialise the records. */
    public static long jacksonWrite() {
        try {
            return MAPPER.writeValueAsString(ITEMS).length();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Guava ----

    static final String CSV;

    static {
        StringBuilder b = new StringBuilder();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) b.append(i % 7 == 0 ? "  " : "").append("field").append(r.nextInt(300)).append(i % 5 == 0 ? " , " : ",");
        CSV = b.toString();
    }

    /** Immutable collections: build lists, sets, maps and a multimap, then look things up. */
    public static long guavaCollections() {
        ImmutableList.Builder<Integer> lb = ImmutableList.builder();
        ImmutableMap.Builder<String, Integer> mb = ImmutableMap.builder();
        ListMultimap<Integer, String> mm = MultimapBuilder.hashKeys().arrayListValues().build();
        for (int i = 0; i < 1_000; i++) {
            lb.add(i);
            mb.put("k" + i, i);
            mm.put(i % 17, "v" + i);
        }
        ImmutableList<Integer> list = lb.build();
        ImmutableMap<String, Integer> map = mb.buildOrThrow();
        ImmutableSet<Integer> set = ImmutableSet.copyOf(list.subList(100, 900));
        ImmutableSortedMap<String, Integer> sorted = ImmutableSortedMap.copyOf(map);
        long s = 0;
        for (int i = 0; i < 1_000; i++) {
            if (set.contains(i)) s++;
            s += map.get("k" + i);
            s += mm.get(i % 17).size();
        }
        return s + sorted.firstKey().length() + list.reverse().get(0);
    }

    static final Splitter SPLITTER = Splitter.on(',').trimResults().omitEmptyStrings();
    static final Joiner JOINER = Joiner.on(';').skipNulls();

    /** Split a CSV line with trimming, then join it back. */
    public static long guavaSplitJoin() {
        List<String> parts = SPLITTER.splitToList(CSV);
        String joined = JOINER.join(parts);
        long s = joined.length();
        for (String p : Splitter.on(';').split(joined)) s += p.length() & 3;
        return s;
    }

    /** A bounded loading cache under a skewed key stream. */
    public static long guavaCache() {
        LoadingCache<Integer, String> cache = CacheBuilder.newBuilder().maximumSize(200).build(new CacheLoader<>() {
            @Override
            public String load(Integer key) {
                return "value-" + key;
            }
        });
        SplittableRandom r = new SplittableRandom(11);
        long s = 0;
        for (int i = 0; i < 5_000; i++) {
            int k = r.nextInt(10) < 8 ? r.nextInt(100) : r.nextInt(2_000);
            s += cache.getUnchecked(k).length();
        }
        return s + cache.size();
    }

    // ---- commons-lang3 ----

    static final String[] WORDS = CSV.split(",");

    /** StringUtils and StrBuilder work over a few thousand short strings. */
    @SuppressWarnings("deprecation") // StrBuilder: still the commons-lang3 builder most code bases use
    public static long lang3Strings() {
        StrBuilder b = new StrBuilder();
        long s = 0;
        for (String w : WORDS) {
            String t = StringUtils.trimToEmpty(w);
            if (StringUtils.isBlank(t)) continue;
            t = StringUtils.capitalize(t);
            s += StringUtils.countMatches(t, 'e');
            b.append(StringUtils.leftPad(StringUtils.abbreviate(t, 7), 9, '.')).append('|');
            if (StringUtils.containsIgnoreCase(t, "ELD1")) s++;
        }
        String all = b.toString();
        s += StringUtils.split(all, '|').length;
        s += StringUtils.replaceEach(all, new String[] {"Fie", ".."}, new String[] {"f", "_"}).length();
        return s;
    }

    // ---- hand-written code ----

    static final String EXPR;

    static {
        StringBuilder b = new StringBuilder();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 400; i++) {
            if (i > 0) b.append(" + ");
            b.append("(").append(r.nextInt(100)).append(" * ").append(r.nextInt(1, 9)).append(" - ").append(r.nextInt(50)).append(")");
            if (i % 3 == 0) b.append(" / ").append(r.nextInt(1, 5));
        }
        EXPR = b.toString();
    }

    /** A tokenizer and a recursive-descent parser that evaluates an arithmetic expression. */
    public static long exprParser() {
        return new Parser(EXPR).expression();
    }

    static final class Parser {
        private final String src;
        private int pos;

        Parser(String src) {
            this.src = src;
        }

        private char peek() {
            while (pos < src.length() && src.charAt(pos) == ' ') pos++;
            return pos < src.length() ? src.charAt(pos) : '\0';
        }

        long expression() {
            long v = term();
            for (char c; (c = peek()) == '+' || c == '-'; ) {
                pos++;
                v = c == '+' ? v + term() : v - term();
            }
            return v;
        }

        long term() {
            long v = factor();
            for (char c; (c = peek()) == '*' || c == '/'; ) {
                pos++;
                v = c == '*' ? v * factor() : v / factor();
            }
            return v;
        }

        long factor() {
            char c = peek();
            if (c == '(') {
                pos++;
                long v = expression();
                peek();
                pos++; // ')'
                return v;
            }
            long v = 0;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) v = v * 10 + (src.charAt(pos++) - '0');
            return v;
        }
    }

    /** A small stack-machine program: sum of i*i mod 7 over a loop, as a bytecode interpreter runs it. */
    static final int[] PROGRAM = {
        // 0: push 0 (acc); 2: push 0 (i)
        1, 0, 1, 0,
        // 4: loop: dup i; push 20000; lt; jz end(30)
        2, 1, 20_000, 3, 4, 30,
        // 10: dup i; dup i; mul; push 7; mod; add to acc (swap trick: acc i x -> acc+x i)
        2, 2, 5, 1, 7, 6, 7,
        // 17: push 1; add (i+1); jmp loop
        1, 1, 8, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0,
        // 30: halt
        10
    };

    /** Runs {@link #PROGRAM}: a switch over opcodes in a loop, the shape of every interpreter. */
    public static long interpreter() {
        long[] stack = new long[16];
        int sp = 0, pc = 0;
        int[] code = PROGRAM;
        while (true) {
            switch (code[pc]) {
                case 1 -> { stack[sp++] = code[pc + 1]; pc += 2; } // push imm
                case 2 -> { stack[sp] = stack[sp - 1]; sp++; pc++; } // dup
                case 3 -> { long b = stack[--sp], a = stack[--sp]; stack[sp++] = a < b ? 1 : 0; pc++; } // lt
                case 4 -> { if (stack[--sp] == 0) pc = code[pc + 1]; else pc += 2; } // jz
                case 5 -> { long b = stack[--sp], a = stack[--sp]; stack[sp++] = a * b; pc++; } // mul
                case 6 -> { long b = stack[--sp], a = stack[--sp]; stack[sp++] = a % b; pc++; } // mod
                case 7 -> { long x = stack[--sp], i = stack[--sp]; stack[sp - 1] += x; stack[sp++] = i; pc++; } // acc += x
                case 8 -> { long b = stack[--sp], a = stack[--sp]; stack[sp++] = a + b; pc++; } // add
                case 9 -> pc = code[pc + 1]; // jmp
                case 10 -> { return stack[0]; } // halt
                default -> throw new IllegalStateException("bad opcode " + code[pc] + " at " + pc);
            }
        }
    }

    /** A stream pipeline with lambdas over records: filter, map, group, sum. */
    public static long streams() {
        Map<String, Double> byTag = ITEMS.stream()
                .filter(Item::active)
                .flatMap(it -> it.tags().stream().map(t -> Map.entry(t, it.price())))
                .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.summingDouble(Map.Entry::getValue)));
        long top = byTag.values().stream().mapToLong(Math::round).sorted().limit(10).sum();
        return top + ITEMS.stream().mapToInt(it -> it.stock().values().stream().mapToInt(Integer::intValue).sum()).max().orElse(0);
    }

    static final String TEXT;

    static {
        String[] vocabulary = "the quick brown fox jumps over lazy dog while preempt schedules every process fairly on two cores"
                .split(" ");
        SplittableRandom r = new SplittableRandom(9);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6_000; i++) {
            b.append(vocabulary[r.nextInt(vocabulary.length)]);
            b.append(i % 11 == 0 ? ".\n" : i % 4 == 0 ? ", " : " ");
        }
        TEXT = b.toString();
    }

    /** Word frequencies by scanning characters (no regex), then the most frequent lengths. */
    public static long wordCount() {
        Map<String, Integer> counts = new HashMap<>();
        String t = TEXT;
        int start = -1;
        for (int i = 0; i <= t.length(); i++) {
            boolean letter = i < t.length() && Character.isLetter(t.charAt(i));
            if (letter && start < 0) start = i;
            else if (!letter && start >= 0) {
                counts.merge(t.substring(start, i).toLowerCase(), 1, Integer::sum);
                start = -1;
            }
        }
        long s = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) s += (long) e.getKey().length() * e.getValue();
        return s;
    }

    // ---- allocation churn through small virtual methods ----

    /** A shape: six implementations, so a call site that sees them all is megamorphic. */
    public sealed interface Shape permits Circle, Square, Rect, Tri, Ring, Dot {
        double area();

        Shape scaled(double f);
    }

    record Circle(double r) implements Shape {
        public double area() { return 3.14159 * r * r; }

        public Shape scaled(double f) { return new Circle(r * f); }
    }

    record Square(double s) implements Shape {
        public double area() { return s * s; }

        public Shape scaled(double f) { return new Square(s * f); }
    }

    record Rect(double w, double h) implements Shape {
        public double area() { return w * h; }

        public Shape scaled(double f) { return new Rect(w * f, h); }
    }

    record Tri(double b, double h) implements Shape {
        public double area() { return b * h / 2; }

        public Shape scaled(double f) { return new Tri(b, h * f); }
    }

    record Ring(double r1, double r2) implements Shape {
        public double area() { return 3.14159 * (r2 * r2 - r1 * r1); }

        public Shape scaled(double f) { return new Ring(r1 * f, r2 * f); }
    }

    record Dot() implements Shape {
        public double area() { return 0; }

        public Shape scaled(double f) { return this; }
    }

    static final Shape[] SHAPES = shapes(3_000);

    static Shape[] shapes(int n) {
        SplittableRandom r = new SplittableRandom(13);
        Shape[] a = new Shape[n];
        for (int i = 0; i < n; i++) {
            double x = r.nextDouble(1, 3);
            a[i] = switch (r.nextInt(6)) {
                case 0 -> new Circle(x);
                case 1 -> new Square(x);
                case 2 -> new Rect(x, x + 1);
                case 3 -> new Tri(x, 2);
                case 4 -> new Ring(x, x + 1);
                default -> new Dot();
            };
        }
        return a;
    }

    /** Megamorphic calls and a short-lived object per call. */
    public static long megamorphic() {
        double total = 0;
        for (Shape s : SHAPES) {
            Shape t = s.scaled(1.5);
            total += t.area() - s.area();
        }
        return (long) total;
    }
}
