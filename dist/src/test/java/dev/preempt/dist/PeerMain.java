package dev.preempt.dist;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.time.Duration;

/**
 * The other JVM of {@link PreemptPeersTest}: a Preempt node whose registered {@code echo} answers
 * {@code {From, X}} with {@code {echo, X}}; it pings the node named in its arguments, sends it a
 * greeting, prints what happened, and ends when stdin closes (so it cannot outlive the test).
 */
public final class PeerMain {

    private PeerMain() {}

    /**
     * Runs the peer.
     *
     * @param args node name, cookie ({@code -} for {@code ~/.erlang.cookie}), the node to greet
     * @throws Exception if the node cannot start
     */
    public static void main(String[] args) throws Exception {
        Node.Options options = Node.options(args[0]);
        if (!args[1].equals("-")) options.cookie(args[1]); // "-": the cookie file in user.home, as erl reads it
        try (Node node = Node.start(options)) {
            Preempt.run(() -> {
                Pid echo = Preempt.spawn(() -> {
                    while (true) {
                        if (Preempt.receive() instanceof Tuple t && t.arity() == 2 && t.get(0) instanceof Pid from) {
                            Preempt.send(from, Tuple.of(Atom.of("echo"), t.get(1)));
                        }
                    }
                });
                Preempt.register("echo", echo);
                System.out.println("ready " + node.name());
                System.out.flush();
                // wait for the test's go (a line on stdin), then greet its node
                stdin();
                System.out.println("ping " + node.ping(args[2], Duration.ofSeconds(10)));
                node.send("jpeer", args[2], Tuple.of(Preempt.self(), Binary.of("from the other JVM")));
                Object reply = Preempt.receive(Duration.ofSeconds(10)).orElse("nothing");
                System.out.println("reply " + reply);
                System.out.flush();
                while (stdin() >= 0) { } // until the test closes our stdin
            });
        }
        System.exit(0);
    }

    /** One byte of stdin, read on the blocking pool; -1 at its end or on an error. */
    private static int stdin() {
        try {
            return Preempt.blocking(() -> System.in.read());
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
