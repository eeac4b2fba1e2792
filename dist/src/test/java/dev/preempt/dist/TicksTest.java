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
        node = Node.start(Node.options("ticks_" + SUFFIX).cookie(COOKIE).scheduler(scheduler).tickTime(Duration.ofSeconds(2))
                .setupTime(Duration.ofSeconds(2)));
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

    private static void sendRange(String peer, long from, long to) {
        scheduler.runOrThrow(() -> {
            for (long i = from; i <= to; i++) node.send("sink", peer, Tuple.of(Atom.of("seq"), i));
        });
    }

    @Test
    void idleConnectionsStayUpASilentPeerIsSeenDownAndNothingIsDeliveredTwice() throws Exception {
        String host = node.name().substring(node.name().indexOf('@') + 1);
        String peer = "tk_" + SUFFIX + "@" + host;
        try (Erl erl = Erl.node("tk_" + SUFFIX, COOKIE,
                "Sink = fun S(Seen) -> receive {seq, I} -> S([I | Seen]);"
                        + " report -> U = lists:usort(Seen), io:format(\"report total=~w distinct=~w first=~w last=~w~n\","
                        + " [length(Seen), length(U), length([X || X <- U, X =< 100]), length([X || X <- U, X > 200])]), S(Seen) end end,"
                        + "register(sink, spawn(fun() -> Sink([]) end)),"
                        + "net_kernel:monitor_nodes(true), io:format(\"ready~n\"),"
                        + "(fun L() -> receive {nodedown, N} -> io:format(\"erl saw nodedown ~p~n\", [N]), L(); _ -> L() end end)().",
                "-kernel", "net_ticktime", "2")) {
            erl.awaitOutput("ready", 30);
            assertThat(node.ping(peer, Duration.ofSeconds(10))).isTrue();
            Thread.sleep(6_000); // three tick times with no traffic: only ticks keep it up, on both sides
            assertThat(node.connectedNodes()).contains(peer);
            assertThat(downs).isEmpty();
            assertThat(erl.output()).doesNotContain("nodedown");

            sendRange(peer, 1, 100); // before the partition
            long stopped = System.nanoTime();
            erl.signal("STOP");
            long deadline = stopped + 15_000_000_000L;
            while (downs.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(downs).containsExactly(peer + " net_tick_timeout");
            double seconds = (downAt.get(0) - stopped) / 1e9;
            System.out.printf("silent peer seen down after %.2f s (tick time 2 s)%n", seconds);
            // The peer ticks every quarter tick time and our read times out a whole tick time after the
            // last frame, so the silence is seen 1.5-2 s after the stop (OTP's own window is 0.75-1.25
            // tick times); 0.1 s early and 0.6 s late for timer and scheduling slack on a busy machine.
            assertThat(seconds).as("seen down within the tick time's window").isBetween(1.4, 2.6);
            assertThat(node.connectedNodes()).doesNotContain(peer);

            // At most once across the partition: 1-100 went before it (delivered once the peer runs
            // again), 101-200 during it (a new connection is tried; whatever it carries, nothing is
            // sent twice), 201-300 after the peer saw the old connection go and a new one came up.
            erl.signal("CONT");
            erl.awaitOutput("erl saw nodedown", 10);
            sendRange(peer, 101, 200);
            long until = System.nanoTime() + 10_000_000_000L;
            while (!node.ping(peer, Duration.ofSeconds(2)) && System.nanoTime() < until) Thread.sleep(100);
            sendRange(peer, 201, 300);
            node.send("sink", peer, Atom.of("report"));
            erl.awaitOutput("report", 10);
            String report = erl.output().lines().filter(l -> l.startsWith("report")).findFirst().orElseThrow();
            System.out.println("partition: " + report);
            assertThat(report).contains("first=100").contains("last=100");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("total=(\\d+) distinct=(\\d+)").matcher(report);
            assertThat(m.find()).isTrue();
            assertThat(m.group(1)).as("nothing delivered twice").isEqualTo(m.group(2));
        }
    }
}
