package dev.preempt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.preempt.Preempt;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A small app for the start-up figure: the JDK's HTTP server with a handler that reads a JSON request
 * with Jackson and answers with JSON, all started from a root process; once it listens, the root
 * process sends it one request and prints how long after the JVM's start the reply came
 * ({@code startup firstRequestMs=...}). {@link Report}'s {@code startup} suite runs it with and without
 * the agent.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.preempt.bench.StartupApp
 * java -javaagent:agent/target/preempt-agent.jar=stats -cp benchmarks/target/benchmarks.jar dev.preempt.bench.StartupApp
 * </pre>
 */
public final class StartupApp {

    private StartupApp() {}

    /** The request and reply bodies. */
    public record Order(String customer, List<Line> lines, Map<String, String> attributes) {}

    /** One line of an order. */
    public record Line(String sku, int quantity, double price) {}

    /** The reply. */
    public record Total(String customer, int items, double amount) {}

    public static void main(String[] args) throws Exception {
        Preempt.runOrThrow(() -> {
            try {
                serveOnce();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        System.exit(0);
    }

    static void serveOnce() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/total", exchange -> {
            Order o = mapper.readValue(exchange.getRequestBody(), Order.class);
            int items = o.lines().stream().mapToInt(Line::quantity).sum();
            double amount = o.lines().stream().mapToDouble(l -> l.quantity() * l.price()).sum();
            byte[] body = mapper.writeValueAsBytes(new Total(o.customer(), items, amount));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Order order = new Order("ada", List.of(new Line("a-1", 2, 9.5), new Line("b-2", 1, 20)), Map.of("channel", "web"));
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/total")
                    .toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(mapper.writeValueAsBytes(order));
            }
            JsonNode reply;
            try (InputStream in = c.getInputStream()) {
                reply = mapper.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            if (reply.get("items").asInt() != 3 || reply.get("amount").asDouble() != 39.0) {
                throw new IllegalStateException("wrong reply " + reply);
            }
            long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.out.println("startup firstRequestMs=" + sinceStart);
        } finally {
            server.stop(0);
        }
    }
}
