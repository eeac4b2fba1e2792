package dev.preempt.samples;

import dev.preempt.Call;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Server;
import dev.preempt.Supervisor;
import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Flags;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Node;
import dev.preempt.dist.Tuple;
import java.time.Duration;
import java.util.List;

/**
 * A Preempt node that an Erlang shell can talk to: a supervisor on the JVM runs a counter server
 * (registered {@code counter}, an OTP-style gen_server as far as Erlang can tell) and an echo process
 * (registered {@code echo}). Runs until an Erlang process sends {@code stop} to {@code echo}.
 *
 * <pre>
 * java -javaagent:agent/target/preempt-agent.jar -cp samples/target/classes:dist/target/classes \
 *      dev.preempt.samples.ErlangNode [name [cookie]]          (default: java, preempt)
 * erl -sname shell -setcookie preempt
 * 1> gen_server:call({counter, 'java@HOST'}, {add, 5}).
 * </pre>
 */
public final class ErlangNode {

    private ErlangNode() {}

    /** The counter: {@code {add, N}} adds and replies {@code {ok, Total}}, {@code get} replies the total, {@code crash} crashes it. */
    static final class Counter implements Server<Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public Result<Long> handleCall(Object request, Call from, Long total) {
            if (request instanceof Tuple t && t.arity() == 2 && t.get(0).equals(Atom.of("add")) && t.get(1) instanceof Long n) {
                return Result.reply(Tuple.of(Atom.OK, total + n), total + n);
            }
            if (request.equals(Atom.of("get"))) return Result.reply(total, total);
            if (request.equals(Atom.of("crash"))) throw new IllegalStateException("asked to crash");
            return Result.reply(Tuple.of(Atom.of("error"), Atom.of("unknown_request")), total);
        }
    }

    /** The echo worker: {@code {From, X}} gets {@code {echo, X, EchoPid}} back; {@code stop} ends it. */
    private static void echo() {
        Preempt.register("echo", Preempt.self());
        while (true) {
            Object m = Preempt.receive();
            if (m.equals(Atom.of("stop"))) Preempt.exit(dev.preempt.ExitReason.SHUTDOWN);
            if (m instanceof Tuple t && t.arity() == 2 && t.get(0) instanceof Pid from) {
                Preempt.send(from, Tuple.of(Atom.of("echo"), t.get(1), Preempt.self()));
            }
        }
    }

    /**
     * Starts the node and the supervision tree; returns when {@code echo} gets {@code stop}.
     *
     * @param args optional node name (default {@code java}) and cookie (default {@code preempt})
     * @throws Exception if the node cannot start (no epmd: run {@code epmd -daemon})
     */
    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "java";
        String cookie = args.length > 1 ? args[1] : "preempt";
        try (Node node = Node.start(Node.options(name).cookie(cookie))) {
            System.out.println("node " + node.name() + " is up (cookie " + cookie + "); from an Erlang shell:");
            System.out.println("  erl -sname shell -setcookie " + cookie);
            System.out.println("  1> net_adm:ping('" + node.name() + "').");
            System.out.println("  2> gen_server:call({counter, '" + node.name() + "'}, {add, 5}).");
            System.out.println("  3> {echo, '" + node.name() + "'} ! {self(), hello}, flush().");
            System.out.println("  4> {echo, '" + node.name() + "'} ! stop.");
            Preempt.run(() -> {
                Preempt.trapExits(true);
                Pid sup = Supervisor.start(Flags.oneForOne().intensity(5, Duration.ofSeconds(10)), List.of(
                        ChildSpec.server("counter", "counter", Counter::new),
                        ChildSpec.worker("echo", ErlangNode::echo)));
                Preempt.monitor(Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals("echo"))
                        .findFirst().flatMap(Supervisor.Child::pid).orElseThrow());
                Preempt.receive(dev.preempt.Down.class); // echo got stop
                System.out.println("stopping");
                Supervisor.stop(sup);
            });
        }
    }
}
