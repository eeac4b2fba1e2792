package dev.preempt.it.apps;

import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.management.ObjectName;

/**
 * {@code PollerHosting connections rounds}: who runs the JDK's socket sub-pollers, and that sockets keep
 * working when that changes. An echo server and its clients run as a first scheduler's processes (the
 * first socket wait happens in one of them, so the JDK's sub-pollers are created there and, unless
 * {@code -Dpreempt.pollers=jdk}, run on its carriers). Then that scheduler closes, and the same echo runs
 * on plain virtual threads and then in a second scheduler's processes: every connection must still get
 * every reply (a sub-poller left with a closed scheduler would strand every socket hashed to it). Prints
 * each scheduler's {@code PollerTasks} (its JMX attribute: sub-poller tasks its carriers ran).
 */
public final class PollerHosting {
    private PollerHosting() {}

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Scheduler first = Scheduler.builder().name("first").carriers(2).build();
        AtomicInteger inFirst = new AtomicInteger();
        first.run(() -> inFirst.set(echo(connections, rounds, Preempt::spawn)));
        long firstTasks = pollerTasks("first");
        first.close();
        int onVirtualThreads = echo(connections, rounds, Thread::startVirtualThread);
        AtomicInteger inSecond = new AtomicInteger();
        long secondTasks;
        try (Scheduler second = Scheduler.builder().name("second").carriers(2).build()) {
            second.run(() -> inSecond.set(echo(connections, rounds, Preempt::spawn)));
            secondTasks = pollerTasks("second");
        }
        System.out.println("pollers connections=" + connections + " first=" + inFirst.get() + " virtual=" + onVirtualThreads
                + " second=" + inSecond.get() + " firstTasks=" + firstTasks + " secondTasks=" + secondTasks);
    }

    /** An echo server and {@code connections} clients, each started by {@code start}; the clients that got every reply. */
    static int echo(int connections, int rounds, Consumer<Runnable> start) {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            start.accept(() -> {
                while (true) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (Exception e) {
                        return; // closed
                    }
                    start.accept(() -> EchoFirstSocket.serve(s));
                }
            });
            AtomicInteger ok = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(connections);
            for (int i = 0; i < connections; i++) {
                int id = i;
                start.accept(() -> {
                    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                        c.setSoTimeout(10_000);
                        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                        OutputStream out = c.getOutputStream();
                        boolean all = true;
                        for (int r = 0; r < rounds && all; r++) {
                            String line = "hello " + id + " " + r;
                            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            all = line.equals(in.readLine());
                        }
                        if (all) ok.incrementAndGet();
                    } catch (Exception e) {
                        System.err.println("client " + id + ": " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            if (!done.await(60, TimeUnit.SECONDS)) System.err.println(done.getCount() + " clients still running after 60 s");
            return ok.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scheduler's {@code PollerTasks}, through its JMX bean. */
    static long pollerTasks(String scheduler) throws Exception {
        ObjectName name = new ObjectName("dev.preempt:type=Scheduler,name=" + ObjectName.quote(scheduler));
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "PollerTasks");
    }
}
