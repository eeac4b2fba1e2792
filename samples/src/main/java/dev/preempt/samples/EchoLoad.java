package dev.preempt.samples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A load generator for {@link EchoServer} (or any line echo server): opens N connections and keeps them
 * all open, then on every one of them, each driven by a JDK virtual thread, sends a line, waits for its
 * echo and checks it, as fast as the replies come (or, with {@code --rate R}, R times a second on each
 * connection at most), for a warm-up and then a measured stretch. Prints
 * {@code key=value} lines: the round trips per second over the measured stretch, how many connections
 * got every reply right, and the server's answer to {@code #stats} (its counters and its probe's
 * lateness over the same stretch), asked on one more connection.
 *
 * <pre>
 * java -cp samples/target/classes dev.preempt.samples.EchoLoad [port] [connections] [seconds] [--warmup S] [--rate R] [--host H]
 * </pre>
 * Defaults: port 7007, 1,000 connections, 10 s, 3 s of warm-up, no pacing, the loopback address. Run it in a JVM
 * of its own: with 10,000 connections each side holds 10,000 file descriptors. It needs no agent.
 * Exit status 0 when every connection got every reply, 1 otherwise.
 */
public final class EchoLoad {

    /** A reply not back within this long counts the connection as failed. */
    private static final int REPLY_TIMEOUT_MILLIS = 15_000;

    private EchoLoad() {}

    /** What one connection did: round trips done, and why it stopped early (null: it did not). */
    static final class Conn {
        final int id;
        final LineSocket socket;
        long done;
        volatile String failure;

        Conn(int id, LineSocket socket) {
            this.id = id;
            this.socket = socket;
        }
    }

    private static volatile boolean stop;
    private static final LongAdder ROUND_TRIPS = new LongAdder();
    private static final LongAdder CONNECT_RETRIES = new LongAdder();

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        double warmup = 3, rate = 0;
        String host = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--host" -> host = args[++i];
                default -> positional.add(args[i]);
            }
        }
        int port = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : EchoServer.DEFAULT_PORT;
        int connections = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 1000;
        double seconds = positional.size() > 2 ? Double.parseDouble(positional.get(2)) : 10;
        InetAddress address = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);

        long c0 = System.nanoTime();
        Conn[] conns = new Conn[connections];
        for (int i = 0; i < connections; i++) {
            conns[i] = new Conn(i, connect(address, port));
        }
        LineSocket control = connect(address, port);
        long connectMillis = (System.nanoTime() - c0) / 1_000_000;

        Thread[] drivers = new Thread[connections];
        long period = rate > 0 ? (long) (1e9 / rate) : 0;
        for (int i = 0; i < connections; i++) {
            Conn c = conns[i];
            long phase = period * i / Math.max(1, connections); // spread the paced connections over a period
            drivers[i] = Thread.ofVirtual().start(() -> drive(c, period, phase));
        }
        Thread.sleep(toDuration(warmup));
        control.writeLine(EchoServer.STATS); // empties the probe's window: what follows is the measured stretch
        String before = control.readLine();
        long t0 = System.nanoTime(), n0 = ROUND_TRIPS.sum();
        Thread.sleep(toDuration(seconds));
        long n1 = ROUND_TRIPS.sum(), t1 = System.nanoTime();
        control.writeLine(EchoServer.STATS);
        String after = control.readLine();
        stop = true; // each driver finishes the round trip it is in, so every request sent gets its reply

        long deadline = System.nanoTime() + 2L * REPLY_TIMEOUT_MILLIS * 1_000_000;
        for (Thread t : drivers) t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        int ok = 0, failed = 0;
        long min = Long.MAX_VALUE, max = 0;
        String firstFailure = null;
        for (int i = 0; i < connections; i++) {
            Conn c = conns[i];
            String f = drivers[i].isAlive() ? "still waiting for a reply" : c.failure;
            if (f == null && c.done > 0) ok++;
            else {
                failed++;
                if (firstFailure == null) firstFailure = "connection " + i + ": " + (f == null ? "no round trip" : f);
            }
            min = Math.min(min, c.done);
            max = Math.max(max, c.done);
            c.socket.close();
        }
        control.close();
        double elapsed = (t1 - t0) / 1e9;
        System.out.printf("load connections=%d ok=%d failed=%d seconds=%.2f roundtrips=%d rps=%.0f"
                        + " minPerConnection=%d maxPerConnection=%d connectMillis=%d connectRetries=%d rate=%s%n",
                connections, ok, failed, elapsed, n1 - n0, (n1 - n0) / elapsed, connections == 0 ? 0 : min, max,
                connectMillis, CONNECT_RETRIES.sum(), rate > 0 ? String.valueOf(rate) : "max");
        System.out.println("server " + strip(after));
        if (before == null || after == null) System.out.println("error the server did not answer " + EchoServer.STATS);
        if (firstFailure != null) System.out.println("error " + firstFailure);
        System.exit(failed == 0 && after != null ? 0 : 1);
    }

    /**
     * A connection, tried up to 3 times if refused: over loopback, with tens of thousands of sockets of
     * earlier runs in TIME_WAIT, a connect to a listening server was refused once in some thirty runs.
     * (A refusal is the kernel's answer; a server that did not accept would make connect wait instead.)
     */
    static LineSocket connect(InetAddress address, int port) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                LineSocket s = new LineSocket(new Socket(address, port));
                s.setSoTimeout(REPLY_TIMEOUT_MILLIS);
                return s;
            } catch (java.net.ConnectException e) {
                if (attempt == 3) throw e;
                CONNECT_RETRIES.increment();
                Thread.sleep(10);
            }
        }
    }

    /**
     * One connection's loop: a numbered line out, the same line back, until told to stop; with a
     * {@code period}, one round trip per period at most (a late one is not made up for).
     */
    static void drive(Conn c, long period, long phase) {
        String prefix = "conn " + c.id + " line ";
        long next = System.nanoTime() + phase;
        try {
            while (!stop) {
                if (period > 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
                    next = Math.max(next + period, System.nanoTime());
                }
                String line = prefix + c.done;
                c.socket.writeLine(line);
                String back = c.socket.readLine();
                if (!line.equals(back)) {
                    c.failure = "sent '" + line + "', got " + (back == null ? "end of stream" : "'" + back + "'");
                    return;
                }
                c.done++;
                ROUND_TRIPS.increment();
            }
        } catch (IOException e) {
            c.failure = e.toString();
        } catch (InterruptedException e) {
            c.failure = "interrupted";
        }
    }

    private static Duration toDuration(double seconds) {
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    private static String strip(String statsLine) {
        if (statsLine == null) return "none";
        return statsLine.startsWith(EchoServer.STATS) ? statsLine.substring(EchoServer.STATS.length()).trim() : statsLine;
    }
}
