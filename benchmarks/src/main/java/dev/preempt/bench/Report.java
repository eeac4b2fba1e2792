package dev.preempt.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the suites and prints side-by-side tables (Markdown) with the machine they ran on:
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [runtime] [overhead] [footprint] [echo] [libraries] [startup] [schedules] [--quick] [--agent path/to/preempt-agent.jar]
 * java -jar benchmarks/target/benchmarks.jar tail [options, see TailSuite]
 * </pre>
 * With no suite named, all but {@code tail} run (runtime, overhead, footprint, echo, libraries, startup, schedules). {@code --quick} shortens warm-up and measurement
 * (wider error). {@code tail} (scheduling gaps beside CPU hogs, Preempt beside BEAM) runs alone, from
 * the repository root.
 */
public final class Report {

    private Report() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("tail")) {
            System.out.println(machine());
            TailSuite.run(List.of(args).subList(1, args.length), findAgent());
            return;
        }
        List<String> suites = new ArrayList<>();
        boolean quick = false;
        String agent = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--agent" -> agent = args[++i];
                default -> suites.add(args[i]);
            }
        }
        if (suites.isEmpty()) suites = List.of("runtime", "overhead", "footprint", "echo", "libraries", "startup", "schedules");
        if (agent == null) agent = findAgent();
        System.out.println(machine());
        if (suites.contains("runtime")) {
            runtime(quick);
            underAgent(quick, agent);
        }
        if (suites.contains("footprint")) footprint();
        if (suites.contains("overhead")) overhead(quick, agent);
        if (suites.contains("libraries")) libraries(quick, agent);
        if (suites.contains("startup")) startup(quick ? 3 : 7, agent);
        if (suites.contains("schedules")) schedules(quick);
        if (suites.contains("echo")) {
            System.out.println();
            EchoBench.report(quick, agent);
        }
    }

    static ChainedOptionsBuilder base(boolean quick) {
        ChainedOptionsBuilder b = new OptionsBuilder().shouldFailOnError(true);
        if (quick) {
            b.warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3).measurementTime(TimeValue.seconds(1));
        }
        return b;
    }

    static void runtime(boolean quick) throws Exception {
        Collection<RunResult> rs = new Runner(base(quick).include(RuntimeBenchmarks.class.getName() + "\\.").build()).run();
        Map<String, double[]> byName = scores(rs);
        System.out.println();
        System.out.println("| workload | Preempt | JDK virtual threads | Preempt / VT |");
        System.out.println("|---|---|---|---|");
        row(byName, "spawn (a process that then waits)", "spawn", "ns");
        row(byName, "yield + resume", "yield", "ns");
        row(byName, "ping-pong round trip", "pingPong", "ns");
        double[] rp = byName.get("ringPreempt"), rv = byName.get("ringVirtualThread");
        if (rp != null && rv != null) {
            System.out.printf("| ring 10,000 x 100 | %.2f M msg/s (%.0f ns/hop) | %.2f M msg/s (%.0f ns/hop) | %.2fx the throughput |%n",
                    1e3 / rp[0], rp[0], 1e3 / rv[0], rv[0], rv[0] / rp[0]);
        }
    }

    /**
     * {@link ScheduleBenchmarks}: schedules per second of a small test, one fresh scheduler per
     * schedule, under each strategy and on a normal one-carrier scheduler.
     */
    static void schedules(boolean quick) throws Exception {
        Collection<RunResult> rs = new Runner(base(quick).include(ScheduleBenchmarks.class.getName() + "\\.").build()).run();
        System.out.println();
        System.out.println("| small test (4 processes), a fresh scheduler per run | random walk | PCT (d=3) | POS | normal scheduler, 1 carrier |");
        System.out.println("|---|---|---|---|---|");
        for (String body : List.of("lostUpdate", "bank")) {
            Map<String, double[]> by = byParam(rs, body, "strategy");
            StringBuilder row = new StringBuilder("| " + body);
            for (String st : List.of("random", "pct", "pos", "normal")) {
                double[] us = by.get(st);
                row.append(us == null ? " | -" : String.format(" | %.0f runs/s (%.0f ± %.0f us)", 1e6 / us[0], us[0], us[1]));
            }
            System.out.println(row.append(" |"));
        }
    }

    /** The JVMTI flag that stops the VM from reporting every virtual-thread mount to agents. */
    static final String[] NO_VT_TRANSITIONS = {"-XX:+UnlockExperimentalVMOptions", "-XX:-DoJVMTIVirtualThreadTransitions"};

    /**
     * Switch costs as users meet them: under {@code -javaagent} (any agent makes the VM report every
     * virtual-thread mount and unmount to JVMTI), with that reporting turned off, and with no agent at
     * all under {@code PreemptLoader} ({@code java @agent/preempt.args}, the agent jar on the class path:
     * JMH's forks take the class path of this JVM, so it is appended to it for that run).
     */
    static void underAgent(boolean quick, String agent) throws Exception {
        String include = RuntimeBenchmarks.class.getName() + "\\.(yield|pingPong|ring)Preempt";
        String exclude = "exclude=dev.preempt.bench.jmh_generated:org.openjdk.jmh";
        String agentArg = "-javaagent:" + agent + "=" + exclude;
        Map<String, double[]> with = scores(new Runner(base(quick).include(include).jvmArgsAppend(agentArg).build()).run());
        Map<String, double[]> off = scores(new Runner(base(quick).include(include)
                .jvmArgsAppend(agentArg, NO_VT_TRANSITIONS[0], NO_VT_TRANSITIONS[1]).build()).run());
        Map<String, double[]> loader = Map.of();
        Path args = argsFile(agent);
        if (Files.isRegularFile(args)) {
            String cp = System.getProperty("java.class.path");
            System.setProperty("java.class.path", cp + File.pathSeparator + agent);
            try {
                loader = scores(new Runner(base(quick).include(include)
                        .jvmArgsAppend("@" + args, "-Dpreempt.options=" + exclude).build()).run());
            } finally {
                System.setProperty("java.class.path", cp);
            }
        }
        System.out.println();
        System.out.println("| Preempt, with its rewriting | -javaagent:preempt-agent.jar | agent, with " + String.join(" ", NO_VT_TRANSITIONS)
                + " | no agent: java @agent/preempt.args (PreemptLoader) |");
        System.out.println("|---|---|---|---|");
        for (String[] w : new String[][] {{"yield + resume", "yieldPreempt"}, {"ping-pong round trip", "pingPongPreempt"},
                {"ring 10,000 x 100 (per hop)", "ringPreempt"}}) {
            double[] a = with.get(w[1]), b = off.get(w[1]), c = loader.get(w[1]);
            if (a == null || b == null) continue;
            boolean ring = w[1].equals("ringPreempt");
            System.out.printf("| %s | %s | %s | %s |%n", w[0], cell(a, ring), cell(b, ring), c == null ? "-" : cell(c, ring));
        }
    }

    private static String cell(double[] ns, boolean ring) {
        return ring ? String.format("%.0f ± %.0f ns (%.2f M msg/s)", ns[0], ns[1], 1e3 / ns[0]) : String.format("%.0f ± %.0f ns", ns[0], ns[1]);
    }

    static void row(Map<String, double[]> s, String label, String prefix, String unit) {
        double[] p = s.get(prefix + "Preempt"), v = s.get(prefix + "VirtualThread");
        if (p == null || v == null) return;
        System.out.printf("| %s | %.0f ± %.0f %s | %.0f ± %.0f %s | %.2fx |%n", label, p[0], p[1], unit, v[0], v[1], unit, p[0] / v[0]);
    }

    static void overhead(boolean quick, String agent) throws Exception {
        String exclude = "exclude=dev.preempt.bench.jmh_generated:org.openjdk.jmh";
        // three forks each: one JIT outcome per fork, and single forks differed by up to 2x on their own
        int forks = quick ? 1 : 3;
        Collection<RunResult> plain = new Runner(base(quick).forks(forks).include(OverheadBenchmarks.class.getName() + "\\.").build()).run();
        Collection<RunResult> with = new Runner(base(quick).forks(forks).include(OverheadBenchmarks.class.getName() + "\\.")
                .jvmArgsAppend("-javaagent:" + agent + "=" + exclude).build()).run();
        table("kernel (inside a process)", byParam(plain, "kernel"), byParam(with, "kernel"));
        table("kernel (on a plain thread, not a process)", byParam(plain, "kernelOnPlainThread"),
                byParam(with, "kernelOnPlainThread"));
    }

    /**
     * {@link LibraryBenchmarks} in three JVM runs, without the agent and with it in each {@code ticks=} mode: per workload the four ways
     * the issue names (no agent on a plain thread, agent on a plain thread, agent inside a process, no
     * agent on a plain virtual thread), the two ratios users pay, and their geometric means.
     */
    static void libraries(boolean quick, String agent) throws Exception {
        String exclude = "exclude=dev.preempt.bench.jmh_generated:org.openjdk.jmh";
        int forks = quick ? 1 : 2;
        String include = LibraryBenchmarks.class.getName() + "\\.";
        Collection<RunResult> plain = new Runner(base(quick).forks(forks).include(include).build()).run();
        Map<String, double[]> thread = byParam(plain, "onThread", "workload"), vthread = byParam(plain, "onVirtualThread", "workload");
        Map<String, double[]> plainProcess = byParam(plain, "inProcess", "workload");
        for (String ticks : List.of("count", "flag")) {
            Collection<RunResult> with = new Runner(base(quick).forks(forks).include(include)
                    .jvmArgsAppend("-javaagent:" + agent + "=" + exclude + ",ticks=" + ticks).build()).run();
            Map<String, double[]> agentThread = byParam(with, "onThread", "workload"), agentProcess = byParam(with, "inProcess", "workload");
            System.out.println();
            System.out.println("ticks=" + ticks + (ticks.equals("count") ? " (the default)" : ""));
            System.out.println();
            System.out.println("| workload (us per 10 runs) | no agent, thread | agent, thread | agent, process | no agent, virtual thread "
                    + "| no agent, process | agent thread / thread | agent process / virtual thread |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            double logThread = 0, logProcess = 0, worstThread = 0, worstProcess = 0;
            int n = 0;
            for (String k : thread.keySet()) {
                double[] a = thread.get(k), b = agentThread.get(k), c = agentProcess.get(k), d = vthread.get(k), e = plainProcess.get(k);
                if (b == null || c == null || d == null || e == null) continue;
                double rt = b[0] / a[0], rp = c[0] / d[0];
                logThread += Math.log(rt);
                logProcess += Math.log(rp);
                worstThread = Math.max(worstThread, rt);
                worstProcess = Math.max(worstProcess, rp);
                n++;
                System.out.printf("| %s | %.0f ± %.0f | %.0f ± %.0f | %.0f ± %.0f | %.0f ± %.0f | %.0f ± %.0f | %.2fx | %.2fx |%n", k, a[0],
                        a[1], b[0], b[1], c[0], c[1], d[0], d[1], e[0], e[1], rt, rp);
            }
            if (n > 0) {
                System.out.printf("| **geometric mean** (worst) | | | | | | **%.2fx** (%.2fx) | **%.2fx** (%.2fx) |%n",
                        Math.exp(logThread / n), worstThread, Math.exp(logProcess / n), worstProcess);
            }
        }
    }

    /**
     * {@link StartupApp} in fresh JVMs, alternately without and with the agent ({@code stats=true}):
     * the median time from the JVM's start to the first reply, and the agent's own count of classes
     * rewritten and time spent rewriting, from its last run.
     */
    static void startup(int runs, String agent) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        List<Long> plain = new ArrayList<>(), with = new ArrayList<>(), loader = new ArrayList<>(), cached = new ArrayList<>();
        String stats = "", cacheStats = "";
        // cache=DIR: a first run fills it (and packs it at exit); the runs below read it back
        Path cacheDir = Files.createTempDirectory("preempt-startup-cache");
        List<String> withCache = List.of(javaBin, "-javaagent:" + agent + "=stats=true,cache=" + cacheDir, "-cp", cp,
                StartupApp.class.getName());
        runChild(withCache);
        Path args = argsFile(agent);
        for (int i = 0; i < runs; i++) {
            if (Files.isRegularFile(args)) { // no agent: the same rewriting by PreemptLoader
                loader.add(Long.parseLong(field(runChild(List.of(javaBin, "@" + args, "-Dpreempt.options=stats=true",
                        "-cp", cp + File.pathSeparator + agent, StartupApp.class.getName()))[0], "firstRequestMs")));
            }
            // without the agent the runtime needs java.lang opened (the agent opens it itself)
            plain.add(Long.parseLong(field(runChild(List.of(javaBin, "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true",
                    "-cp", cp, StartupApp.class.getName()))[0], "firstRequestMs")));
            String[] out = runChild(List.of(javaBin, "-javaagent:" + agent + "=stats=true", "-cp", cp, StartupApp.class.getName()));
            with.add(Long.parseLong(field(out[0], "firstRequestMs")));
            stats = out[1];
            String[] c = runChild(withCache);
            cached.add(Long.parseLong(field(c[0], "firstRequestMs")));
            cacheStats = c[1];
        }
        java.util.Collections.sort(cached);
        java.util.Collections.sort(plain);
        java.util.Collections.sort(with);
        java.util.Collections.sort(loader);
        long a = plain.get(runs / 2), b = with.get(runs / 2);
        System.out.println();
        System.out.println("| start-up to the first reply (Jackson app, median of " + runs + ") | not rewritten | with the agent | ratio"
                + " | the agent with cache=DIR (filled) | ratio | PreemptLoader (no agent) | ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        String l = loader.isEmpty() ? "- | -" : String.format("%d ms (%s) | %.2fx", loader.get(runs / 2), loader,
                (double) loader.get(runs / 2) / a);
        long c = cached.get(runs / 2);
        System.out.printf("| %s | %d ms (%s) | %d ms (%s) | %.2fx | %d ms (%s) | %.2fx | %s |%n", "StartupApp", a, plain, b, with,
                (double) b / a, c, cached, (double) c / a, l);
        System.out.println(stats);
        System.out.println(cacheStats);
        try (Stream<Path> files = Files.walk(cacheDir)) { // the cache was this suite's own
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    /** PreemptLoader's args file for the agent jar at {@code agent}: {@code agent/preempt.args}, beside its {@code target/}. */
    static Path argsFile(String agent) {
        return Path.of(agent).toAbsolutePath().getParent().getParent().resolve("preempt.args");
    }

    /** Runs a JVM; returns its {@code startup} line and its agent-stats line. */
    static String[] runChild(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String line = null, stats = "";
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l; (l = r.readLine()) != null; ) {
                all.append(l).append('\n');
                if (l.startsWith("startup ")) line = l;
                if (l.contains("agent stats")) stats = l;
            }
        }
        if (p.waitFor() != 0 || line == null) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + all);
        return new String[] {line, stats};
    }

    /** One row per kernel: uninstrumented, with the agent, the ratio; then the geometric mean. */
    static void table(String title, Map<String, double[]> a, Map<String, double[]> b) {
        System.out.println();
        System.out.println("| " + title + " | uninstrumented | with the agent | ratio |");
        System.out.println("|---|---|---|---|");
        double logSum = 0;
        int n = 0;
        for (String k : a.keySet()) {
            double[] x = a.get(k), y = b.get(k);
            if (y == null) continue;
            double ratio = y[0] / x[0];
            logSum += Math.log(ratio);
            n++;
            System.out.printf("| %s | %.1f ± %.1f us | %.1f ± %.1f us | %.2fx |%n", k, x[0], x[1], y[0], y[1], ratio);
        }
        if (n > 0) System.out.printf("| **geometric mean** | | | **%.2fx** |%n", Math.exp(logSum / n));
    }

    static void footprint() throws Exception {
        System.out.println();
        System.out.println("| idle, 1,000,000 of them | heap per idle one | time per spawn |");
        System.out.println("|---|---|---|");
        for (String what : List.of("preempt", "vthreads")) {
            String line = child(Footprint.class.getName(), what, "1000000");
            String bytes = field(line, "bytesPerIdle"), spawn = field(line, "spawnNanos");
            System.out.printf("| %s | %s bytes | %s ns |%n", what.equals("preempt") ? "Preempt processes (in receive)"
                    : "JDK virtual threads (on a latch)", bytes, spawn);
        }
    }

    static String field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) return part.substring(key.length() + 1);
        }
        return "?";
    }

    static String child(String main, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The JDK internals the agent (or agent/preempt.args) opens, as users run Preempt: with
        // jdk.internal.vm open, processes start in their scheduler's own thread container (ThreadStarter).
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.vm=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Dpreempt.quiet=true", "-Xmx8g", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("footprint")) last = l;
            }
        }
        p.waitFor();
        return last;
    }

    static Map<String, double[]> scores(Collection<RunResult> rs) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (RunResult r : rs) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            out.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        return out;
    }

    /** The results of one benchmark method, by kernel. */
    static Map<String, double[]> byParam(Collection<RunResult> rs, String method) {
        return byParam(rs, method, "kernel");
    }

    /** The results of one benchmark method, by the value of {@code param}. */
    static Map<String, double[]> byParam(Collection<RunResult> rs, String method, String param) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (RunResult r : rs) {
            if (!r.getParams().getBenchmark().endsWith("." + method)) continue;
            out.put(r.getParams().getParam(param),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        return out;
    }

    static String findAgent() {
        for (String p : List.of("agent/target/preempt-agent.jar", "../agent/target/preempt-agent.jar")) {
            if (new File(p).isFile()) return new File(p).getAbsolutePath();
        }
        throw new IllegalStateException("cannot find preempt-agent.jar; build it (./test.sh) or pass --agent <path>");
    }

    static String machine() {
        String cpu = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB max heap for the harness, Java "
                + Runtime.version() + ", " + System.getProperty("os.name") + ", " + LocalDate.now();
    }
}
