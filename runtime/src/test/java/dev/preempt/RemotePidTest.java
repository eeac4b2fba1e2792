package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.internal.RemoteRouting;
import dev.preempt.internal.sched.ApiAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's side of distribution, without a network: remote pids (printing, equality), and the
 * facade handing remote pids to the installed {@link RemoteRouting.Router} (here a recording one).
 */
class RemotePidTest {

    static Scheduler s;

    /** Records what the facade hands it. */
    static final class Recorder implements RemoteRouting.Router {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void send(Pid to, Object message) {
            calls.add("send " + to + " " + message);
        }

        @Override
        public void reply(Call call, Object value) {
            calls.add("reply " + call.from() + " " + value);
        }

        @Override
        public void link(Pid to) {
            calls.add("link " + to);
        }

        @Override
        public void unlink(Pid to) {
            calls.add("unlink " + to);
        }

        @Override
        public Ref monitor(Pid to) {
            calls.add("monitor " + to);
            return Ref.make();
        }

        @Override
        public boolean demonitor(Ref ref) {
            calls.add("demonitor");
            return false;
        }

        @Override
        public void exit(Pid to, ExitReason reason) {
            calls.add("exit " + to + " " + reason);
        }

        @Override
        public Object call(Pid to, Object request, long timeoutNanos) {
            calls.add("call " + to + " " + request);
            return "answer";
        }
    }

    record Address(String node, long id) {}

    private static Pid remote(String node, long id) {
        return ApiAccess.newRemotePid(node, id, 0, new Address(node, id));
    }

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private Recorder installed;

    @AfterEach
    void uninstall() {
        if (installed != null) RemoteRouting.uninstall(installed);
    }

    @Test
    void remotePidsPrintAndCompareAsValues() {
        Pid a = remote("a@host", 42);
        Pid a2 = remote("a@host", 42);
        Pid b = remote("b@host", 42);
        assertThat(a).isEqualTo(a2).hasSameHashCodeAs(a2).isNotEqualTo(b);
        assertThat(a.isRemote()).isTrue();
        assertThat(a.node()).contains("a@host");
        assertThat(a.toString()).matches("<[1-9]\\d*\\.42\\.0>");
        assertThat(a.toString()).isNotEqualTo(b.toString()); // another node, another number
        assertThat(a2.toString()).isEqualTo(a.toString());
        Procs.run(s, () -> {
            Pid local = self();
            assertThat(local.isRemote()).isFalse();
            assertThat(local.node()).isEmpty();
            assertThat(local).isNotEqualTo(remote("a@host", local.id()));
            assertThat(local.compareTo(a)).isNegative(); // local pids sort first
        });
    }

    @Test
    void withoutANodeSendsAreDroppedAndOtherOperationsSaySo() {
        Pid r = remote("gone@host", 7);
        Procs.run(s, () -> {
            send(r, "dropped"); // no exception: as Erlang drops a send to a node it cannot reach
            assertThatThrownBy(() -> link(r)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no distribution node runs in this JVM");
            assertThatThrownBy(() -> monitor(r)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> isAlive(r)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("gone@host").hasMessageContaining("local only");
            assertThatThrownBy(() -> register("x", r)).isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void theFacadeRoutesRemotePidsAfterTheSendPolicy() {
        installed = new Recorder();
        RemoteRouting.install(installed);
        Pid r = remote("peer@host", 9);
        Procs.run(s, () -> {
            send(r, "hi");
            cast(r, "c");
            link(r);
            unlink(r);
            Ref ref = monitor(r);
            assertThat(demonitor(ref)).isFalse(); // the router did not know it, nor does the process
            exit(r, ExitReason.SHUTDOWN);
            assertThat(call(r, "q", Duration.ofSeconds(1))).isEqualTo("answer");
            assertThatThrownBy(() -> send(r, new ArrayList<>(List.of(1))))
                    .isInstanceOf(MessageNotSharableException.class); // refused before it reaches the router
        });
        assertThat(installed.calls).containsExactly("send " + r + " hi", "send " + r + " Cast[message=c]",
                "link " + r, "unlink " + r, "monitor " + r, "demonitor", "exit " + r + " shutdown", "call " + r + " q");
        assertThatThrownBy(() -> RemoteRouting.install(new Recorder())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
    }

    @Test
    void aReplyToARemoteCallerGoesToTheRouter() {
        installed = new Recorder();
        RemoteRouting.install(installed);
        Pid r = remote("peer@host", 10);
        reply(new Call(Ref.make(), r, "req"), 5);
        assertThat(installed.calls).containsExactly("reply " + r + " 5");
    }

    @Test
    void aRemoteExitSignalNamesTheRemotePid() {
        Pid r = remote("peer@host", 11);
        Procs.run(s, () -> {
            trapExits(true);
            ApiAccess.procOf(self()).remoteExitSignal(r, ExitReason.of("boom"));
            assertThat(receive(Exit.class, Duration.ofSeconds(5))).contains(new Exit(r, ExitReason.of("boom")));
            Pid victim = spawn(() -> receive(m -> false));
            Ref m = monitor(victim);
            ApiAccess.procOf(victim).remoteExitSignal(r, ExitReason.of("boom"));
            Down d = (Down) receive(x -> x instanceof Down dn && dn.ref().equals(m));
            assertThat(d.reason()).isEqualTo(ExitReason.of("boom"));
        });
    }
}
