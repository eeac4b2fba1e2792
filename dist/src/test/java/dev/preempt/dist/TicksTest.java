package dev.preempt.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ticks with a short net_ticktime (2 s on both sides): an idle connection stays up because both sides
 * tick, and a peer that stops answering (SIGSTOP: its socket stays open, it just goes silent, as in a
 * partition) is seen down with {@code net_tick_timeout} within about the tick time.
 */
@Timeout(60)
class TicksTest {

    private static final String COOKIE = "preempt-ticks-test";
    private static final String SUFFIX = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    private static Scheduler scheduler;
    private static Node node;
    private static final List<String> downs = new CopyOnWriteArrayList<>();
    private static final List<Long> downAt = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startNode() throws Exception {
        Erl.ensureEpmd();
        scheduler = Scheduler.builder().name("ticks-test").build();
        node = Node.start(Node.options("ticks_" + SUFFIX).cookie(COOKIE).scheduler(scheduler).tickTime(Duration.ofSeconds(2)));
        node.onNodeDown((n, why) -> {
            downAt.add(System.nanoTime());
            downs.add(n + " " + why);
        });
    }

    @AfterAll
    static void stopNode() {
        if (node != null) node.close();
        if (scheduler != null) scheduler.close();
    }

    @Test
    void idleConnectionsStayUpAndASilentPeerIsSeenDown() throws Exception {
        String host = node.name().substring(node.name().indexOf('@') + 1);
        String peer = "tk_" + SUFFIX + "@" + host;
        try (Erl erl = Erl.node("tk_" + SUFFIX, COOKIE,
                "net_kernel:monitor_nodes(true), io:format(\"ready~n\"),"
                        + "(fun L() -> receive {nodedown, N} -> io:format(\"erl saw nodedown ~p~n\", [N]), L(); _ -> L() end end)().",
                "-kernel", "net_ticktime", "2")) {
            erl.awaitOutput("ready", 30);
            assertThat(node.ping(peer, Duration.ofSeconds(10))).isTrue();
            Thread.sleep(6_000); // three tick times with no traffic: only ticks keep it up, on both sides
            assertThat(node.connectedNodes()).contains(peer);
            assertThat(downs).isEmpty();
            assertThat(erl.output()).doesNotContain("nodedown");

            long stopped = System.nanoTime();
            erl.signal("STOP");
            long deadline = stopped + 15_000_000_000L;
            while (downs.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(downs).containsExactly(peer + " net_tick_timeout");
            double seconds = (downAt.get(0) - stopped) / 1e9;
            System.out.printf("silent peer seen down after %.2f s (tick time 2 s)%n", seconds);
            assertThat(seconds).isBetween(1.0, 6.0);
            assertThat(node.connectedNodes()).doesNotContain(peer);
        }
    }
}
