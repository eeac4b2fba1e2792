package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed handles on servers, and servers started with a registered name. */
class ServerRefTest {

    sealed interface CounterRequest permits Add, Get, Bad {}

    record Add(int n) implements CounterRequest {}

    record Get() implements CounterRequest {}

    record Bad() implements CounterRequest {}

    static final class Counter implements Server<Integer> {
        @Override
        public Integer init() {
            return 0;
        }

        @Override
        public Result<Integer> handleCall(Object request, Call from, Integer n) {
            return switch ((CounterRequest) request) {
                case Get g -> Result.reply(n, n);
                case Bad b -> Result.reply("not a number", n);
                case Add a -> Result.reply(n + a.n(), n + a.n());
            };
        }

        @Override
        public Result<Integer> handleCast(Object message, Integer n) {
            return Result.noReply(n + ((Add) message).n());
        }
    }

    @Test
    void aTypedHandleCallsAndCastsWithoutCasts() {
        try (Scheduler s = Procs.twoCarriers()) {
            Procs.run(s, () -> {
                ServerRef<CounterRequest, Integer> counter = ServerRef.of(Server.start(new Counter()), CounterRequest.class, Integer.class);
                counter.cast(new Add(2));
                int n = counter.call(new Get());
                assertThat(n).isEqualTo(2);
                assertThat(counter.call(new Add(3))).isEqualTo(5);
                assertThatThrownBy(() -> counter.call(new Bad())).isInstanceOf(ClassCastException.class)
                        .hasMessageContaining("java.lang.String, not a java.lang.Integer");
            });
        }
    }

    @Test
    void aServerStartedWithANameHasItAtOnceAndATakenNameFailsTheStart() {
        try (Scheduler s = Procs.twoCarriers()) {
            Procs.run(s, () -> {
                Pid first = Server.start("counter", new Counter());
                assertThat(Preempt.whereis("counter")).contains(first);
                ServerRef<CounterRequest, Integer> byName = ServerRef.named("counter", CounterRequest.class, Integer.class);
                assertThat(byName.call(new Add(7))).isEqualTo(7);
                assertThatThrownBy(() -> Server.start("counter", new Counter())).isInstanceOf(IllegalStateException.class)
                        .hasRootCauseInstanceOf(IllegalArgumentException.class).hasRootCauseMessage(
                                "register: the name 'counter' is taken by " + first);
                assertThat(Preempt.processes()).as("no second server left running").hasSize(2); // this process and the first
                Preempt.exit(first, ExitReason.KILL);
            });
        }
    }

    @Test
    void aSupervisedServerIsRegisteredAgainAfterEachRestart() {
        try (Scheduler s = Procs.twoCarriers()) {
            Procs.run(s, () -> {
                Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(),
                        List.of(Supervisor.ChildSpec.server("counter", "counter", Counter::new)));
                Pid before = Preempt.whereis("counter").orElseThrow();
                Preempt.exit(before, ExitReason.of("crash"));
                Pid after;
                do {
                    Preempt.sleep(5);
                    after = Preempt.whereis("counter").orElse(before);
                } while (after.equals(before));
                assertThat(ServerRef.named("counter", CounterRequest.class, Integer.class).call(new Get())).isZero();
                Supervisor.stop(sup);
            });
        }
    }
}
