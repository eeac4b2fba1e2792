package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CallTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** A server that answers "len:<text>" calls with the length, "slow" after 300 ms, and dies on "die". */
    static Pid rawServer() {
        return spawn(() -> {
            while (true) {
                Call c = receive(Call.class);
                String q = (String) c.request();
                if (q.startsWith("len:")) {
                    reply(c, q.length() - 4);
                } else if (q.equals("slow")) {
                    Preempt.sleep(300);
                    reply(c, "late");
                } else if (q.equals("die")) {
                    Preempt.exit(ExitReason.of("died-in-call"));
                } else {
                    reply(c, null);
                }
            }
        });
    }

    @Test
    void callGetsTheReply() {
        Procs.run(s, () -> {
            Pid srv = rawServer();
            assertThat(call(srv, "len:hello")).isEqualTo(5);
            assertThat(call(srv, "other")).isNull();
        });
    }

    @Test
    void aTimeoutFailsTheCallAndTheLateReplyIsDropped() {
        Procs.run(s, () -> {
            Pid srv = rawServer();
            assertThatThrownBy(() -> call(srv, "slow", Duration.ofMillis(50)))
                    .isInstanceOf(CallException.class).hasMessageContaining("timed out")
                    .satisfies(e -> assertThat(((CallException) e).isTimeout()).isTrue())
                    .extracting(e -> ((CallException) e).reason()).isEqualTo(ExitReason.of("timeout"));
            Preempt.sleep(500); // the late reply has arrived by now
            assertThat(receive(Duration.ZERO)).as("nothing left in the caller's mailbox").isEmpty();
            assertThat(call(srv, "len:ab")).isEqualTo(2);
        });
    }

    @Test
    void serverDeathAndNoprocAndCallingSelfFailWithTheirReasons() {
        Procs.run(s, () -> {
            Pid srv = rawServer();
            assertThatThrownBy(() -> call(srv, "die"))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((CallException) e).serverExited()).isTrue())
                    .extracting(e -> ((CallException) e).reason()).isEqualTo(ExitReason.of("died-in-call"));
            assertThatThrownBy(() -> call(srv, "len:x"))
                    .isInstanceOf(NoProcessException.class).hasMessageContaining("no such process")
                    .extracting(e -> ((CallException) e).reason()).isEqualTo(ExitReason.NOPROC);
            assertThatThrownBy(() -> call(self(), "x"))
                    .isInstanceOf(CallException.class).hasMessageContaining("itself")
                    .extracting(e -> ((CallException) e).reason()).isEqualTo(ExitReason.of("calling_self"));
            assertThat(receive(Duration.ZERO)).as("no Down or reply left behind").isEmpty();
        });
    }

    @Test
    void theReplyIsFoundWithoutRescanningOlderMessages() {
        Procs.run(s, () -> {
            Pid srv = rawServer();
            Pid me = self();
            for (int i = 0; i < 20_000; i++) send(me, i); // unrelated backlog
            call(srv, "len:warm-up");
            long before = Preempt.processInfo(me).map(ProcessInfo::mailboxLength).orElseThrow();
            long scannedBefore = scanned();
            for (int i = 0; i < 100; i++) call(srv, "len:abc");
            long scanned = scanned() - scannedBefore;
            // without the marker each call would test the 20,000 queued messages; with it, a handful
            assertThat(scanned).isLessThan(100 * 10);
            assertThat(before).isGreaterThanOrEqualTo(20_000);
            for (int i = 0; i < 20_000; i++) assertThat(receive()).isEqualTo(i); // the backlog is intact, in order
        });
    }

    private static long scanned() {
        return self().proc().messagesScanned();
    }

    @Test
    void callWorksFromAPlainThreadToo() {
        Pid srv = s.spawn(() -> {
            while (true) {
                Call c = receive(Call.class);
                reply(c, "hello " + c.request());
            }
        });
        assertThat(call(srv, "main")).isEqualTo("hello main");
        exit(srv, ExitReason.KILL);
    }

    record Get() {}

    record Add(int n) {}

    @Test
    void aServerBehaviourHandlesCallsCastsInfoAndStops() {
        List<String> terminated = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid srv = Server.start(new Server<Integer>() {
                @Override
                public Integer init() {
                    return 0;
                }

                @Override
                public Result<Integer> handleCall(Object request, Call from, Integer n) {
                    if (request instanceof Get) return Result.reply(n, n);
                    if (request.equals("stop")) return Result.stopAndReply(ExitReason.NORMAL, "bye", n);
                    return Result.reply("?", n);
                }

                @Override
                public Result<Integer> handleCast(Object message, Integer n) {
                    return Result.noReply(n + ((Add) message).n());
                }

                @Override
                public Result<Integer> handleInfo(Object message, Integer n) {
                    return Result.noReply(message.equals("reset") ? 0 : n);
                }

                @Override
                public void terminate(ExitReason reason, Integer n) {
                    terminated.add(reason + ":" + n);
                }
            });
            cast(srv, new Add(2));
            cast(srv, new Add(3));
            assertThat(call(srv, new Get())).isEqualTo(5);
            send(srv, "reset");
            assertThat(call(srv, new Get())).isEqualTo(0);
            Ref r = monitor(srv);
            assertThat(call(srv, "stop")).isEqualTo("bye");
            assertThat(((Down) receive(m -> m instanceof Down d && d.ref().equals(r))).reason()).isEqualTo(ExitReason.NORMAL);
        });
        assertThat(terminated).containsExactly("normal:0");
    }

    @Test
    void aCrashingServerCallbackRunsTerminateAndFailsTheCaller() {
        List<String> terminated = new ArrayList<>();
        Procs.run(s, () -> {
            Pid srv = Server.start(new Server<String>() {
                @Override
                public String init() {
                    return "state";
                }

                @Override
                public Result<String> handleCall(Object request, Call from, String st) {
                    throw new IllegalStateException("handler bug");
                }

                @Override
                public void terminate(ExitReason reason, String st) {
                    synchronized (terminated) {
                        terminated.add(reason.exceptionCause().map(Throwable::getMessage).orElse("?"));
                    }
                }
            });
            assertThatThrownBy(() -> call(srv, "x")).isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((CallException) e).reason().exceptionCause()).get()
                            .extracting(Throwable::getMessage).isEqualTo("handler bug"));
        });
        synchronized (terminated) {
            assertThat(terminated).containsExactly("handler bug");
        }
    }
}
