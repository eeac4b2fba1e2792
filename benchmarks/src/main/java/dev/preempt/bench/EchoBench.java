package dev.preempt.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The echo sample under load, Preempt beside JDK virtual threads in one run. For each connection count,
 * {@code EchoServer} under the agent (a process per connection) and then {@code EchoServer --vthreads} in
 * a JVM without the agent (a plain virtual thread per connection, the same server code), each in a
 * fresh JVM (and between them {@code EchoServer --probe-high}, the probe and its connection's process at
 * {@code Priority.HIGH}, which virtual threads have no counterpart of, and the server under
 * {@code PreemptLoader} with no JVMTI agent, when {@code agent/preempt.args} is beside the agent jar's
 * {@code target/}), are loaded by {@code EchoLoad} in a JVM of its own (on the same cores, over loopback).
 * Prints a Markdown table: round trips per second and the server's probe lateness (a 1 ms sleep and
 * then a round trip over its own connection; {@code timer} is the sleep's overshoot alone), then the
 * product owner's goals and whether they were met.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.preempt.bench.EchoBench [--connections 2000,10000] [--seconds 10]
 *      [--warmup 3] [--rate R] [--runs 1] [--no-jvmti-transitions] [--jdk-pollers]
 *      [--agent path/to/preempt-agent.jar]
 * java -jar benchmarks/target/benchmarks.jar echo [--quick]
 * </pre>
 * {@code --runs N} repeats the whole sequence and adds a table of medians; {@code --no-jvmti-transitions}
 * adds the server under the agent with {@code -XX:-DoJVMTIVirtualThreadTransitions}; {@code --jdk-pollers}
 * adds it with the JDK's socket sub-pollers left on the JDK's pool ({@code -Dpreempt.pollers=jdk}); {@code --rate R}
 * paces each connection to R round trips a second (by default they go as fast as the replies come, so
 * the server is saturated and a request's wait is set by how many are ahead of it).
 */
public final class EchoBench {

    private static final String SERVER = "dev.preempt.samples.EchoServer";
    private static final String LOAD = "dev.preempt.samples.EchoLoad";

    private EchoBench() {}

    /** A way to run the server: its label, JVM options and arguments. */
    record Server(String label, List<String> jvmArgs, List<String> args, boolean baseline, String classPathFirst) {
        Server(String label, List<String> jvmArgs, List<String> args, boolean baseline) {
            this(label, jvmArgs, args, baseline, null);
        }
    }

    /** One measurement: the load's {@code key=value} pairs and the server's (its answer to #stats), or a failure. */
    record Row(int connections, Server server, int run, Map<String, String> load, Map<String, String> stats, String failure) {
        double rps() {
            return Double.parseDouble(load.get("rps"));
        }

        long us(String key) {
            return Long.parseLong(stats.get(key));
        }

        /** The server's CPU time per round trip in the measured stretch, microseconds (-1 if unknown). */
        double cpuPerRoundTrip() {
            String cpu = stats.get("cpuUs"), trips = load.get("roundtrips");
            if (cpu == null || trips == null || Long.parseLong(trips) == 0) return -1;
            return Double.parseDouble(cpu) / Long.parseLong(trips);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> connections = List.of(2_000, 10_000);
        double seconds = 10, warmup = 3, rate = 0;
        int runs = 1;
        boolean jvmtiOff = false;
        boolean jdkPollers = false;
        String agent = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> connections = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--no-jvmti-transitions" -> jvmtiOff = true;
                case "--jdk-pollers" -> jdkPollers = true;
                case "--agent" -> agent = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println(Report.machine());
        run(connections, seconds, warmup, rate, runs, jvmtiOff, jdkPollers, agent == null ? Report.findAgent() : agent);
    }

    /** The Report's {@code echo} suite. */
    static void report(boolean quick, String agent) throws Exception {
        run(List.of(2_000, 10_000), quick ? 5 : 10, quick ? 2 : 3, 0, 1, false, false, agent);
    }

    static void run(List<Integer> connections, double seconds, double warmup, double rate, int runs, boolean jvmtiOff,
            boolean jdkPollers, String agent) throws Exception {
        List<Server> servers = new ArrayList<>();
        servers.add(new Server("Preempt processes (agent)", List.of("-javaagent:" + agent), List.of("0"), false));
        servers.add(new Server("Preempt processes (agent, probe at Priority.HIGH)", List.of("-javaagent:" + agent),
                List.of("--probe-high", "0"), false));
        // The same rewriting without a JVMTI agent (PreemptLoader): the args file next to the agent jar's target/
        Path argsFile = Report.argsFile(agent);
        if (java.nio.file.Files.isRegularFile(argsFile)) {
            servers.add(new Server("Preempt processes (PreemptLoader, no agent)", List.of("@" + argsFile), List.of("0"), false,
                    agent));
        }
        if (jvmtiOff) {
            servers.add(new Server("Preempt processes (agent, " + Report.NO_VT_TRANSITIONS[1] + ")",
                    List.of("-javaagent:" + agent, Report.NO_VT_TRANSITIONS[0], Report.NO_VT_TRANSITIONS[1]), List.of("0"), false));
        }
        if (jdkPollers) {
            servers.add(new Server("Preempt processes (agent, -Dpreempt.pollers=jdk)",
                    List.of("-javaagent:" + agent, "-Dpreempt.pollers=jdk"), List.of("0"), false));
        }
        servers.add(new Server("JDK virtual threads (no agent)", List.of(), List.of("--vthreads", "0"), true));
        System.out.printf("Echo: %s s measured after %s s of warm-up, each connection %s, server and load in separate JVMs"
                + " on the same %d cores%n", seconds, warmup, rate > 0 ? "paced to " + rate + " round trips/s"
                : "as fast as the replies come", Runtime.getRuntime().availableProcessors());
        List<Row> rows = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (int n : connections) {
                for (Server s : servers) {
                    java.time.LocalTime start = java.time.LocalTime.now().withNano(0);
                    Row r = measure(s, n, seconds, warmup, rate, run);
                    rows.add(r);
                    System.out.println("  " + start + "-" + java.time.LocalTime.now().withNano(0) + " " + n + " connections, " + s.label() + ": "
                            + (r.failure() != null ? "FAILED " + r.failure() : r.load() + " " + r.stats()));
                }
            }
        }
        System.out.println();
        table(rows, runs > 1);
        List<Row> summary = runs > 1 ? medians(rows, connections, servers) : rows;
        if (runs > 1) {
            System.out.println();
            System.out.println("Medians over " + runs + " runs:");
            System.out.println();
            table(summary, false);
        }
        System.out.println();
        goals(summary, connections, rate > 0);
    }

    static Row measure(Server s, int connections, double seconds, double warmup, double rate, int run) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(s.jvmArgs());
        cmd.addAll(List.of("-cp", s.classPathFirst() == null ? cp : s.classPathFirst() + System.getProperty("path.separator") + cp, SERVER));
        cmd.addAll(s.args());
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> serverOut = new CopyOnWriteArrayList<>();
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    serverOut.add(l);
                    if (l.startsWith("echo listening")) listening.complete(l);
                }
            } catch (IOException ignored) {
                // the server was killed
            }
            listening.complete(null);
        });
        try {
            String line = listening.get(60, TimeUnit.SECONDS);
            if (line == null) return failed(connections, s, run, "the server ended: " + serverOut);
            String port = fields(line).get("port");
            List<String> load = new ArrayList<>(List.of(java, "-cp", cp, LOAD, port, String.valueOf(connections),
                    String.valueOf(seconds), "--warmup", String.valueOf(warmup), "--rate", String.valueOf(rate)));
            Process p = new ProcessBuilder(load).redirectErrorStream(true).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            if (!p.waitFor((long) (seconds + warmup) + 120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return failed(connections, s, run, "the load did not end: " + out.getNow(""));
            }
            String text = out.get(10, TimeUnit.SECONDS);
            Map<String, String> l = Map.of(), st = Map.of();
            for (String x : text.lines().toList()) {
                if (x.startsWith("load ")) l = fields(x);
                if (x.startsWith("server ")) st = fields(x);
            }
            if (p.exitValue() != 0 || !l.containsKey("rps") || !st.containsKey("probeP99us")) {
                return failed(connections, s, run, "exit " + p.exitValue() + ": " + text.strip().replace('\n', ' '));
            }
            return new Row(connections, s, run, l, st, null);
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            drain.join(5_000);
        }
    }

    private static Row failed(int connections, Server s, int run, String why) {
        return new Row(connections, s, run, Map.of(), Map.of(), why);
    }

    static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return m;
    }

    static void table(List<Row> rows, boolean withRun) {
        System.out.println("| connections | server" + (withRun ? " | run" : "")
                + " | round trips/s | / VT | server CPU / round trip | probe p50 | probe p99 | probe max | timer p99 | every reply |");
        System.out.println("|---|---" + (withRun ? "|---" : "") + "|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            String head = String.format("| %,d | %s%s", r.connections(), r.server().label(), withRun ? " | " + r.run() : "");
            if (r.failure() != null) {
                System.out.println(head + " | FAILED | | | | | | | |");
                continue;
            }
            Row vt = baseline(rows, r);
            String ratio = r.server().baseline() || vt == null ? "" : String.format("%.2fx", r.rps() / vt.rps());
            String replies = String.format("%,d of %,d ok", Long.parseLong(r.load().get("ok")), Long.parseLong(r.load().get("connections")));
            double cpu = r.cpuPerRoundTrip();
            System.out.printf("%s | %,.0f | %s | %s | %s | %s | %s | %s | %s |%n", head, r.rps(), ratio,
                    cpu < 0 ? "-" : String.format("%.1f us", cpu), ms(r.us("probeP50us")),
                    ms(r.us("probeP99us")), ms(r.us("probeMaxus")), ms(r.us("wakeP99us")), replies);
        }
    }

    /** The virtual-thread row of the same size and run. */
    private static Row baseline(List<Row> rows, Row r) {
        for (Row b : rows) {
            if (b.server().baseline() && b.connections() == r.connections() && b.run() == r.run() && b.failure() == null) return b;
        }
        return null;
    }

    /** Per size and server, the median of each figure over the runs (run 0). */
    static List<Row> medians(List<Row> rows, List<Integer> connections, List<Server> servers) {
        List<Row> out = new ArrayList<>();
        for (int n : connections) {
            for (Server s : servers) {
                List<Row> mine = rows.stream().filter(r -> r.connections() == n && r.server() == s && r.failure() == null).toList();
                if (mine.isEmpty()) {
                    out.add(failed(n, s, 0, "every run failed"));
                    continue;
                }
                Map<String, String> load = new LinkedHashMap<>(), stats = new LinkedHashMap<>();
                load.put("rps", String.valueOf(median(mine.stream().mapToDouble(Row::rps).toArray())));
                long ok = mine.stream().mapToLong(r -> Long.parseLong(r.load().get("ok"))).sum();
                load.put("ok", String.valueOf(ok));
                load.put("connections", String.valueOf((long) n * mine.size()));
                // The median run's CPU per round trip, carried as that run's pair of figures.
                Row mid = mine.stream().filter(r -> r.cpuPerRoundTrip() >= 0)
                        .sorted(java.util.Comparator.comparingDouble(Row::cpuPerRoundTrip)).skip(mine.size() / 2).findFirst().orElse(null);
                if (mid != null) {
                    load.put("roundtrips", mid.load().get("roundtrips"));
                    stats.put("cpuUs", mid.stats().get("cpuUs"));
                }
                for (String k : List.of("probeP50us", "probeP99us", "probeMaxus", "wakeP99us")) {
                    stats.put(k, String.valueOf((long) median(mine.stream().mapToDouble(r -> r.us(k)).toArray())));
                }
                out.add(new Row(n, s, 0, load, stats, null));
            }
        }
        return out;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The product owner's goals: throughput within 10% of virtual threads, probe p99 under 5 ms at 10,000.
     * Paced, the throughput is the load offered, not what the server can do, so only the probe is judged.
     */
    static void goals(List<Row> rows, List<Integer> connections, boolean paced) {
        for (int n : connections) {
            for (Row r : rows) {
                if (r.connections() != n || r.server().baseline() || r.failure() != null) continue;
                Row vt = baseline(rows, r);
                if (vt == null) continue;
                double ratio = r.rps() / vt.rps();
                if (!paced) System.out.printf("Goal, %,d connections, %s: throughput >= 0.90x virtual threads: %.2fx, %s%n", n,
                        r.server().label(), ratio, ratio >= 0.90 ? "met" : "NOT met");
                if (n >= 10_000) {
                    long p99 = r.us("probeP99us");
                    System.out.printf("Goal, %,d connections, %s: probe p99 < 5 ms: %s, %s (virtual threads: %s)%n", n,
                            r.server().label(), ms(p99), p99 < 5_000 ? "met" : "NOT met", ms(vt.us("probeP99us")));
                }
            }
        }
    }

    static String ms(long us) {
        if (us < 0) return "-";
        return us < 10_000 ? String.format("%.2f ms", us / 1e3) : String.format("%.0f ms", us / 1e3);
    }
}
