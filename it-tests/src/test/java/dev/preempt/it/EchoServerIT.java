package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The echo sample under load: {@code EchoServer} under the agent on 2 carriers (a process per
 * connection, plain blocking sockets) in one JVM, {@code EchoLoad} with 2,000 or 10,000 connections in
 * another (each side holds one file descriptor per connection). Every connection gets every reply, the
 * server's probe is served meanwhile, and when the load's JVM is gone every connection's process ends.
 * With 10,000 the probe runs at {@code Priority.HIGH} ({@code --probe-high}: the probe and the process
 * serving its connection, which it asks for with a {@code #high} line).
 */
class EchoServerIT {

    private static final String SERVER = "dev.preempt.samples.EchoServer";
    private static final String LOAD = "dev.preempt.samples.EchoLoad";
    /** The load's control connection (it asks for #stats) and the probe's own: open beside the load's. */
    private static final int EXTRA_CONNECTIONS = 2;

    @ParameterizedTest(name = "{0} connections, probe {1}")
    @CsvSource({"2000, normal", "10000, high"})
    void everyConnectionGetsEveryReplyAndTheProbeIsServed(int connections, String probe) throws Exception {
        String[] args = probe.equals("high") ? new String[] {"--probe-high", "0"} : new String[] {"0"};
        try (Jvm.Running server = Jvm.withAgent("carriers=2").classPath(Jvm.samples()).start(SERVER, args)) {
            String listening = server.awaitLine("echo listening", 30);
            assertThat(field(listening, "probe")).as(listening).isEqualTo(probe);
            int port = Integer.parseInt(field(listening, "port"));
            Jvm.Result load = Jvm.plain().classPath(Jvm.samples()).timeout(90)
                    .run(LOAD, String.valueOf(port), String.valueOf(connections), "3", "--warmup", "1");
            String both = load + "\n=== server ===\n" + server;
            assertThat(load.exit()).as(both).isZero();
            assertThat(load.longValue("load", "ok")).as(both).isEqualTo(connections);
            assertThat(load.longValue("load", "failed")).as(both).isZero();
            assertThat(load.longValue("load", "minPerConnection")).as("every connection did round trips: %s", both).isPositive();
            assertThat(load.longValue("server", "accepted")).as(both).isEqualTo(connections + EXTRA_CONNECTIONS);
            assertThat(load.longValue("server", "open")).as(both).isEqualTo(connections + EXTRA_CONNECTIONS);
            assertThat(load.longValue("server", "errors")).as(both).isZero();
            // Generous bounds (the figures belong to the benchmark). With 10,000 connections the probe's
            // request waits its turn behind theirs (p99 measured 40-350 ms), and its timer alone was late
            // by 4-35 ms at p99, the most while other JVMs were busy on the same 2 cores. A stalled
            // carrier or a lost wake-up shows as seconds (the p99 bound), or as no sample in a second of the
            // 3 s: a probe that waits its turn behind 2,000 busy connections on a loaded machine made 15,
            // which a bound of 20 failed once in CI (6 runs by hand passed); 300-800 is usual.
            assertThat(load.longValue("server", "probeSamples")).as(both).isGreaterThanOrEqualTo(3);
            assertThat(load.longValue("server", "probeP99us")).as(both).isLessThan(1_000_000);
            assertThat(load.longValue("server", "wakeP99us")).as(both).isLessThan(100_000);

            // the load's JVM has exited, so its sockets are closed: every connection's process sees the end
            // of its stream and ends, leaving the probe's connection and the one stats() opens
            long left = 2;
            long open = -1;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() - deadline < 0) {
                open = Long.parseLong(field(stats(port), "open"));
                if (open == left) break;
                Thread.sleep(100);
            }
            assertThat(open).as("connections still open on the server 20 s after the load ended%n%s", server)
                    .isEqualTo(left);
            assertThat(server.isAlive()).as(server.toString()).isTrue();
        }
    }

    /** The server's answer to {@code #stats}, over a connection of our own. */
    private static String stats(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("#stats\n".getBytes(StandardCharsets.UTF_8));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as("the server's answer to #stats").startsWith("#stats ");
            return line;
        }
    }

    private static String field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) return part.substring(key.length() + 1);
        }
        throw new AssertionError("no " + key + "= in " + line);
    }
}
