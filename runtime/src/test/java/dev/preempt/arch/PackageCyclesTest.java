package dev.preempt.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The runtime's packages form no cycle (ARCHITECTURE, "Modules and rooms"): the build fails on a new one.
 * Class dependencies come from the JDK's {@code jdeps} over the compiled classes. One kind of edge is
 * not counted: a dependency of an internal package on the public API's value types ({@code Pid},
 * {@code Ref}, {@code ExitReason}, {@code Exit}, {@code Down}, {@code Call}, ... in {@code dev.preempt}),
 * which every room speaks; the facade's entry points ({@code Preempt}, {@code Scheduler}, {@code Server},
 * {@code ServerRef}) count like any other class, so an internal package that calls
 * them while the API calls it is a cycle. The one bridge that is by design both ways, {@code Pid} ↔
 * {@code ApiAccess} ↔ {@code Proc} (the JDK's SharedSecrets pattern), goes through a value type.
 */
class PackageCyclesTest {

    /**
     * The API's entry points. Not {@code Supervisor}: its nested records are value types ({@code Child},
     * {@code ChildSpec}), and a class that uses one depends on {@code Supervisor} too (the class file's
     * InnerClasses entry), which jdeps cannot tell from a call.
     */
    private static final Set<String> FACADE = Set.of("dev.preempt.Preempt", "dev.preempt.Scheduler", "dev.preempt.Server",
            "dev.preempt.ServerRef");
    private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.preempt\\.\\S+)\\s+->\\s+(dev\\.preempt\\.\\S+)\\s");

    @Test
    void theRuntimesPackagesFormNoCycle() {
        Path classes = Path.of("target", "classes");
        assertThat(Files.isDirectory(classes)).as("compiled classes at %s", classes.toAbsolutePath()).isTrue();
        Map<String, Set<String>> graph = packageGraph(classes);
        assertThat(graph).as("jdeps found the runtime's packages").containsKeys("dev.preempt", "dev.preempt.internal.sched");
        List<List<String>> cycles = cycles(graph);
        assertThat(cycles).as("package cycles (each a strongly connected set of packages); graph: %s", graph).isEmpty();
    }

    /** Package to the packages it depends on, from jdeps' class-level output, without value-type edges into the API. */
    static Map<String, Set<String>> packageGraph(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "-filter:none", classes.toString());
        assertThat(rc).as("jdeps: %s", out).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (!m.find()) continue;
            String from = m.group(1), to = m.group(2);
            String fromPkg = pkg(from), toPkg = pkg(to);
            graph.computeIfAbsent(fromPkg, k -> new TreeSet<>());
            if (fromPkg.equals(toPkg)) continue;
            if (toPkg.equals("dev.preempt") && !fromPkg.equals("dev.preempt") && !FACADE.contains(to)) continue; // a value type
            graph.get(fromPkg).add(toPkg);
        }
        return graph;
    }

    private static String pkg(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    /** Tarjan's strongly connected components of more than one package. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) connect(v, graph, index, low, stack, onStack, out, counter);
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
            Deque<String> stack, Set<String> onStack, List<List<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> scc = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                scc.add(w);
            } while (!w.equals(v));
            if (scc.size() > 1) out.add(scc);
        }
    }

    @Test
    void theCheckSeesACycle() {
        Map<String, Set<String>> g = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
        assertThat(cycles(g)).hasSize(1);
        assertThat(cycles(g).get(0)).containsExactlyInAnyOrder("a", "b", "c");
    }
}
