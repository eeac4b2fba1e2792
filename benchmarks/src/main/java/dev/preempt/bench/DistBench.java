package dev.preempt.bench;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Node;
import dev.preempt.dist.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Distribution on loopback, side by side in one run: round-trip latency (a named ping-pong, one at a
 * time) and throughput (one sender, 200,000 messages to a named sink, until the sink says done), for
 * BEAM → BEAM, BEAM → Preempt, Preempt → BEAM and Preempt → Preempt (a second JVM). Every client uses
 * named sends ({@code {Name, Node} ! Msg}), so each side pays the same name look-up. Needs {@code erl}
 * and {@code epmd}.
 *
 * <pre>
 * java -javaagent:agent/target/preempt-agent.jar -cp benchmarks/target/benchmarks.jar dev.preempt.bench.DistBench
 * </pre>
 */
public final class DistBench {

    private static final String COOKIE = "preempt-bench";
    private static final int ROUND_TRIPS = 20_000;
    private static final int MESSAGES = 200_000;

    private DistBench() {}

    /** Erlang: the pong and sink servers every client measures against. */
    private static final String ERL_SERVERS = "Pong = fun P() -> receive {From, X} -> From ! X, P() end end,"
            + "Sink = fun S() -> receive {start, From, N} -> L = fun Loop(0) -> From ! done; Loop(K) -> receive {seq, _} -> Loop(K - 1) end end,"
            + " L(N), S() end end,"
            + "register(pong, spawn(Pong)), register(sink, spawn(Sink)), io:format(\"ready~n\"), receive after infinity -> ok end.";

    /** Erlang: the client, measuring against node T. */
    private static String erlClient(String target) {
        return "T = '" + target + "',"
                + "RT = fun R(0) -> ok; R(K) -> {pong, T} ! {self(), K}, receive K -> R(K - 1) end end,"
                + "RT(2000),"
                + "{Us, ok} = timer:tc(fun() -> RT(" + ROUND_TRIPS + ") end),"
                + "N = " + MESSAGES + ","
                + "{Us2, _} = timer:tc(fun() -> {sink, T} ! {start, self(), N}, [{sink, T} ! {seq, I} || I <- lists:seq(1, N)],"
                + " receive done -> ok end end),"
                + "io:format(\"result ~w ~w~n\", [Us / " + ROUND_TRIPS + ", round(N / (Us2 / 1.0e6))]), halt().";
    }

    /**
     * Runs the table, or (with {@code --peer name}) serves as the second Preempt JVM.
     *
     * @param args nothing, or {@code --peer name}
     * @throws Exception if erl, epmd or a node fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--peer")) {
            peer(args[1]);
            return;
        }
        run("epmd", "-daemon").waitFor(10, TimeUnit.SECONDS);
        String host = java.net.InetAddress.getLocalHost().getHostName().split("\\.")[0];
        List<Process> children = new ArrayList<>();
        try (Node node = Node.start(Node.options("bench_java").cookie(COOKIE))) {
            Preempt.run(DistBench::servers);
            Process serverA = erl("bench_a", ERL_SERVERS);
            children.add(serverA);
            awaitLine(serverA, "ready");
            List<String> java = new ArrayList<>();
            java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            java.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            java.addAll(List.of("-cp", System.getProperty("java.class.path"), DistBench.class.getName(), "--peer", "bench_peer"));
            Process peer = new ProcessBuilder(java).redirectErrorStream(true).start();
            children.add(peer);
            awaitLine(peer, "ready");

            System.out.printf("%-22s %16s %16s%n", "loopback, 2 cores", "round trip (us)", "messages/s");
            row("BEAM -> BEAM", erlResult("bench_a@" + host, children));
            row("BEAM -> Preempt", erlResult(node.name(), children));
            row("Preempt -> BEAM", javaClient(node, "bench_a@" + host));
            row("Preempt -> Preempt", javaClient(node, "bench_peer@" + host));
        } finally {
            for (Process p : children) p.destroyForcibly();
        }
    }

    private static void row(String what, double[] r) {
        System.out.printf("%-22s %16.1f %,16.0f%n", what, r[0], r[1]);
    }

    /** Preempt: pong and sink, registered in the default scheduler (the node's). */
    private static void servers() {
        Preempt.register("pong", Preempt.spawn(() -> {
            while (true) {
                if (Preempt.receive() instanceof Tuple t && t.arity() == 2 && t.get(0) instanceof Pid from) Preempt.send(from, t.get(1));
            }
        }));
        Preempt.register("sink", Preempt.spawn(() -> {
            while (true) {
                Tuple start = (Tuple) Preempt.receive(m -> m instanceof Tuple t && t.get(0).equals(Atom.of("start")));
                long n = (Long) start.get(2);
                for (long i = 0; i < n; i++) Preempt.receive();
                Preempt.send((Pid) start.get(1), Atom.of("done"));
            }
        }));
    }

    private static double[] javaClient(Node node, String target) {
        double[] out = new double[2];
        Preempt.run(() -> {
            for (long k = 0; k < 2000; k++) roundTrip(node, target, k);
            long t0 = System.nanoTime();
            for (long k = 0; k < ROUND_TRIPS; k++) roundTrip(node, target, k);
            out[0] = (System.nanoTime() - t0) / 1e3 / ROUND_TRIPS;
            t0 = System.nanoTime();
            node.send("sink", target, Tuple.of(Atom.of("start"), Preempt.self(), (long) MESSAGES));
            for (long i = 1; i <= MESSAGES; i++) node.send("sink", target, Tuple.of(Atom.of("seq"), i));
            Preempt.receive(Atom.of("done")::equals, Duration.ofSeconds(120)).orElseThrow();
            out[1] = MESSAGES / ((System.nanoTime() - t0) / 1e9);
        });
        return out;
    }

    private static void roundTrip(Node node, String target, long k) {
        node.send("pong", target, Tuple.of(Preempt.self(), k));
        Preempt.receive(m -> m instanceof Long l && l == k, Duration.ofSeconds(10)).orElseThrow();
    }

    private static double[] erlResult(String target, List<Process> children) throws IOException, InterruptedException {
        Process client = erl("bench_client_" + Math.abs(target.hashCode() % 1000), erlClient(target));
        children.add(client);
        String line = awaitLine(client, "result ");
        String[] parts = line.split(" ");
        client.waitFor(10, TimeUnit.SECONDS);
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    }

    private static void peer(String name) throws Exception {
        try (Node node = Node.start(Node.options(name).cookie(COOKIE))) {
            Preempt.run(() -> {
                servers();
                System.out.println("ready " + node.name());
                System.out.flush();
                Preempt.receive(Atom.of("stop")::equals); // killed by the parent when done
            });
        }
    }

    private static Process erl(String name, String script) throws IOException {
        return new ProcessBuilder("erl", "-sname", name, "-setcookie", COOKIE, "-noshell", "-eval", script)
                .redirectErrorStream(true).start();
    }

    private static Process run(String... cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The first line of {@code p}'s output that starts with {@code prefix}; fails after 120 s or at its end. */
    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + 120_000_000_000L;
        StringBuilder seen = new StringBuilder();
        for (String l; System.nanoTime() < deadline && (l = r.readLine()) != null; ) {
            if (l.startsWith(prefix)) return l;
            seen.append(l).append('\n');
        }
        throw new IllegalStateException("no '" + prefix + "' line; the process printed:\n" + seen);
    }
}
