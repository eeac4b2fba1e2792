package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistryTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void registerWhereisSendAndUnregister() {
        Procs.run(s, () -> {
            Pid p = spawn(() -> send(receive(Pid.class), "hello"));
            register("greeter", p);
            assertThat(whereis("greeter")).contains(p);
            send("greeter", self());
            assertThat(receive(String.class)).isEqualTo("hello");
            Ref r = monitor(p);
            receive(m -> m instanceof Down d && d.ref().equals(r));
            assertThat(whereis("greeter")).as("released when it exits").isEmpty();
            Pid q = spawn(() -> receive(m -> false));
            register("temp", q);
            unregister("temp");
            assertThat(whereis("temp")).isEmpty();
            register("temp", q); // the name and the process are free again
            exit(q, ExitReason.KILL);
        });
    }

    @Test
    void registerErrors() {
        Procs.run(s, () -> {
            Pid a = spawn(() -> receive(m -> false));
            Pid b = spawn(() -> receive(m -> false));
            register("a-name", a);
            assertThatThrownBy(() -> register("a-name", b)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taken");
            assertThatThrownBy(() -> register("other", a)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
            Pid dead = spawn(() -> {});
            Ref r = monitor(dead);
            receive(m -> m instanceof Down d && d.ref().equals(r));
            assertThatThrownBy(() -> register("dead", dead)).isInstanceOf(NoProcessException.class).hasMessageContaining("not alive");
            assertThatThrownBy(() -> unregister("nobody")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> send("nobody", "x")).isInstanceOf(NoProcessException.class).hasMessageContaining("nobody");
            assertThatThrownBy(() -> cast("nobody", "x")).isInstanceOf(NoProcessException.class).hasMessageContaining("nobody");
            assertThatThrownBy(() -> call("nobody", "x")).isInstanceOf(NoProcessException.class)
                    .satisfies(e -> assertThat(((CallException) e).isNoProc()).isTrue());
            exit(a, ExitReason.KILL);
            exit(b, ExitReason.KILL);
        });
    }

    @Test
    void theNameIsReleasedBeforeExitSignalsGoOut() {
        Procs.run(s, () -> {
            trapExits(true);
            for (int i = 0; i < 200; i++) {
                Pid p = spawnLink(() -> {
                    register("short-lived", self());
                    receive(String.class);
                });
                while (whereis("short-lived").isEmpty()) Preempt.yield();
                send(p, "die");
                Exit e = receive(Exit.class);
                assertThat(e.from()).isEqualTo(p);
                assertThat(whereis("short-lived")).as("after the exit signal arrived").isEmpty();
            }
        });
    }
}
