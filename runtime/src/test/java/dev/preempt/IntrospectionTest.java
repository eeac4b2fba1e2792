package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IntrospectionTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void parkedInReceive() {
        receive(m -> m.equals("never"));
    }

    @Test
    void processInfoDescribesAProcess() {
        Procs.run(s, () -> {
            Pid me = self();
            Pid p = spawn(IntrospectionTest::parkedInReceive);
            for (int i = 0; i < 5; i++) send(p, "msg-" + i);
            register("introspected", p);
            link(p);
            Ref r = monitor(p);
            Preempt.sleep(50); // let it drain its signals and park
            ProcessInfo info = processInfo(p).orElseThrow();
            assertThat(info.pid()).isEqualTo(p);
            assertThat(info.state()).isEqualTo(ProcessInfo.State.WAITING);
            assertThat(info.mailboxLength()).isEqualTo(5);
            assertThat(info.registeredName()).contains("introspected");
            assertThat(info.links()).containsExactly(me);
            assertThat(info.monitoredBy()).containsExactly(me);
            assertThat(info.trapExits()).isFalse();
            assertThat(info.stack()).anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("parkedInReceive"));
            assertThat(info.entry()).as("what the user wrote, not the JDK's hidden lambda class")
                    .isEqualTo(IntrospectionTest.class.getName() + " (lambda)");

            ProcessInfo mine = processInfo(me).orElseThrow();
            assertThat(mine.state()).isEqualTo(ProcessInfo.State.RUNNING);
            assertThat(mine.links()).containsExactly(p);
            assertThat(mine.monitors()).containsExactly(p);

            assertThat(processes()).contains(me, p);
            unlink(p);
            demonitor(r);
            exit(p, ExitReason.KILL);
            while (isAlive(p)) Preempt.yield();
            assertThat(processInfo(p)).isEmpty();
            assertThat(processes()).doesNotContain(p);
        });
    }

    static final class CountingServer implements Server<Integer> {
        @Override
        public Integer init() {
            return 0;
        }

        @Override
        public Result<Integer> handleCall(Object request, Call from, Integer state) {
            return Result.reply(state, state);
        }
    }

    @Test
    void aProcessThreadIsNamedByItsPidAndItsRegisteredName() {
        Procs.run(s, () -> {
            Pid me = self();
            assertThat(Thread.currentThread().getName()).isEqualTo(me.toString());
            register("named-in-dumps", me);
            assertThat(Thread.currentThread().getName()).isEqualTo(me + " named-in-dumps");
            unregister("named-in-dumps");
            assertThat(Thread.currentThread().getName()).isEqualTo(me.toString());
        });
    }

    @Test
    void theEntryOfServersSupervisorsAndTheirWorkersSaysWhatTheyAre() {
        Procs.run(s, () -> {
            Pid server = Server.start(new CountingServer());
            assertThat(processInfo(server).orElseThrow().entry()).isEqualTo("server " + CountingServer.class.getName());
            Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(),
                    List.of(Supervisor.ChildSpec.worker("cache", IntrospectionTest::parkedInReceive)));
            assertThat(processInfo(sup).orElseThrow().entry()).isEqualTo("supervisor (one_for_one, 1 children)");
            Pid worker = Supervisor.whichChildren(sup).get(0).pid().orElseThrow();
            assertThat(processInfo(worker).orElseThrow().entry())
                    .isEqualTo("worker 'cache' of supervisor " + sup + ": " + IntrospectionTest.class.getName() + " (lambda)");
            Supervisor.stop(sup);
            exit(server, ExitReason.KILL);
        });
    }

    @Test
    void reductionsGrowWithWorkAndPreemptionsAreCounted() {
        // Two processes that only send and receive (each costs a reduction) share one carrier: when one's
        // budget runs out the other is waiting, so it is preempted.
        try (Scheduler one = Scheduler.builder().carriers(1).build()) {
            Procs.run(one, () -> {
                Pid me = self();
                List<Pid> workers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    workers.add(spawn(() -> {
                        for (int i = 0; i < 20_000; i++) {
                            send(self(), i);
                            receive();
                        }
                        send(me, "done");
                        receive(m -> m.equals("never"));
                    }));
                }
                receive(String.class);
                receive(String.class);
                for (Pid w : workers) {
                    ProcessInfo info = processInfo(w).orElseThrow();
                    assertThat(info.reductions()).isGreaterThanOrEqualTo(40_000);
                    assertThat(info.preemptions()).as("budget 4000, another process waiting").isGreaterThanOrEqualTo(4);
                    exit(w, ExitReason.KILL);
                }
            });
        }
    }

    @Test
    void aLoneProcessWhoseBudgetRunsOutKeepsItsCarrier() {
        try (Scheduler one = Scheduler.builder().carriers(1).build()) {
            Procs.run(one, () -> {
                for (int i = 0; i < 20_000; i++) {
                    send(self(), i);
                    receive();
                }
                ProcessInfo info = processInfo(self()).orElseThrow();
                assertThat(info.reductions()).as("accounted across budget refills").isGreaterThanOrEqualTo(40_000);
                assertThat(info.preemptions()).as("nobody else wanted the carrier").isZero();
            });
        }
    }

    @Test
    void aMailboxCanBeLookedIntoWithoutTakingAnythingFromIt() throws Exception {
        try (Scheduler own = Scheduler.builder().name("inspect").carriers(2).build()) {
            java.util.concurrent.CompletableFuture<Object> got = new java.util.concurrent.CompletableFuture<>();
            Pid p = own.spawn(() -> got.complete(receive(m -> m.equals("go"))));
            own.run(() -> {
                send(p, "a");
                send(p, "b");
            });
            // a selective receive waits for "go" with "a" and "b" queued: the snapshot has both, in order
            long deadline = System.nanoTime() + 5_000_000_000L;
            java.util.List<Object> seen = java.util.List.of();
            while (seen.size() < 2 && System.nanoTime() < deadline) seen = messagesOf(p, Duration.ofSeconds(5)).orElseThrow();
            assertThat(seen).containsExactly("a", "b");
            assertThatThrownBy(() -> messagesOf(p, Duration.ofSeconds(1)).orElseThrow().add("x"))
                    .isInstanceOf(UnsupportedOperationException.class);
            // looking took nothing: the receive still gets its message, and the others stay
            own.run(() -> send(p, "go"));
            assertThat(got.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("go");
            long end = System.nanoTime() + 5_000_000_000L;
            while (isAlive(p) && System.nanoTime() < end) Thread.sleep(5);
            assertThat(messagesOf(p, Duration.ofSeconds(1))).as("an ended process has no mailbox").isEmpty();
        }
    }
}
