package dev.preempt.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long node names ({@code erl -name e@127.0.0.1}, a host part with dots): a Preempt node named
 * {@code java@127.0.0.1} and a BEAM node started with {@code -name} ping each other and exchange
 * messages, as two {@code -name} BEAM nodes do.
 */
@Timeout(60)
class LongNamesTest {

    private static final String COOKIE = "preempt-long-names";

    @Test
    void aNodeWithALongNameTalksToABeamNodeStartedWithMinusName() throws Exception {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String erlName = "e_" + suffix + "@127.0.0.1";
        try (Scheduler scheduler = Scheduler.builder().name("long-names").build();
                Node node = Node.start(Node.options("java_" + suffix + "@127.0.0.1").cookie(COOKIE).scheduler(scheduler));
                Erl erl = Erl.longNameNode(erlName, COOKIE,
                        "register(echo, spawn(fun E() -> receive {From, M} -> From ! {echo, M, node()}, E() end end)),"
                                + "io:format(\"ping ~p~n\", [net_adm:ping('" + node.name() + "')]),"
                                + "io:format(\"ready~n\"), receive after infinity -> ok end.")) {
            assertThat(node.name()).isEqualTo("java_" + suffix + "@127.0.0.1");
            erl.awaitOutput("ready", 30);
            assertThat(erl.output()).as("net_adm:ping from the BEAM node").contains("ping pong");
            Tuple[] reply = new Tuple[1];
            scheduler.runOrThrow(() -> {
                node.send("echo", erlName, Tuple.of(Preempt.self(), Atom.of("hello")));
                reply[0] = Preempt.receive(Tuple.class, Duration.ofSeconds(10)).orElseThrow();
            });
            assertThat(reply[0]).isEqualTo(Tuple.of(Atom.of("echo"), Atom.of("hello"), Atom.of(erlName)));
        }
    }
}
