package dev.preempt.bench;

import dev.preempt.Call;
import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Schedule;
import dev.preempt.Scheduler;
import dev.preempt.SendPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Schedules per second for a small test: one invocation is one schedule, a fresh deterministic
 * scheduler (its carrier thread included) built with the next seed, the body run as its root process,
 * the scheduler closed; what the test kit's {@code ScheduleSearch} does per schedule, less the failure
 * report. Beside it, the same body on a fresh normal scheduler of one carrier (strategy {@code normal}):
 * what a test that makes its own scheduler pays without the deterministic mode. Two bodies of the test
 * kit's bug suite: {@code lostUpdate} (four processes: the root, a log and two workers that increment a
 * counter shared through TRUST sends) and {@code bank} (four: the root, a bank and two clients that read
 * the balance in one call and write it in another). The bodies check nothing: a schedule that hits the
 * bug costs the same as one that does not.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true", "-Dpreempt.send=trust"})
@State(Scope.Thread)
public class ScheduleBenchmarks {

    /** How the schedule's choices are made: {@code random}, {@code pct}, {@code pos}, or {@code normal} (no deterministic mode). */
    @Param({"random", "pct", "pos", "normal"})
    public String strategy;

    private long seed;

    @Setup
    public void trust() {
        Preempt.setSendPolicy(SendPolicy.TRUST); // also set by -Dpreempt.send=trust
    }

    private Scheduler fresh() {
        long s = seed++;
        return switch (strategy) {
            case "random" -> Scheduler.builder().deterministic(Schedule.random(s)).build();
            case "pct" -> Scheduler.builder().deterministic(Schedule.pct(s, 3, 50)).build();
            case "pos" -> Scheduler.builder().deterministic(Schedule.pos(s)).build();
            default -> Scheduler.builder().name("bench").carriers(1).build();
        };
    }

    @Benchmark
    public ExitReason lostUpdate() {
        try (Scheduler s = fresh()) {
            return s.run(ScheduleBenchmarks::lostUpdateBody);
        }
    }

    @Benchmark
    public ExitReason bank() {
        try (Scheduler s = fresh()) {
            return s.run(ScheduleBenchmarks::bankBody);
        }
    }

    /** Mutable on purpose: shared between processes through TRUST sends. */
    static final class Counter {
        int value;
    }

    static void lostUpdateBody() {
        Pid log = Preempt.spawn(() -> {
            while (true) Preempt.receive();
        });
        Counter shared = new Counter();
        List<Pid> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(Preempt.spawn(() -> {
                Counter c = Preempt.receive(Counter.class);
                int v = c.value;
                Preempt.send(log, "read " + v);
                c.value = v + 1;
            }));
        }
        for (Pid w : workers) Preempt.monitor(w);
        for (Pid w : workers) Preempt.send(w, shared);
        for (int i = 0; i < workers.size(); i++) Preempt.receive(Down.class);
        Preempt.exit(log, ExitReason.KILL);
    }

    record SetBalance(int value) {}

    static void bankBody() {
        Pid bank = Preempt.spawn(() -> {
            int balance = 100;
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request() instanceof SetBalance s) balance = s.value();
                Preempt.reply(c, balance);
            }
        });
        List<Pid> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clients.add(Preempt.spawn(() -> {
                int b = (Integer) Preempt.call(bank, "balance");
                Preempt.call(bank, new SetBalance(b - 10));
            }));
        }
        for (Pid c : clients) Preempt.monitor(c);
        for (int i = 0; i < clients.size(); i++) Preempt.receive(Down.class);
        Preempt.call(bank, "balance");
        Preempt.exit(bank, ExitReason.KILL);
    }
}
