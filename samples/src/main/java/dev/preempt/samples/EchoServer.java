package dev.preempt.samples;

import dev.preempt.Preempt;
import dev.preempt.Priority;
import dev.preempt.Process;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A line echo server on the loopback address: every line a client sends comes back as it was. Each
 * accepted connection is a Preempt process doing plain blocking {@link Socket} I/O (a read with nothing
 * to read parks the process, not its carrier; the JDK's poller wakes it), and the acceptor is a process
 * too. With {@code --vthreads} the same code runs every one of them on a plain JDK virtual thread
 * instead, which needs no agent: that is the baseline.
 *
 * <p>Beside the connections runs a probe (a process, or a virtual thread with {@code --vthreads}): it
 * sleeps 1 ms, then does one echo round trip to this server over a connection of its own, over and
 * over, and records how late each round trip ends (the time past the 1 ms sleep). So it measures what a
 * latency-sensitive task on a busy server sees: how soon its timer gets it a CPU, then how long a
 * request waits behind the others' (a round trip through the same acceptor-spawned code as theirs, not
 * a shortcut through a queue in memory). Both parts are kept: {@code wake} is the sleep's overshoot
 * alone.
 *
 * <p>A line {@code #stats} is answered, instead of echoed, with one line of {@code key=value} pairs: the
 * connections accepted and open, the server's CPU time ({@code cpuUs}, microseconds) and the probe's
 * lateness since the previous {@code #stats} (the last
 * 65,536 samples at most). {@link EchoLoad} asks for it before and after it measures.
 *
 * <pre>
 * java -javaagent:agent/target/preempt-agent.jar -cp samples/target/classes dev.preempt.samples.EchoServer [port] [--no-probe] [--probe-high]
 * java -cp samples/target/classes dev.preempt.samples.EchoServer --vthreads [port] [--no-probe]
 * </pre>
 * {@code --probe-high} runs the probe and the process that serves its connection at
 * {@link Priority#HIGH} (virtual threads have no priorities: not with {@code --vthreads}).
 * The port defaults to 7007 (0: any free one); the server prints {@code echo listening port=P mode=M}
 * and runs until it is killed. The probe alone keeps an idle server busy (it wakes a thousand times a
 * second: measured 17 % of a core under Preempt, 8 % on virtual threads); {@code --no-probe} leaves it out.
 */
public final class EchoServer {

    /** The line that asks for the server's counters instead of an echo. */
    static final String STATS = "#stats";
    /** The line that asks for the connection to be served at high priority; answered, not echoed. */
    static final String HIGH = "#high";
    static final int DEFAULT_PORT = 7007;
    private static final Duration PROBE_SLEEP = Duration.ofMillis(1);

    private EchoServer() {}

    /** How the server runs its acceptor, connections and probe. */
    enum Mode {
        PREEMPT {
            @Override
            void start(Runnable body) {
                Preempt.spawn(body);
            }

            @Override
            void sleep(Duration d) {
                Preempt.sleep(d);
            }

            @Override
            boolean raisePriority() {
                Preempt.setPriority(Priority.HIGH);
                return true;
            }
        },
        VTHREADS {
            @Override
            void start(Runnable body) {
                Thread.ofVirtual().start(body);
            }

            @Override
            void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d);
            }

            @Override
            boolean raisePriority() {
                return false; // a virtual thread's priority is fixed (Thread.setPriority ignores it)
            }
        };

        abstract void start(Runnable body);

        /** Makes the caller high-priority, if this mode has priorities; says whether it did. */
        abstract boolean raisePriority();

        abstract void sleep(Duration d) throws InterruptedException;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Process
    public static void main(String[] args) throws Exception {
        boolean vthreads = false, probe = true, probeHigh = false;
        int port = DEFAULT_PORT;
        for (String a : args) {
            switch (a) {
                case "--vthreads" -> vthreads = true;
                case "--no-probe" -> probe = false;
                case "--probe-high" -> probeHigh = true;
                default -> port = Integer.parseInt(a);
            }
        }
        // Under the agent main's body is the root process, a virtual thread; without it main runs on the
        // JVM's main thread. Asked so, not through Preempt, which may not even be on the class path.
        if (!vthreads && !Thread.currentThread().isVirtual()) {
            System.err.println("EchoServer: no agent, so main is not a process. Run it with"
                    + " -javaagent:preempt-agent.jar, or pass --vthreads for the virtual-thread baseline.");
            System.exit(2);
        }
        if (vthreads && probeHigh) {
            System.err.println("EchoServer: --probe-high needs Preempt's priorities; virtual threads have none.");
            System.exit(2);
        }
        Mode mode = vthreads ? Mode.VTHREADS : Mode.PREEMPT;
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8192);
        Stats stats = new Stats(mode);
        CountDownLatch acceptorEnded = new CountDownLatch(1);
        mode.start(() -> {
            try {
                accept(server, mode, stats);
            } finally {
                acceptorEnded.countDown();
            }
        });
        int bound = server.getLocalPort();
        boolean high = probeHigh;
        if (probe) mode.start(() -> probe(bound, mode, high, stats.probe));
        System.out.println("echo listening port=" + bound + " mode=" + mode.label() + " probe=" + (!probe ? "none" : high ? "high" : "normal")
                + " cores=" + Runtime.getRuntime().availableProcessors());
        acceptorEnded.await();
        System.exit(1); // only a broken listening socket ends the acceptor
    }

    static void accept(ServerSocket server, Mode mode, Stats stats) {
        while (true) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) return;
                // e.g. out of file descriptors: say so, back off a little, go on serving the others
                System.err.println("EchoServer: accept failed: " + e);
                stats.errors.incrementAndGet();
                try {
                    mode.sleep(Duration.ofMillis(10));
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            stats.accepted.incrementAndGet();
            mode.start(() -> serve(s, mode, stats));
        }
    }

    /** One connection: echo lines until the client closes. */
    static void serve(Socket s, Mode mode, Stats stats) {
        stats.open.incrementAndGet();
        try (LineSocket c = new LineSocket(s)) {
            for (String line; (line = c.readLine()) != null; ) {
                if (line.equals(HIGH)) {
                    c.writeLine(HIGH + (mode.raisePriority() ? " ok" : " unsupported"));
                    continue;
                }
                c.writeLine(line.equals(STATS) ? stats.line() : line);
            }
        } catch (SocketException e) {
            // the client reset the connection: its business
        } catch (IOException e) {
            stats.errors.incrementAndGet();
        } finally {
            stats.open.decrementAndGet();
        }
    }

    /**
     * The probe: sleep 1 ms, one round trip over its own connection, record the lateness; forever. With
     * {@code high} it and the process serving its connection run at {@link Priority#HIGH} (asked for
     * with a {@code #high} line, as a client of a real server would mark a control connection).
     */
    static void probe(int port, Mode mode, boolean high, Lateness lateness) {
        long sleepNanos = PROBE_SLEEP.toNanos();
        try (LineSocket c = new LineSocket(new Socket(InetAddress.getLoopbackAddress(), port))) {
            if (high) {
                if (!mode.raisePriority()) throw new IOException("--probe-high needs Preempt's processes, not --vthreads");
                c.writeLine(HIGH);
                String answer = c.readLine();
                if (!(HIGH + " ok").equals(answer)) throw new IOException("asked for a high-priority connection, got '" + answer + "'");
            }
            for (long seq = 0; ; seq++) {
                long t0 = System.nanoTime();
                mode.sleep(PROBE_SLEEP);
                long woke = System.nanoTime();
                String ping = "probe " + seq;
                c.writeLine(ping);
                String back = c.readLine();
                if (!ping.equals(back)) throw new IOException("probe sent '" + ping + "', got '" + back + "'");
                lateness.add(woke - t0 - sleepNanos, System.nanoTime() - t0 - sleepNanos);
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("EchoServer: the probe failed: " + e);
        }
    }

    /** The server's counters, shared by every connection. */
    static final class Stats {
        final Mode mode;
        final AtomicLong accepted = new AtomicLong();
        final AtomicInteger open = new AtomicInteger();
        final AtomicLong errors = new AtomicLong();
        final Lateness probe = new Lateness(1 << 16);

        Stats(Mode mode) {
            this.mode = mode;
        }

        private long cpuAtLastLine = processCpuNanos();

        /** The answer to {@code #stats}; starts the probe's next window, and the CPU time's. */
        synchronized String line() {
            long cpu = processCpuNanos();
            long used = cpu - cpuAtLastLine;
            cpuAtLastLine = cpu;
            return STATS + " mode=" + mode.label() + " accepted=" + accepted.get() + " open=" + open.get()
                    + " errors=" + errors.get() + " cpuUs=" + used / 1000 + " " + probe.takeSummary();
        }

        /** This JVM's CPU time (all its threads, user and system), or 0 where the JVM cannot tell. */
        private static long processCpuNanos() {
            return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
        }
    }

    /** The probe's samples (nanoseconds late): a ring of the newest ones, emptied by each summary. */
    static final class Lateness {
        private final long[] wake, total;
        private long count;

        Lateness(int capacity) {
            wake = new long[capacity];
            total = new long[capacity];
        }

        synchronized void add(long wakeNanos, long totalNanos) {
            int i = (int) (count++ % wake.length);
            wake[i] = Math.max(0, wakeNanos);
            total[i] = Math.max(0, totalNanos);
        }

        /** {@code probeSamples=N probeP50us=.. probeP99us=.. probeMaxus=.. wakeP50us=.. ..}, then empties. */
        synchronized String takeSummary() {
            int n = (int) Math.min(count, wake.length);
            long[] w = java.util.Arrays.copyOf(wake, n), t = java.util.Arrays.copyOf(total, n);
            count = 0;
            return "probeSamples=" + n + " " + percentiles("probe", t) + " " + percentiles("wake", w);
        }

        private static String percentiles(String key, long[] nanos) {
            if (nanos.length == 0) return key + "P50us=-1 " + key + "P99us=-1 " + key + "Maxus=-1";
            java.util.Arrays.sort(nanos);
            int n = nanos.length;
            return key + "P50us=" + nanos[n / 2] / 1000 + " " + key + "P99us=" + nanos[n * 99 / 100] / 1000 + " "
                    + key + "Maxus=" + nanos[n - 1] / 1000;
        }
    }
}
