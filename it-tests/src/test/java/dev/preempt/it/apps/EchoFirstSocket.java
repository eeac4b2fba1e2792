package dev.preempt.it.apps;

import static dev.preempt.Preempt.*;

import dev.preempt.Process;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code EchoFirstSocket connections rounds}: an echo server whose first socket is opened inside a
 * process (so the JDK's pollers start there); each connection is a process. Plain virtual threads,
 * started from a plain thread, connect and do {@code rounds} round trips each. Prints how many
 * connections got every reply.
 */
public final class EchoFirstSocket {
    private EchoFirstSocket() {}

    @Process
    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        int port = server.getLocalPort();
        spawn(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (Exception e) {
                    return;
                }
                spawn(() -> serve(s));
            }
        });
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread clients = Thread.ofPlatform().start(() -> {
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    int id = i;
                    fs.add(vts.submit(() -> {
                        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            c.setSoTimeout(5_000);
                            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                            OutputStream out = c.getOutputStream();
                            for (int r = 0; r < rounds; r++) {
                                String line = "hello " + id + " " + r;
                                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                                out.flush();
                                if (!line.equals(in.readLine())) throw new IllegalStateException("bad echo");
                            }
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    try { f.get(); } catch (Exception ignored) { }
                }
            }
        });
        clients.join();
        server.close();
        System.out.println("echo connections=" + connections + " ok=" + ok.get() + " failed=" + failed.get());
    }

    static void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null) out.println(line);
        } catch (Exception ignored) {
        }
    }
}
