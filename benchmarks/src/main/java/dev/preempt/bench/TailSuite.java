package dev.preempt.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Report}'s {@code tail} suite: {@link TailGap} in forked JVMs under the agent (2 carriers), the
 * same program on BEAM ({@code benchmarks/erlang/tail_gap.erl}, 2 schedulers, if {@code erl} is on the
 * PATH) and on JDK virtual threads, with 0, 8 and 64 hogs, several rounds in one sitting; then a table
 * with every round's figure side by side.
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar tail [--runs 3] [--seconds 5] [--warmup 1] [--hogs 0,8,64] [--quiet 0.1]
 *      [--systems preempt,beam,vthreads] [--jvm-opt OPTION]... [--agent-opts carriers=2] [--agent preempt-agent.jar]
 * </pre>
 * The machine must be otherwise idle for the figures to mean anything: before each child the suite
 * waits (up to two minutes) until other processes use less than {@code --quiet} of the CPU over a
 * second, runs a child again (up to three tries) if others used more than that while it ran, and each
 * row shows how much of the CPU others used ({@code others' CPU}).
 */
final class TailSuite {

    private TailSuite() {}

    record Row(String system, int hogs, Map<String, String> values) {}

    static void run(List<String> args, String agent) throws Exception {
        int runs = 3;
        double seconds = 5, quiet = 0.1, warmup = 1;
        List<Integer> hogCounts = List.of(0, 8, 64);
        List<String> jvmOpts = new ArrayList<>();
        String agentOpts = "carriers=2";
        List<String> systems = List.of("preempt", "beam", "vthreads");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--runs" -> runs = Integer.parseInt(args.get(++i));
                case "--seconds" -> seconds = Double.parseDouble(args.get(++i));
                case "--warmup" -> warmup = Double.parseDouble(args.get(++i));
                case "--quiet" -> quiet = Double.parseDouble(args.get(++i));
                case "--hogs" -> hogCounts = java.util.Arrays.stream(args.get(++i).split(",")).map(Integer::valueOf).toList();
                case "--jvm-opt" -> jvmOpts.add(args.get(++i));
                case "--agent-opts" -> agentOpts = args.get(++i);
                case "--systems" -> systems = List.of(args.get(++i).split(","));
                case "--agent" -> agent = args.get(++i);
                default -> throw new IllegalArgumentException("tail: unknown option " + args.get(i));
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        String secs = Double.toString(seconds), warm = Double.toString(warmup);
        Path beamDir = systems.contains("beam") ? compileErlang() : null;
        String ownCp = ownClasses(cp);
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (int hogs : hogCounts) {
                if (systems.contains("preempt")) {
                    List<String> cmd = new ArrayList<>(List.of(java, "-javaagent:" + agent + "=" + agentOpts + ",include=dev.preempt.bench"));
                    cmd.addAll(jvmOpts);
                    cmd.addAll(List.of("-cp", ownCp, TailGap.class.getName(), "preempt", Integer.toString(hogs), "--seconds", secs,
                            "--warmup", warm));
                    rows.add(child("preempt", hogs, cmd, quiet));
                }
                if (beamDir != null && systems.contains("beam")) {
                    rows.add(child("beam", hogs, List.of("erl", "+S", "2", "-noshell", "-pa", beamDir.toString(), "-s", "tail_gap",
                            "main", Integer.toString(hogs), Long.toString(Math.round(seconds * 1000)), "-s", "init", "stop"), quiet));
                }
                if (r == 1 && systems.contains("vthreads")) { // it starves whenever there are hogs: once is enough
                    rows.add(child("vthreads", hogs, List.of(java, "-Djdk.virtualThreadScheduler.parallelism=2",
                            "-Djdk.virtualThreadScheduler.maxPoolSize=2", "-cp", cp, TailGap.class.getName(), "vthreads",
                            Integer.toString(hogs), "--seconds", secs), quiet));
                }
            }
        }
        table(rows, hogCounts);
    }

    /**
     * A class path with this suite's own classes only, copied out of {@code cp} into a temporary
     * directory: the benchmarks jar also holds a copy of the runtime, which would come before the
     * agent's, and the runtime measured must be the agent's (so that {@code --agent} picks it).
     */
    static String ownClasses(String cp) throws Exception {
        Path dir = Files.createTempDirectory("tail_gap_classes");
        for (Class<?> c : List.of(TailGap.class, TailGap.Gaps.class, ThreadTimes.class)) {
            String name = c.getName().replace('.', '/') + ".class";
            try (var in = c.getClassLoader().getResourceAsStream(name)) {
                Path to = dir.resolve(name);
                Files.createDirectories(to.getParent());
                Files.copy(in, to);
            }
        }
        return dir.toString();
    }

    /** Compiles tail_gap.erl into a temporary directory; null (BEAM skipped) without erlc or the source. */
    static Path compileErlang() throws Exception {
        File src = null;
        for (String p : List.of("benchmarks/erlang/tail_gap.erl", "../benchmarks/erlang/tail_gap.erl", "erlang/tail_gap.erl")) {
            if (new File(p).isFile()) src = new File(p);
        }
        if (src == null) {
            System.out.println("(BEAM skipped: benchmarks/erlang/tail_gap.erl not found from " + new File(".").getAbsolutePath() + ")");
            return null;
        }
        Path dir = Files.createTempDirectory("tail_gap");
        try {
            Process p = new ProcessBuilder("erlc", "-o", dir.toString(), src.getPath()).inheritIO().start();
            if (p.waitFor() == 0) return dir;
        } catch (java.io.IOException noErlang) {
            // below
        }
        System.out.println("(BEAM skipped: erlc failed or is not on the PATH; apt-get install -y erlang-base)");
        return null;
    }

    /**
     * Runs one child after the machine is quiet; its tailgap line, with the CPU others used meanwhile. A
     * run during which others used more than {@code quiet} of the CPU is shown, dropped and run again
     * (three tries; the last one counts whatever it is).
     */
    static Row child(String system, int hogs, List<String> cmd, double quiet) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Row r = childOnce(system, hogs, cmd, quiet);
            if (attempt == 3 || Double.parseDouble(r.values().get("outside")) <= quiet) return r;
            System.out.println("  (dropped: other processes were busy during that run; again)");
        }
    }

    static Row childOnce(String system, int hogs, List<String> cmd, double quiet) throws Exception {
        waitQuiet(quiet);
        long[] m0 = machine(), own0 = childrenCpu();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String line = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("tailgap")) line = l;
                else if (!l.startsWith("otp ")) System.out.println("  " + l);
            }
        }
        p.waitFor();
        long[] m1 = machine(), own1 = childrenCpu();
        double outside = Math.max(0, (m1[0] - m0[0]) - (own1[0] - own0[0])) / (double) Math.max(1, m1[1] - m0[1]);
        Map<String, String> v = new LinkedHashMap<>();
        if (line == null) {
            v.put("error", "no result line");
        } else {
            for (String kv : line.split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) v.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            if (line.contains("STARVED")) v.put("starved", "yes");
        }
        v.put("outside", String.format("%.2f", outside));
        System.out.println((line == null ? system + " " + hogs + ": no result" : line) + " | outside " + v.get("outside"));
        System.out.flush();
        return new Row(system, hogs, v);
    }

    /** Waits until the machine's busy share over one second is below {@code quiet} (at most two minutes). */
    static void waitQuiet(double quiet) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            long[] a = machine();
            Thread.sleep(1000);
            long[] b = machine();
            double busy = (b[0] - a[0]) / (double) Math.max(1, b[1] - a[1]);
            if (busy < quiet) return;
            if (i == 0) System.out.printf("  (waiting for a quiet machine: %.0f%% busy)%n", busy * 100);
        }
        System.out.println("  (the machine did not become quiet; measuring anyway)");
    }

    /** {busy, total} clock ticks of the whole machine, from /proc/stat. */
    static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0, total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) busy += v;
            }
            return new long[] {busy, total};
        } catch (Exception notLinux) {
            return new long[] {0, 0};
        }
    }

    /** CPU ticks of this JVM's finished children (cutime + cstime of /proc/self/stat). */
    static long[] childrenCpu() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (Exception notLinux) {
            return new long[] {0};
        }
    }

    static void table(List<Row> rows, List<Integer> hogCounts) {
        System.out.println();
        System.out.println("| hogs | system | gaps > 1 ms per s | median gap | p99 gap | max gap | descheduled | others' CPU |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int hogs : hogCounts) {
            for (String system : List.of("preempt", "beam", "vthreads")) {
                List<Row> rs = rows.stream().filter(r -> r.hogs() == hogs && r.system().equals(system)).toList();
                if (rs.isEmpty()) continue;
                String name = switch (system) {
                    case "preempt" -> "Preempt (2 carriers)";
                    case "beam" -> "BEAM (+S 2)";
                    default -> "JDK virtual threads";
                };
                if (rs.stream().allMatch(r -> r.values().containsKey("starved"))) {
                    System.out.printf("| %d | %s | starved: the spinner never ran | | | | | %s |%n", hogs, name, join(rs, "outside", ""));
                    continue;
                }
                System.out.printf("| %d | %s | %s | %s µs | %s µs | %s µs | %s | %s |%n", hogs, name, join(rs, "over1msPerSec", ""),
                        join(rs, "p50us", ""), join(rs, "p99us", ""), join(rs, "maxus", ""), join(rs, "descheduled", ""),
                        join(rs, "outside", ""));
            }
        }
        System.out.println("(each cell: one figure per round, in order; gaps are those over 20 µs; descheduled: the share of the"
                + " window in such gaps; others' CPU: the share of the machine other processes used during that child)");
    }

    static String join(List<Row> rs, String key, String unit) {
        List<String> out = new ArrayList<>();
        for (Row r : rs) out.add(r.values().getOrDefault(key, "–") + unit);
        return String.join(" / ", out);
    }
}
