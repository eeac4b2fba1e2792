package dev.preempt.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.Pid;
import dev.preempt.Preempt;
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
 * A Preempt node and real BEAM nodes (OTP 25) on loopback. Each test starts its own {@code erl -sname}
 * node and kills it at the end; the Preempt node lives for the class.
 */
@Timeout(60)
class ErlangInteropTest {

    private static final String COOKIE = "preempt-dist-test";
    private static final String SUFFIX = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    private static Scheduler scheduler;
    private static Node node;
    private static final List<String> downs = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startNode() throws Exception {
        Erl.ensureEpmd();
        scheduler = Scheduler.builder().name("dist-test").build();
        node = Node.start(Node.options("preempt_" + SUFFIX).cookie(COOKIE).scheduler(scheduler));
        node.onNodeDown((n, why) -> downs.add(n + " " + why));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) node.close();
        if (scheduler != null) scheduler.close();
    }

    private static String host() {
        return node.name().substring(node.name().indexOf('@') + 1);
    }

    private static String erlName(String what) {
        return what + "_" + SUFFIX;
    }

    /** The erl atom for our node, quoted. */
    private static String us() {
        return "'" + node.name() + "'";
    }

    /** {@code {seq, 1}} .. {@code {seq, n}} to the peer's {@code esink}, from one process, in order. */
    private static void streamTo(String peer, long n) {
        scheduler.runOrThrow(() -> {
            for (long i = 1; i <= n; i++) node.send("esink", peer, Tuple.of(Atom.of("seq"), i));
        });
    }

    private static void awaitName(String name) throws InterruptedException {
        for (int i = 0; i < 500 && scheduler.whereis(name).isEmpty(); i++) Thread.sleep(10);
        assertThat(scheduler.whereis(name)).as("registered " + name).isPresent();
    }

    @Test
    void erlangPingsUsAndARegisteredPreemptProcessAnswers() throws Exception {
        Pid echo = scheduler.spawn(() -> {
            Preempt.register("jecho", Preempt.self()); // in this scheduler's registry, which the node looks in
            while (true) {
                if (Preempt.receive() instanceof Tuple t && t.arity() == 2 && t.get(0) instanceof Pid from) {
                    Preempt.send(from, Tuple.of(Atom.of("reply"), t.get(1), Preempt.self()));
                }
            }
        });
        awaitName("jecho");
        try (Erl erl = Erl.node(erlName("a"), COOKIE,
                "io:format(\"ping=~p~n\", [net_adm:ping(" + us() + ")]),"
                        + "{jecho, " + us() + "} ! {self(), {hello, <<\"bin\">>, [1,2,3], #{k => 1.5}}},"
                        + "receive {reply, M, P} -> io:format(\"same=~w from ~w~n\", [M =:= {hello, <<\"bin\">>, [1,2,3], #{k => 1.5}}, node(P)]) after 5000 -> io:format(\"reply=timeout~n\") end,"
                        + "io:format(\"done~n\").")) {
            erl.awaitOutput("done", 30);
            assertThat(erl.output()).contains("ping=pong")
                    .contains("same=true from " + node.name());
            assertThat(node.connectedNodes()).contains(erl.name + "@" + host());
        } finally {
            Preempt.exit(echo, dev.preempt.ExitReason.KILL);
        }
    }

    @Test
    void wePingErlangAndARegisteredErlangProcessAnswers() throws Exception {
        String peer = erlName("b") + "@" + host();
        try (Erl erl = Erl.node(erlName("b"), COOKIE,
                "register(eecho, spawn(fun L() -> receive {From, M} -> From ! {echo, M, self()}, L() end end)),"
                        + "io:format(\"ready~n\"), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            assertThat(node.ping(peer, Duration.ofSeconds(10))).isTrue();
            scheduler.runOrThrow(() -> {
                node.send("eecho", peer, Tuple.of(Preempt.self(), Tuple.of("text", 42L, List.of(Atom.OK))));
                Tuple reply = Preempt.receive(Tuple.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(reply.get(0)).isEqualTo(Atom.of("echo"));
                assertThat(reply.get(1)).isEqualTo(Tuple.of(Binary.of("text"), 42L, List.of(Atom.OK)));
                Pid erlPid = (Pid) reply.get(2);
                assertThat(erlPid.isRemote()).isTrue();
                assertThat(erlPid.node()).contains(peer);
                assertThat(erlPid.toString()).as("a remote pid prints with its node's number, never 0")
                        .matches("<[1-9]\\d*\\.\\d+\\.\\d+>");
                // and straight to the pid, not the name
                Preempt.send(erlPid, Tuple.of(Preempt.self(), "again"));
                Tuple again = Preempt.receive(Tuple.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(again.get(1)).isEqualTo(Binary.of("again"));
                // What cannot cross fails at the sender, with what and where; the connection carries on.
                // A mutable value breaks the send policy first, as a local send would.
                assertThatThrownBy(() -> Preempt.send(erlPid, Tuple.of(Preempt.self(), new StringBuilder("x"))))
                        .isInstanceOf(dev.preempt.MessageNotSharableException.class).hasMessageContaining("StringBuilder");
                // An immutable value with no Erlang term: the mapping's error.
                assertThatThrownBy(() -> node.send("eecho", peer, Tuple.of(Preempt.self(), Duration.ofSeconds(1))))
                        .isInstanceOf(UnmappableTermException.class).hasMessageContaining("Duration");
                assertThatThrownBy(() -> Preempt.send(erlPid, Tuple.of(Preempt.self(), Duration.ofSeconds(1))))
                        .isInstanceOf(UnmappableTermException.class).hasMessageContaining("Duration");
                Preempt.send(erlPid, Tuple.of(Preempt.self(), "still up"));
                Tuple still = Preempt.receive(Tuple.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(still.get(1)).isEqualTo(Binary.of("still up"));
                assertThat(Preempt.receive(Duration.ofMillis(100))).as("nothing of the refused sends arrived").isEmpty();
            });
        }
    }

    @Test
    void weCallARealGenServer() throws Exception {
        String peer = erlName("c") + "@" + host();
        try (Erl erl = Erl.node(erlName("c"), COOKIE, "io:format(\"ready~n\"), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            // rex, the rpc server, is a gen_server: {call, M, F, A, GroupLeader} runs M:F(A) and replies.
            Object reply = node.call("rex", peer,
                    Tuple.of(Atom.of("call"), Atom.of("erlang"), Atom.of("length"), List.of(List.of(1L, 2L, 3L)),
                            Atom.of("user")), Duration.ofSeconds(10));
            assertThat(reply).isEqualTo(3L);
            // from inside a process too, and net_kernel (also a gen_server) says yes to us
            Object[] fromProcess = new Object[1];
            scheduler.runOrThrow(() -> fromProcess[0] = node.call("net_kernel", peer,
                    Tuple.of(Atom.of("is_auth"), Atom.of(node.name())), Duration.ofSeconds(10)));
            assertThat(fromProcess[0]).isEqualTo(Atom.of("yes"));
        }
    }

    /**
     * A process writes its frame to the socket itself when nothing is queued (Connection's "writing from
     * the sender"), and queues it behind the writer thread otherwise. Three senders, each pausing at
     * random (busy waits of up to 40 us, sleeps of 1 ms) so that both paths and their hand-overs occur
     * many times: each sender's messages must still arrive in its order.
     */
    @Test
    void sendersThatWriteThemselvesAndSendersThatQueueKeepEachSendersOrder() throws Exception {
        int perSender = 3_000, senders = 3;
        String peer = erlName("w") + "@" + host();
        try (Erl erl = Erl.node(erlName("w"), COOKIE,
                "Check = fun C(_, 0) -> io:format(\"erl got all in order~n\");"
                        + " C(M, Left) -> receive {seq, S, I} -> case maps:get(S, M, 1) of"
                        + " I -> C(M#{S => I + 1}, Left - 1);"
                        + " J -> io:format(\"erl got ~p from ~p when ~p was due~n\", [I, S, J]) end"
                        + " after 20000 -> io:format(\"erl timed out~n\") end end,"
                        + "register(esink, spawn(fun() -> Check(#{}, " + perSender * senders + ") end)),"
                        + "io:format(\"ready~n\"), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            scheduler.runOrThrow(() -> {
                Pid me = Preempt.self();
                for (long s = 1; s <= senders; s++) {
                    long sender = s;
                    Preempt.spawnLink(() -> {
                        java.util.Random r = new java.util.Random(sender);
                        for (long i = 1; i <= perSender; i++) {
                            node.send("esink", peer, Tuple.of(Atom.of("seq"), sender, i));
                            int k = r.nextInt(100);
                            if (k < 3) {
                                Preempt.sleep(Duration.ofMillis(1));
                            } else if (k < 30) {
                                long until = System.nanoTime() + r.nextInt(40_000);
                                while (System.nanoTime() < until) Thread.onSpinWait();
                            }
                        }
                        Preempt.send(me, "sent");
                    });
                }
                for (int s = 0; s < senders; s++) Preempt.receive(String.class);
            });
            erl.awaitOutput("erl got all in order", 30);
            assertThat(erl.output()).doesNotContain("was due").doesNotContain("timed out");
        }
    }

    /**
     * The writer waits for a kick when nothing is queued; a kick lost in a race with its last look left
     * the rest of a stream waiting for the writer's idle timeout (a quarter of the tick time, 15 s here),
     * once per 200,000 messages in DistBench. 200,000 messages in a stream must all arrive well within
     * that (they take about a second).
     */
    @Test
    void aStreamIsNeverLeftWaitingForTheWritersTimeout() throws Exception {
        int n = 200_000;
        String peer = erlName("s") + "@" + host();
        try (Erl erl = Erl.node(erlName("s"), COOKIE,
                "Count = fun C(0) -> io:format(\"erl got all~n\"); C(K) -> receive {seq, _} -> C(K - 1)"
                        + " after 30000 -> io:format(\"erl timed out~n\") end end,"
                        + "register(esink, spawn(fun() -> Count(" + n + ") end)),"
                        + "io:format(\"ready~n\"), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            long t0 = System.nanoTime();
            streamTo(peer, n);
            erl.awaitOutput("erl got all", 30);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).as("the stream's last frames waited for the writer's timeout").isLessThan(10);
        }
    }

    @Test
    void tenThousandMessagesArriveInOrderBothWays() throws Exception {
        int n = 10_000;
        String peer = erlName("d") + "@" + host();
        CopyOnWriteArrayList<String> verdict = new CopyOnWriteArrayList<>();
        Pid sink = scheduler.spawn(() -> {
            Preempt.register("jsink", Preempt.self());
            long expected = 1;
            while (expected <= n) {
                Tuple t = Preempt.receive(Tuple.class, Duration.ofSeconds(20)).orElse(null);
                if (t == null) {
                    verdict.add("timeout at " + expected);
                    return;
                }
                if (!t.get(1).equals(expected)) {
                    verdict.add("got " + t.get(1) + " when " + expected + " was due");
                    return;
                }
                expected++;
            }
            verdict.add("in order");
        });
        awaitName("jsink");
        try (Erl erl = Erl.node(erlName("d"), COOKIE,
                "Check = fun C(I, N) when I > N -> io:format(\"erl got all in order~n\");"
                        + " C(I, N) -> receive {seq, I} -> C(I + 1, N); {seq, J} -> io:format(\"erl got ~p when ~p was due~n\", [J, I])"
                        + " after 20000 -> io:format(\"erl timed out at ~p~n\", [I]) end end,"
                        + "register(esink, spawn(fun() -> Check(1, " + n + ") end)),"
                        + "register(driver, self()),"
                        + "io:format(\"ready~n\"),"
                        + "receive go -> ok end,"
                        + "[{jsink, " + us() + "} ! {seq, I} || I <- lists:seq(1, " + n + ")],"
                        + "io:format(\"sent~n\"), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            long t0 = System.nanoTime();
            streamTo(peer, n);
            erl.awaitOutput("erl got all in order", 30);
            long javaToErl = System.nanoTime() - t0;
            assertThat(erl.output()).doesNotContain("was due").doesNotContain("timed out");

            t0 = System.nanoTime();
            node.send("driver", peer, Atom.of("go"));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (verdict.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            long erlToJava = System.nanoTime() - t0;
            assertThat(verdict).containsExactly("in order");
            System.out.printf("10,000 messages: Preempt -> BEAM %.1f ms, BEAM -> Preempt %.1f ms%n", javaToErl / 1e6, erlToJava / 1e6);
        } finally {
            Preempt.exit(sink, dev.preempt.ExitReason.KILL);
        }
    }

    /** An erl node whose registered {@code agent} process does what the tests ask of the Erlang side. */
    private static Erl agentNode(String tag) throws Exception {
        Erl erl = Erl.node(erlName(tag), COOKIE,
                "Agent = fun A() -> receive"
                        + " {From, spawn_victim} -> V = spawn(fun() -> receive {die, R} -> exit(R);"
                        + "   {die_with_fun, R} -> exit({R, [fun() -> ok end, <<1:3>>]}) end end), From ! {victim, V}, A();"
                        + " {From, deep, N} -> D = lists:foldl(fun(_, Acc) -> [Acc, <<\"x\">>] end, [], lists:seq(1, N)),"
                        + "   From ! {deep, D}, From ! after_deep, A();"
                        + " {From, link_to, J} -> spawn(fun() -> process_flag(trap_exit, true), link(J), From ! linked,"
                        + "   receive {'EXIT', J, R} -> io:format(\"erl saw exit ~p~n\", [R]) end end), A();"
                        + " {From, monitor, T} -> spawn(fun() -> Ref = monitor(process, T), From ! monitoring,"
                        + "   receive {'DOWN', Ref, process, _, R} -> io:format(\"erl saw down ~p~n\", [R]) end end), A();"
                        + " {From, whereis, N} -> From ! {whereis, whereis(N)}, A();"
                        + " {'$gen_cast', {print, X}} -> io:format(\"erl got cast ~p~n\", [X]), A()"
                        + " end end,"
                        + "register(agent, spawn(Agent)), io:format(\"ready~n\"), receive after infinity -> ok end.");
        erl.awaitOutput("ready", 30);
        return erl;
    }

    /** Inside a process: a fresh Erlang process from the agent, which exits with {@code {die, R}}'s R. */
    private static Pid victim(String peer) {
        node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("spawn_victim")));
        Tuple t = (Tuple) Preempt.receive(m -> m instanceof Tuple x && x.get(0).equals(Atom.of("victim")), Duration.ofSeconds(5)).orElseThrow();
        return (Pid) t.get(1);
    }

    @Test
    void erlangMonitorsPreemptProcessesAndSeesTheirReasons() throws Exception {
        Pid worker = scheduler.spawn(() -> {
            Preempt.register("jworker", Preempt.self());
            Atom reason = (Atom) Preempt.receive(Atom.class::isInstance);
            Preempt.exit(dev.preempt.ExitReason.of(reason.name()));
        });
        awaitName("jworker");
        String peer = erlName("e") + "@" + host();
        try (Erl erl = agentNode("e")) {
            scheduler.runOrThrow(() -> {
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("monitor"), Tuple.of(Atom.of("jworker"), Atom.of(node.name()))));
                Preempt.receive(Atom.of("monitoring")::equals, Duration.ofSeconds(5)).orElseThrow();
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("monitor"), Tuple.of(Atom.of("nosuch"), Atom.of(node.name()))));
                Preempt.receive(Atom.of("monitoring")::equals, Duration.ofSeconds(5)).orElseThrow();
            });
            erl.awaitOutput("erl saw down noproc", 10);
            Preempt.send(worker, Atom.of("finished"));
            erl.awaitOutput("erl saw down finished", 10);
        }
    }

    @Test
    void weMonitorErlangProcessesAndSeeReasonsAndNoconnection() throws Exception {
        String peer = erlName("f") + "@" + host();
        Erl erl = agentNode("f");
        try {
            scheduler.runOrThrow(() -> {
                Pid v = victim(peer);
                dev.preempt.Ref ref = Preempt.monitor(v);
                Preempt.send(v, Tuple.of(Atom.of("die"), Tuple.of(Atom.of("boom"), 7L)));
                dev.preempt.Down d = Preempt.receive(dev.preempt.Down.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(d.ref()).isEqualTo(ref);
                assertThat(d.pid()).isEqualTo(v);
                assertThat(d.reason()).isEqualTo(dev.preempt.ExitReason.of("boom", 7L));

                Pid demonitored = victim(peer);
                assertThat(Preempt.demonitor(Preempt.monitor(demonitored))).isTrue();
                Preempt.send(demonitored, Tuple.of(Atom.of("die"), Atom.of("quietly")));

                Pid v2 = victim(peer);
                dev.preempt.Ref ref2 = Preempt.monitor(v2);
                node.monitorNode(peer);
                node.monitorNode(peer);
                assertThat(node.demonitorNode(peer)).isTrue(); // one of the two left
                erl.close(); // the BEAM node goes away
                dev.preempt.Down d2 = Preempt.receive(dev.preempt.Down.class, Duration.ofSeconds(10)).orElseThrow();
                assertThat(d2.ref()).isEqualTo(ref2);
                assertThat(d2.reason()).isEqualTo(dev.preempt.ExitReason.of("noconnection"));
                assertThat(Preempt.receive(dev.preempt.Down.class, Duration.ofMillis(300))).as("no Down after demonitor").isEmpty();
                assertThat(Preempt.receive(NodeDown.class, Duration.ofSeconds(5))).contains(new NodeDown(peer, "connection_closed"));
                assertThat(Preempt.receive(NodeDown.class, Duration.ofMillis(300))).as("one monitor, one NodeDown").isEmpty();
                // a node that is not there: NodeDown at once
                node.monitorNode("nobody_" + SUFFIX + "@" + host());
                NodeDown none = Preempt.receive(NodeDown.class, Duration.ofSeconds(10)).orElseThrow();
                assertThat(none.node()).isEqualTo("nobody_" + SUFFIX + "@" + host());
                assertThat(none.reason()).startsWith("cannot connect");
            });
            assertThat(downs).anyMatch(x -> x.startsWith(peer + " "));
            assertThat(node.connectedNodes()).doesNotContain(peer);
        } finally {
            erl.close();
        }
    }

    /**
     * Found by a user: an exit reason with a fun in it (a {@code function_clause} carries the call's
     * arguments) and a message nested 100,000 levels deep (an iolist built by folding) each closed the
     * whole connection, so every link and monitor over it heard {@code noconnection}. Now the reason has
     * placeholders for the parts with no Java value, the deep message is dropped and logged, and the
     * connection stays.
     */
    @Test
    void anExitReasonWithAFunAndATooDeepMessageLeaveTheConnectionUp() throws Exception {
        String peer = erlName("u") + "@" + host();
        Erl erl = agentNode("u");
        try {
            scheduler.runOrThrow(() -> {
                Pid v = victim(peer);
                dev.preempt.Ref ref = Preempt.monitor(v);
                Preempt.send(v, Tuple.of(Atom.of("die_with_fun"), Atom.of("function_clause")));
                dev.preempt.Down d = Preempt.receive(dev.preempt.Down.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(d.ref()).isEqualTo(ref);
                assertThat(d.reason()).isEqualTo(dev.preempt.ExitReason.of("function_clause",
                        List.of(Atom.of("#Fun"), Atom.of("#BitString"))));

                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("deep"), 100_000L));
                assertThat(Preempt.receive(m -> m.equals(Atom.of("after_deep")), Duration.ofSeconds(10))).as("the message after the deep one").isPresent();

                Pid v2 = victim(peer); // the same connection still carries monitors and their reasons
                dev.preempt.Ref ref2 = Preempt.monitor(v2);
                Preempt.send(v2, Tuple.of(Atom.of("die"), Atom.of("later")));
                dev.preempt.Down d2 = Preempt.receive(dev.preempt.Down.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(d2.ref()).isEqualTo(ref2);
                assertThat(d2.reason()).isEqualTo(dev.preempt.ExitReason.of("later"));
            });
            assertThat(downs).noneMatch(x -> x.startsWith(peer + " "));
        } finally {
            erl.close();
        }
    }

    @Test
    void linksAcrossNodesCarryExitsBothWays() throws Exception {
        String peer = erlName("g") + "@" + host();
        try (Erl erl = agentNode("g")) {
            scheduler.runOrThrow(() -> {
                // Erlang side crashes -> a linked Preempt process that does not trap exits dies with its reason
                Pid v = victim(peer);
                Preempt.Spawned linked = Preempt.spawnMonitor(() -> {
                    Preempt.link(v);
                    Preempt.send(v, Tuple.of(Atom.of("die"), Atom.of("crash")));
                    Preempt.receive(); // the exit signal ends it here
                });
                dev.preempt.Down d = (dev.preempt.Down) Preempt.receive(m -> m instanceof dev.preempt.Down x && x.ref().equals(linked.ref()),
                        Duration.ofSeconds(5)).orElseThrow();
                assertThat(d.reason()).isEqualTo(dev.preempt.ExitReason.of("crash"));

                // ... and one that traps exits gets Exit(remotePid, reason)
                Preempt.trapExits(true);
                Pid v2 = victim(peer);
                Preempt.link(v2);
                Preempt.send(v2, Tuple.of(Atom.of("die"), Atom.of("crash2")));
                dev.preempt.Exit e = Preempt.receive(dev.preempt.Exit.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(e.from()).isEqualTo(v2);
                assertThat(e.reason()).isEqualTo(dev.preempt.ExitReason.of("crash2"));

                // after unlink, the remote exit has no effect
                Pid v3 = victim(peer);
                Preempt.link(v3);
                Preempt.unlink(v3);
                Preempt.send(v3, Tuple.of(Atom.of("die"), Atom.of("crash3")));
                assertThat(Preempt.receive(dev.preempt.Exit.class, Duration.ofMillis(500))).isEmpty();
                Preempt.trapExits(false);

                // the reverse: an Erlang process links to a Preempt process, which then fails
                Pid failing = Preempt.spawn(() -> {
                    Preempt.receive(Atom.of("fail")::equals);
                    throw new IllegalStateException("java side failed");
                });
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("link_to"), failing));
                Preempt.receive(Atom.of("linked")::equals, Duration.ofSeconds(5)).orElseThrow();
                Preempt.send(failing, Atom.of("fail"));
            });
            erl.awaitOutput("erl saw exit {exception,<<\"java.lang.IllegalStateException: java side failed\">>}", 10);
        }
    }

    /** The process listing (ProcessInfo) shows links and monitors across nodes, both ways. */
    @Test
    void theProcessListingShowsRemoteLinksAndMonitors() throws Exception {
        String peer = erlName("l") + "@" + host();
        try (Erl erl = agentNode("l")) {
            scheduler.runOrThrow(() -> {
                Pid linked = victim(peer);
                Pid watched = victim(peer);
                Preempt.link(linked);
                Preempt.monitor(watched);
                // an Erlang process monitors this one (the MONITOR_P arrives before the agent's reply)
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("monitor"), Preempt.self()));
                Preempt.receive(Atom.of("monitoring")::equals, Duration.ofSeconds(5)).orElseThrow();
                dev.preempt.ProcessInfo info = Preempt.processInfo(Preempt.self()).orElseThrow();
                assertThat(info.links()).contains(linked);
                assertThat(info.monitors()).contains(watched);
                assertThat(info.monitoredBy()).hasSize(1);
                assertThat(info.monitoredBy().get(0).isRemote()).isTrue();
                assertThat(info.monitoredBy().get(0).node()).contains(peer);
                Preempt.unlink(linked);
                assertThat(Preempt.processInfo(Preempt.self()).orElseThrow().links()).doesNotContain(linked);
            });
        }
    }

    /**
     * A LINK from the peer is in place for whatever follows it: the Erlang side links, tells us so, and
     * the process fails at once on our next message; the peer must see the failure's reason, never
     * {@code noproc} (the link's watcher used to start monitoring only once it ran: about 1 run in 10 of
     * the test above saw noproc; 30 rounds here made it certain).
     */
    @Test
    void aLinkFromThePeerIsInPlaceForWhatItSendsNext() throws Exception {
        String peer = erlName("q") + "@" + host();
        int rounds = 30;
        try (Erl erl = agentNode("q")) {
            scheduler.runOrThrow(() -> {
                for (int i = 0; i < rounds; i++) {
                    String why = "java side failed " + i;
                    Pid failing = Preempt.spawn(() -> {
                        Preempt.receive(Atom.of("fail")::equals);
                        throw new IllegalStateException(why);
                    });
                    node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("link_to"), failing));
                    Preempt.receive(Atom.of("linked")::equals, Duration.ofSeconds(5)).orElseThrow();
                    Preempt.send(failing, Atom.of("fail"));
                }
            });
            for (int i = 0; i < rounds; i++) {
                erl.awaitOutput("erl saw exit {exception,<<\"java.lang.IllegalStateException: java side failed " + i + "\">>}", 10);
            }
            assertThat(erl.output()).doesNotContain("noproc");
        }
    }

    @Test
    void aWrongCookieIsRefusedBothWays() throws Exception {
        String peer = erlName("h") + "@" + host();
        try (Erl erl = Erl.node(erlName("h"), "another-cookie",
                "io:format(\"ready~n\"), receive go -> ok after 3000 -> ok end,"
                        + "io:format(\"ping=~p~n\", [net_adm:ping(" + us() + ")]), receive after infinity -> ok end.")) {
            erl.awaitOutput("ready", 30);
            assertThat(node.ping(peer, Duration.ofSeconds(5))).isFalse();
            erl.awaitOutput("ping=pang", 20);
            assertThat(node.connectedNodes()).doesNotContain(peer);
        }
    }

    @Test
    void erlangCallsAPreemptServerWithGenServerCall() throws Exception {
        scheduler.runOrThrow(() -> dev.preempt.Server.start("jcounter", new dev.preempt.Server<Long>() {
            @Override
            public Long init() {
                return 0L;
            }

            @Override
            public Result<Long> handleCall(Object request, dev.preempt.Call from, Long n) {
                return Atom.of("get").equals(request) ? Result.reply(Tuple.of(Atom.OK, n), n) : Result.reply(Atom.of("what"), n);
            }

            @Override
            public Result<Long> handleCast(Object message, Long n) {
                return Result.noReply(n + 1);
            }
        }));
        awaitName("jcounter");
        try (Erl erl = Erl.node(erlName("i"), COOKIE,
                "[gen_server:cast({jcounter, " + us() + "}, inc) || _ <- [1, 2, 3]],"
                        + "io:format(\"count=~p~n\", [gen_server:call({jcounter, " + us() + "}, get, 5000)]),"
                        + "io:format(\"missing=~p~n\", [element(1, element(2, catch gen_server:call({nosuch, " + us() + "}, get, 5000)))]),"
                        + "io:format(\"done~n\").")) {
            erl.awaitOutput("done", 30);
            assertThat(erl.output()).contains("count={ok,3}").contains("missing=noproc");
        } finally {
            scheduler.whereis("jcounter").ifPresent(p -> Preempt.exit(p, dev.preempt.ExitReason.KILL));
        }
    }

    @Test
    void preemptCallCastAndExitReachRemotePids() throws Exception {
        String peer = erlName("j") + "@" + host();
        try (Erl erl = agentNode("j")) {
            scheduler.runOrThrow(() -> {
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("whereis"), Atom.of("rex")));
                Pid rex = (Pid) ((Tuple) Preempt.receive(m -> m instanceof Tuple t && t.get(0).equals(Atom.of("whereis")),
                        Duration.ofSeconds(5)).orElseThrow()).get(1);
                // Preempt.call to a remote pid is OTP's gen_server:call
                assertThat(Preempt.call(rex, Tuple.of(Atom.of("call"), Atom.of("erlang"), Atom.of("length"),
                        List.of(List.of(1L, 2L)), Atom.of("user")), Duration.ofSeconds(5))).isEqualTo(2L);
                // a name that is not there fails at once with noproc (the call monitors the server), not by timeout
                long t0 = System.nanoTime();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.call("nosuch", peer, Atom.of("x"), Duration.ofSeconds(30)))
                        .isInstanceOf(dev.preempt.NoProcessException.class);
                assertThat(System.nanoTime() - t0).isLessThan(10_000_000_000L);
                // Preempt.cast is {'$gen_cast', M}
                node.send("agent", peer, Tuple.of(Preempt.self(), Atom.of("whereis"), Atom.of("agent")));
                Pid agent = (Pid) ((Tuple) Preempt.receive(m -> m instanceof Tuple t && t.get(0).equals(Atom.of("whereis")),
                        Duration.ofSeconds(5)).orElseThrow()).get(1);
                Preempt.cast(agent, Tuple.of(Atom.of("print"), 99L));
                // Preempt.exit(remotePid, KILL) is EXIT2
                Pid v = victim(peer);
                dev.preempt.Ref ref = Preempt.monitor(v);
                Preempt.exit(v, dev.preempt.ExitReason.KILL);
                dev.preempt.Down d = Preempt.receive(dev.preempt.Down.class, Duration.ofSeconds(5)).orElseThrow();
                assertThat(d.ref()).isEqualTo(ref);
                assertThat(d.reason()).isEqualTo(dev.preempt.ExitReason.KILLED);
                // what stays local says so
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> Preempt.isAlive(v))
                        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("local only");
            });
            erl.awaitOutput("erl got cast 99", 10);
            // and from a plain thread, Preempt.call to a remote pid works too (a helper process makes it)
            assertThat(node.call("net_kernel", peer, Tuple.of(Atom.of("is_auth"), Atom.of(node.name())), Duration.ofSeconds(5)))
                    .isEqualTo(Atom.of("yes"));
        }
    }

    @Test
    void jfrRecordsNodeUpDownAndTraffic() throws Exception {
        String peer = erlName("k") + "@" + host();
        List<jdk.jfr.consumer.RecordedEvent> events = new CopyOnWriteArrayList<>();
        try (jdk.jfr.consumer.RecordingStream rs = new jdk.jfr.consumer.RecordingStream()) {
            rs.enable("dev.preempt.NodeUp");
            rs.enable("dev.preempt.NodeDown");
            rs.enable("dev.preempt.DistributionSample").withPeriod(Duration.ofMillis(100));
            rs.onEvent(events::add);
            rs.startAsync();
            Erl erl = agentNode("k");
            try {
                scheduler.runOrThrow(() -> {
                    for (int i = 0; i < 5; i++) victim(peer); // 5 requests and 5 replies
                });
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (events.stream().noneMatch(e -> e.getEventType().getName().equals("dev.preempt.DistributionSample")
                        && peer.equals(e.getString("node")) && e.getLong("framesIn") >= 5) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } finally {
                erl.close();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (events.stream().noneMatch(e -> e.getEventType().getName().equals("dev.preempt.NodeDown")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("dev.preempt.NodeUp")
                && peer.equals(e.getString("node")) && e.getBoolean("initiated"));
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("dev.preempt.DistributionSample")
                && peer.equals(e.getString("node")) && e.getLong("framesIn") >= 5 && e.getLong("framesOut") >= 5);
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("dev.preempt.NodeDown")
                && peer.equals(e.getString("node")) && e.getString("reason").equals("connection_closed")
                && e.getLong("bytesIn") > 0);
    }

    @Test
    void aTakenNameIsRefusedByEpmdWithAClearMessage() {
        String alive = node.name().substring(0, node.name().indexOf('@'));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.preempt.dist.internal.Epmd.register(4369, alive, 1, false, 5000))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("is a node of that name running already");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Node.start(Node.options("other").cookie("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a node already runs in this JVM");
    }
}
